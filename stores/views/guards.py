"""What every store page checks before it runs: signed in with a role, the store looked up
through ``stores.access``, secrets kept out of error reports, and the POST data or None.

The console's pages use ``stores_page`` too."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from .. import access
from ..forms import SECRET_FIELDS


def stores_page(view):
    """Signed in, with a role. Someone signed in whom nobody has given a role yet (no profile)
    gets a page that says so instead of an empty list or an error."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if access.role_of(request.user) is None:
            return render(request, "stores/no_access.html")
        return view(request, *args, **kwargs)

    return wrapper


def store_page(*, post_only: bool = False):
    """A page of one store: the store is looked up through ``access`` before anything else,
    so another merchant's store is a 404 whatever the method."""

    def decorate(view):
        @stores_page
        @wraps(view)
        def wrapper(request, store_id):
            store = access.store_for(request.user, store_id)
            if post_only and request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, store)

        return wrapper

    return decorate


def receives_secrets(view):
    """For views that take a Client Secret or password: error reports (500 pages, admin
    e-mails) show neither those POST values nor any local variable of this view or of what it
    calls (a form's cleaning code holds the typed secret in plain locals)."""
    return sensitive_post_parameters(*SECRET_FIELDS)(sensitive_variables()(view))


def posted(request):
    """The POST data on a POST (even an empty one), else None: the form is unbound."""
    return request.POST if request.method == "POST" else None

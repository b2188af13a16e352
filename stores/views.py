"""Store pages: the list, one store's page, editing it and the actions on it. The Add
Connection wizard is in ``views_wizard``.

Every view reads stores through ``stores.access`` (a store outside the user's reach is a 404,
never a 403) and changes them through ``stores.services`` alone."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError, Q, RestrictedError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from . import access, services
from .calls import calls_since, peak_requests_per_minute
from .credentials import store_has_secrets
from .forms import (
    SECRET_FIELDS,
    ActivateForm,
    PauseForm,
    StoreEditForm,
    add_service_errors,
    edit_initial,
)
from .models import AcumaticaCall, StoreSecrets, StoreStatus

RECENT_CALLS = 20


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


def can_activate(store) -> bool:
    return store.status in (StoreStatus.DRAFT, StoreStatus.NEEDS_ATTENTION)


def run_connection_test(request, store) -> None:
    """Run the test and say in one line how it went; the page shows every check."""
    result = services.store_connection_test(store=store, actor=request.user)
    if result.passed:
        messages.success(request, "Connection test passed.")
    else:
        messages.error(request, "Connection test failed: see what to fix below.")


def review_context(request, store, *, force_form: ActivateForm | None = None) -> dict:
    """The last wizard step: everything entered, the last test, and how it may be activated."""
    return {
        "store": store,
        "secrets": store_has_secrets(store),
        "can_activate": can_activate(store) and bool(store.last_test_passed),
        "show_activate": can_activate(store),
        "can_force_activate": can_activate(store) and access.can_force_activate(request.user),
        "force_form": force_form or ActivateForm(initial={"force": True}),
    }


@stores_page
def store_list(request):
    return render(request, "stores/list.html", {"stores": access.stores_for(request.user)})


def licence_usage(store) -> dict:
    """The store's Acumatica usage in the last hour against its licence limits (blank limits:
    unknown). Open sessions come from the stored token's expiry alone: nothing is decrypted."""
    now = timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    calls = calls_since(since=hour_ago, store_ids=[store.pk])
    return {
        "requests_last_hour": calls.count(),
        "throttled_last_hour": calls.filter(status=429).count(),
        "failed_last_hour": calls.filter(Q(status__gte=400) | Q(status__isnull=True)).count(),
        "peak_per_minute": peak_requests_per_minute(store_id=store.pk, since=hour_ago),
        "open_sessions": int(
            StoreSecrets.objects.filter(store=store, access_token_expires_at__gt=now).exists()
        ),
        "recent_calls": list(AcumaticaCall.objects.filter(store=store)[:RECENT_CALLS]),
    }


@store_page()
def store_detail(request, store):
    return render(
        request,
        "stores/detail.html",
        {
            **review_context(request, store),
            "can_delete": access.can_delete_store(request.user),
            "usage": licence_usage(store),
            "recent_calls_limit": RECENT_CALLS,
        },
    )


@receives_secrets
@store_page()
def store_edit(request, store):
    stored = store_has_secrets(store)
    form = StoreEditForm(
        posted(request), store=store, stored_secrets=stored, initial=edit_initial(store)
    )
    if request.method == "POST" and form.is_valid():
        was_active = store.status in (StoreStatus.ACTIVE, StoreStatus.NEEDS_ATTENTION)
        try:
            services.store_update(store=store, actor=request.user, **form.store_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if was_active and store.status == StoreStatus.DRAFT:
                messages.warning(
                    request,
                    "Saved. The connection settings changed, so the store is back to draft and "
                    "imports nothing until its connection test passes and it is activated again.",
                )
            else:
                messages.success(request, "Saved.")
            return redirect("stores:detail", store_id=store.pk)
    return render(request, "stores/edit.html", {"store": store, "form": form})


@store_page(post_only=True)
def store_test(request, store):
    run_connection_test(request, store)
    return redirect("stores:detail", store_id=store.pk)


@store_page(post_only=True)
def store_activate(request, store):
    form = ActivateForm(request.POST)
    if not form.is_valid():
        # Only a forced activation without its reason gets here: show the review page again.
        context = review_context(request, store, force_form=form)
        return render(request, "stores/setup_review.html", {**context, "step": "review"})
    try:
        services.store_activate(store=store, actor=request.user, force_reason=form.reason)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("stores:setup_review", store_id=store.pk)
    messages.success(
        request,
        f"{store.name} is active: orders are imported every {store.import_interval_minutes} "
        "minutes.",
    )
    return redirect("stores:detail", store_id=store.pk)


@store_page()
def store_pause(request, store):
    """GET: what pausing does, with an optional reason; POST: pause."""
    form = PauseForm(posted(request))
    if request.method != "POST" or not form.is_valid():
        return render(request, "stores/pause.html", {"store": store, "form": form})
    services.store_pause(store=store, reason=form.cleaned_data["reason"], actor=request.user)
    messages.success(
        request, f"{store.name} is paused: no orders are imported until it is resumed."
    )
    return redirect("stores:detail", store_id=store.pk)


@store_page()
def store_resume(request, store):
    """GET: what resuming will do (active again, or back to draft without a passing test);
    POST: resume."""
    if request.method != "POST":
        resumes_to_draft = not store.last_test_passed and not store.forced_activation_reason
        return render(
            request,
            "stores/resume.html",
            {"store": store, "resumes_to_draft": resumes_to_draft},
        )
    try:
        services.store_resume(store=store, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if store.status == StoreStatus.ACTIVE:
            messages.success(request, f"{store.name} is active again.")
        else:
            messages.warning(
                request, f"{store.name} is back to draft: run the connection test to activate it."
            )
    return redirect("stores:detail", store_id=store.pk)


@store_page()
def store_delete(request, store):
    if not access.can_delete_store(request.user):
        raise PermissionDenied("Only a 3PL admin may delete a store connection.")
    if request.method == "POST":
        name = str(store)
        try:
            services.store_delete(store=store, actor=request.user)
        except (ProtectedError, RestrictedError):
            # Records that must outlive the store (e.g. what was shipped) may protect it.
            messages.error(
                request,
                f"{name} has orders or history that must be kept, so it cannot be deleted. "
                "Pause it instead.",
            )
            return redirect("stores:detail", store_id=store.pk)
        messages.success(request, f"Deleted {name} and its stored credentials.")
        return redirect("stores:list")
    return render(request, "stores/delete.html", {"store": store})

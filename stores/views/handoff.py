"""Credentials links: the 3PL's page that sends (and revokes) one for a draft store, and the
public page the link opens, where the merchant enters, tests and submits the store's sign-in.

The public page needs no account: the link is the merchant's only key, to one store's sign-in
form and nothing else. It is rate-limited per client address and per link, and whatever is
wrong with a link (unknown, used, expired, revoked) it shows the same page, naming no store. Its
connection test runs in the background like the store page's, and the page follows it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .. import access, handoff, ratelimit
from ..connection_test_runs import connection_test_run_latest, connection_test_run_state
from ..credentials import store_has_secrets
from ..forms import (
    LinkCredentialsForm,
    RevokeLinkForm,
    SendLinkForm,
    add_service_errors,
    credentials_initial,
)
from ..models import CredentialHandoff, StoreStatus
from .guards import posted, receives_secrets, store_page
from .review import test_run_context


# ------------------------------------------------------------------------------ the 3PL's page
def _staff_only(user) -> None:
    if not access.is_3pl_staff(user):
        raise PermissionDenied("Only 3PL staff send credentials links.")


@store_page()
def store_handoff(request, store):
    """GET: the store's links and a form to send one; POST: send it and show it, once."""
    _staff_only(request.user)
    form = SendLinkForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            sent = handoff.handoff_create(
                store=store, email=form.cleaned_data["email"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Rendered, not redirected: the link is on this one answer and nowhere else.
            response = render(request, "stores/handoff_sent.html", {"store": store, "sent": sent})
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "stores/handoff.html",
        {
            "store": store,
            "form": form,
            "links": handoff.handoffs_of_store(store=store),
            "is_draft": store.status == StoreStatus.DRAFT,
            "hours": settings.CONNECTOR_HANDOFF_LINK_HOURS,
        },
    )


@store_page(post_only=True)
def store_handoff_revoke(request, store):
    _staff_only(request.user)
    form = RevokeLinkForm(request.POST)
    link = None
    if form.is_valid():
        link = CredentialHandoff.objects.filter(
            store=store, pk=form.cleaned_data["handoff_id"]
        ).first()
    if link is not None and handoff.handoff_revoke(handoff=link, actor=request.user):
        messages.success(request, f"The link sent to {link.email} no longer works.")
    else:
        messages.info(request, "That link was not open any more: nothing to revoke.")
    return redirect("stores:handoff", store_id=store.pk)


# ---------------------------------------------------------------------------- the public page
# The link's address holds its secret: no other site may see it in a Referer. (Not
# "no-referrer": browsers then send "Origin: null" with the form, which CSRF refuses.)
REFERRER_POLICY = "same-origin"


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _rate_limited(request, token: str) -> bool:
    return not ratelimit.hit(
        limits={
            "handoff-ip": (_client_ip(request), settings.CONNECTOR_HANDOFF_MAX_REQUESTS_PER_IP),
            "handoff-link": (token, settings.CONNECTOR_HANDOFF_MAX_REQUESTS_PER_LINK),
        },
        window=settings.CONNECTOR_HANDOFF_RATE_WINDOW_SECONDS,
    )


def _neutral(request, template: str, status: int, context: dict | None = None):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = REFERRER_POLICY
    return response


@never_cache
@receives_secrets
def connect(request, token: str):
    """The merchant's sign-in form for one store. "Test" saves what was typed (secrets
    encrypted) and runs the full connection test; "Submit" saves, tests when the last test is
    not a pass, and — once it passes, or when the merchant says to submit anyway — uses the
    link up."""
    if _rate_limited(request, token):
        window = settings.CONNECTOR_HANDOFF_RATE_WINDOW_SECONDS
        response = _neutral(
            request, "handoff/rate_limited.html", 429, {"wait_minutes": max(1, window // 60)}
        )
        response["Retry-After"] = str(window)
        return response
    link = handoff.handoff_open_for_token(token=token)
    if link is None:
        return _neutral(request, "handoff/invalid.html", 404)
    store = link.store
    form = LinkCredentialsForm(
        posted(request),
        stored_secrets=store_has_secrets(store),
        initial=credentials_initial(store),
    )
    if request.method == "POST" and form.is_valid():
        try:
            handoff.handoff_credentials_save(handoff=link, **form.store_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            submitting = "submit" in request.POST
            if submitting and (store.last_test_passed or form.cleaned_data["submit_anyway"]):
                if handoff.handoff_complete(handoff=link):
                    return _neutral(request, "handoff/done.html", 200)
                return _neutral(request, "handoff/invalid.html", 404)
            # Tested in the background (the page follows it); a submit waits for a pass.
            handoff.handoff_connection_test_start(handoff=link)
            after = "?not_submitted=1" if submitting else ""
            return redirect(f"{request.path}{after}#connection-test")
    tests = test_run_context(store, progress_url=reverse("handoff_test_run", args=[token]))
    response = render(
        request,
        "handoff/connect.html",
        {
            "store": store,
            "link": link,
            "form": form,
            "not_submitted": request.GET.get("not_submitted") == "1" and not store.last_test_passed,
            **tests,
        },
    )
    response["Referrer-Policy"] = REFERRER_POLICY
    return response


@never_cache
def connect_test_run(request, token: str):
    """JSON the link page's test panel polls (as the store page's does): the newest test of the
    link's store. A bad link is the same neutral 404; polls count against their own, larger
    limit, so following a test does not use up the page's."""
    allowed = ratelimit.hit(
        limits={"handoff-poll": (token, settings.CONNECTOR_HANDOFF_MAX_POLLS_PER_LINK)},
        window=settings.CONNECTOR_HANDOFF_RATE_WINDOW_SECONDS,
    )
    if not allowed:
        return JsonResponse({"status": "rate_limited"}, status=429)
    link = handoff.handoff_open_for_token(token=token)
    run = connection_test_run_latest(store=link.store) if link is not None else None
    if run is None:
        return JsonResponse({"status": "not_found", "message": "Not found."}, status=404)
    response = JsonResponse(connection_test_run_state(run=run))
    response["Cache-Control"] = "no-store"
    return response

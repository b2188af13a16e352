"""Credentials links: the 3PL's page that sends (and revokes) one for a draft store, and the
public page the link opens, where the merchant enters, tests and submits the store's sign-in.

The public page needs no account: the link is the merchant's only key, to one store's sign-in
form and nothing else. It is rate-limited per client address and per link, and whatever is
wrong with a link (unknown, used, expired, revoked) it shows the same page, naming no store."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .. import access, handoff, ratelimit
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
    result = None
    not_submitted = False
    if request.method == "POST" and form.is_valid():
        try:
            handoff.handoff_credentials_save(handoff=link, **form.store_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            submitting = "submit" in request.POST
            if not submitting or not store.last_test_passed:
                result = handoff.handoff_connection_test(handoff=link)
            if submitting and (store.last_test_passed or form.cleaned_data["submit_anyway"]):
                if handoff.handoff_complete(handoff=link):
                    return _neutral(request, "handoff/done.html", 200)
                return _neutral(request, "handoff/invalid.html", 404)
            not_submitted = submitting
            # A fresh form: what is stored now, secrets as "stored — leave blank to keep".
            form = LinkCredentialsForm(
                stored_secrets=store_has_secrets(store), initial=credentials_initial(store)
            )
    response = render(
        request,
        "handoff/connect.html",
        {
            "store": store,
            "link": link,
            "form": form,
            "tested_now": result is not None,
            "not_submitted": not_submitted,
        },
    )
    response["Referrer-Policy"] = REFERRER_POLICY
    return response

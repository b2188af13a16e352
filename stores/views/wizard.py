"""The Add Connection wizard: store basics → Acumatica credentials → endpoint and order
settings → connection test → review and activate.

No secret ever goes into the session or a hidden field: step 1 keeps only the store's name and
merchant in the session, submitting step 2 creates the draft store with its secrets encrypted in
the database at once, and every later step edits that draft by id (``/stores/<id>/setup/…``).
Going back shows what was entered, with secrets as "stored — leave blank to keep"."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render

from .. import access, services
from ..credentials import store_has_secrets
from ..drafts import drafts_unfinished_for, store_draft_discard
from ..endpoint_versions import endpoint_proposal, supported_text, wizard_version
from ..forms import (
    CredentialsForm,
    SettingsForm,
    StoreBasicsForm,
    add_service_errors,
    credentials_initial,
    settings_initial,
)
from ..models import Merchant
from ..selectors import merchant_for
from .guards import posted, receives_secrets, store_page, stores_page
from .review import review_context, start_connection_test, test_run_context

# Holds {"name", "merchant_id", "new_merchant"} until the store exists, then {"store_id"}.
WIZARD_SESSION_KEY = "store_wizard"


def _wizard_merchant(user, basics: dict) -> Merchant:
    if basics.get("merchant_id"):
        merchant = merchant_for(user=user, merchant_id=basics["merchant_id"])
        if merchant is None:
            raise ValidationError("That merchant no longer exists: go back and choose another.")
        return merchant
    if not access.is_3pl_staff(user):
        raise ValidationError("Only 3PL staff can add a merchant.")
    return services.merchant_get_or_create(name=basics.get("new_merchant", ""))


# ----------------------------------------------------------------- before the store exists
@stores_page
def new_basics(request):
    saved = request.session.get(WIZARD_SESSION_KEY) or {}
    initial = {}
    if "name" in saved:
        initial = {
            "name": saved["name"],
            "merchant": saved["merchant_id"],
            "new_merchant": saved["new_merchant"],
        }
    form = StoreBasicsForm(posted(request), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        request.session[WIZARD_SESSION_KEY] = form.session_data()
        return redirect("stores:new_credentials")
    return render(
        request,
        "stores/setup_basics.html",
        {
            "form": form,
            "step": "basics",
            "store": None,
            "basics": saved,
            "unfinished": drafts_unfinished_for(user=request.user),
            "abandoned_days": settings.CONNECTOR_DRAFT_ABANDONED_DAYS,
        },
    )


@receives_secrets
@stores_page
def new_credentials(request):
    basics = request.session.get(WIZARD_SESSION_KEY) or {}
    if "name" not in basics:
        if basics.get("store_id"):
            # Back (or reload) after the draft was created: continue with that draft.
            try:
                store = access.store_for(request.user, basics["store_id"])
            except Http404:
                pass
            else:
                return redirect("stores:setup_credentials", store_id=store.pk)
        messages.info(request, "Start with the store's name.")
        return redirect("stores:new")
    if request.method == "POST" and "credentials_later" in request.POST:
        return _draft_for_merchant_link(request, basics)
    form = CredentialsForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                store = services.store_create(
                    merchant=_wizard_merchant(request.user, basics),
                    name=basics["name"],
                    actor=request.user,
                    **form.store_values(),
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session[WIZARD_SESSION_KEY] = {"store_id": store.pk}
            messages.success(
                request,
                "Saved as a draft: the secrets are stored encrypted and will not be shown again.",
            )
            return _after_credentials(request, store)
    chosen = merchant_for(user=request.user, merchant_id=basics.get("merchant_id"))
    merchant_name = basics.get("new_merchant") or (chosen.name if chosen else None)
    return render(
        request,
        "stores/setup_credentials.html",
        {
            "form": form,
            "step": "credentials",
            "store": None,
            "basics": basics,
            "merchant_name": merchant_name,
            "can_send_link": access.is_3pl_staff(request.user),
        },
    )


def _draft_for_merchant_link(request, basics: dict):
    """3PL staff leave the sign-in to the merchant: the draft is saved without it and the
    next page sends the merchant a credentials link."""
    if not access.is_3pl_staff(request.user):
        raise PermissionDenied("Only 3PL staff send credentials links.")
    try:
        with transaction.atomic():
            store = services.store_create(
                merchant=_wizard_merchant(request.user, basics),
                name=basics["name"],
                actor=request.user,
                credentials_later=True,
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("stores:new_credentials")
    request.session.pop(WIZARD_SESSION_KEY, None)
    messages.success(request, "Saved as a draft without the Acumatica sign-in.")
    return redirect("stores:handoff", store_id=store.pk)


# --------------------------------------------------------------------------- editing the draft
def _setup_step(request, store, form, *, step: str, next_step: str):
    """Save one step of the draft (or show its errors) and go on to the next step."""
    if request.method == "POST" and form.is_valid():
        try:
            services.store_update(store=store, actor=request.user, **form.store_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(f"stores:setup_{next_step}", store_id=store.pk)
    return render(
        request, f"stores/setup_{step}.html", {"form": form, "step": step, "store": store}
    )


@store_page()
def setup_basics(request, store):
    form = StoreBasicsForm(
        posted(request), user=request.user, store=store, initial={"name": store.name}
    )
    return _setup_step(request, store, form, step="basics", next_step="credentials")


def _after_credentials(request, store):
    """Sign in once with what was saved (and out again): on to the settings when Acumatica
    accepts it, else back to the credentials with the cause and the fix, as the connection
    test names them."""
    failed = services.store_sign_in_check(store=store)
    if failed is None:
        messages.success(
            request, "Acumatica accepted the sign-in (the connector signed out again)."
        )
        return redirect("stores:setup_settings", store_id=store.pk)
    messages.error(request, f"{failed.title}: {failed.message}")
    if failed.fix:
        messages.info(request, f"How to fix it: {failed.fix}")
    return redirect("stores:setup_credentials", store_id=store.pk)


@receives_secrets
@store_page()
def setup_credentials(request, store):
    form = CredentialsForm(
        posted(request), stored_secrets=store_has_secrets(store), initial=credentials_initial(store)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.store_update(store=store, actor=request.user, **form.store_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _after_credentials(request, store)
    return render(
        request,
        "stores/setup_credentials.html",
        {"form": form, "step": "credentials", "store": store},
    )


@store_page()
def setup_settings(request, store):
    initial = settings_initial(store)
    proposal = proposed = None
    if request.method != "POST":
        # What the instance has installed (GET /entity): the newest version the connector
        # supports is proposed, unless one that is installed was already chosen.
        proposal = endpoint_proposal(store=store)
        proposed = wizard_version(store, proposal)
        if proposed:
            initial["endpoint_version"] = proposed
    form = SettingsForm(posted(request), initial=initial)
    if request.method == "POST":
        return _setup_step(request, store, form, step="settings", next_step="test")
    return render(
        request,
        "stores/setup_settings.html",
        {
            "form": form,
            "step": "settings",
            "store": store,
            "proposal": proposal,
            "proposed": proposed,
            "supported": supported_text(),
        },
    )


@store_page()
def setup_test(request, store):
    """POST starts the test in the background and comes back here (POST/redirect/GET): the
    page follows the run until it ends."""
    if request.method == "POST":
        start_connection_test(request, store)
        return redirect("stores:setup_test", store_id=store.pk)
    return render(
        request,
        "stores/setup_test.html",
        {"store": store, "step": "test", **test_run_context(store)},
    )


@store_page()
def setup_review(request, store):
    return render(
        request, "stores/setup_review.html", {**review_context(request, store), "step": "review"}
    )


@store_page(post_only=True)
def discard_draft(request, store):
    """Delete a draft the wizard left unfinished (its creator or 3PL staff)."""
    name = store.name
    try:
        store_draft_discard(store=store, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("stores:detail", store_id=store.pk)
    session = request.session.get(WIZARD_SESSION_KEY) or {}
    if session.get("store_id") == store.pk:
        request.session.pop(WIZARD_SESSION_KEY, None)
    messages.success(request, f"Discarded the draft {name}.")
    return redirect("stores:new")

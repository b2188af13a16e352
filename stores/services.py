"""Writes on merchants and store connections. Views, forms, admin actions, commands and tasks
call these; none of them changes a store's status or secrets directly."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import access
from .credentials import store_secrets_set
from .models import Merchant, StoreConnection, StoreStatus
from .validation import normalised_store_fields

logger = logging.getLogger("connector.stores")

EDITABLE_FIELDS = (
    "name",
    "instance_url",
    "client_id",
    "tenant",
    "username",
    "endpoint_name",
    "endpoint_version",
    "order_type",
    "default_warehouse",
    "oauth_scope",
    "shipment_mode",
    "include_package_contents",
    "import_interval_minutes",
)
# Changing any of these means the last connection test no longer says anything.
CONNECTION_FIELDS = frozenset(EDITABLE_FIELDS) - {"name", "import_interval_minutes"}


def merchant_get_or_create(*, name: str) -> Merchant:
    name = name.strip()
    if not name:
        raise ValidationError({"merchant": "A merchant needs a name."})
    merchant = Merchant.objects.filter(name__iexact=name).first()
    return merchant or Merchant.objects.create(name=name)


def _set_status(store: StoreConnection, status: str, reason: str = "") -> None:
    if store.status != status or store.status_reason != reason:
        store.status = status
        store.status_reason = reason
        store.status_since = timezone.now()


def store_create(
    *,
    merchant: Merchant,
    name: str,
    client_secret: str | None = None,
    password: str | None = None,
    **fields: Any,
) -> StoreConnection:
    """A new connection, always a draft: only a passing connection test activates it."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not store fields: {sorted(unknown)}")
    fields = normalised_store_fields(fields)
    with transaction.atomic():
        store = StoreConnection(merchant=merchant, name=name.strip(), **fields)
        _set_status(store, StoreStatus.DRAFT, "Not tested yet.")
        store.full_clean(validate_unique=True)
        store.save()
        store_secrets_set(store=store, client_secret=client_secret, password=password)
    logger.info("store %s created for merchant %s", store.pk, merchant.pk)
    return store


def store_update(
    *,
    store: StoreConnection,
    client_secret: str | None = None,
    password: str | None = None,
    **fields: Any,
) -> StoreConnection:
    """Change settings and/or credentials. Blank secrets keep the stored ones. A change to
    anything the connection depends on invalidates the last test; an active store keeps
    importing only if its new settings pass the next test (it goes back to draft)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not store fields: {sorted(unknown)}")
    fields = normalised_store_fields(fields)
    changed = {name for name, value in fields.items() if getattr(store, name) != value}
    for name in changed:
        setattr(store, name, fields[name])
    connection_changed = bool(changed & CONNECTION_FIELDS) or bool(client_secret or password)
    with transaction.atomic():
        if connection_changed:
            store.last_test_passed = None
            store.last_test_result = []
            if store.status in (StoreStatus.ACTIVE, StoreStatus.NEEDS_ATTENTION):
                _set_status(
                    store, StoreStatus.DRAFT, "Connection settings changed: test again to activate."
                )
        store.full_clean(validate_unique=True)
        store.save()
        store_secrets_set(store=store, client_secret=client_secret, password=password)
    return store


def store_record_test(*, store: StoreConnection, passed: bool, checks: list[dict]) -> None:
    store.last_test_at = timezone.now()
    store.last_test_passed = passed
    store.last_test_result = checks
    fields = ["last_test_at", "last_test_passed", "last_test_result", "updated_at"]
    if not passed and store.status == StoreStatus.ACTIVE:
        failed = next((c for c in checks if c.get("status") == "fail"), None)
        _set_status(
            store,
            StoreStatus.NEEDS_ATTENTION,
            failed["message"] if failed else "The connection test failed.",
        )
        fields += ["status", "status_reason", "status_since"]
    store.save(update_fields=fields)


def store_activate(
    *, store: StoreConnection, actor=None, force_reason: str = ""
) -> StoreConnection:
    """Activate after a passing test, or force it (3PL staff only) with a recorded reason."""
    if force_reason.strip():
        if actor is not None and not access.can_force_activate(actor):
            raise PermissionDenied("Only 3PL staff may activate a store without a passing test.")
        store.forced_activation_reason = (
            f"{timezone.now():%Y-%m-%d %H:%M} by {actor or 'system'}: {force_reason.strip()}"
        )
    elif not store.last_test_passed:
        raise ValidationError(
            "The connection test has not passed with the current settings. Run it and fix what "
            "it reports before activating."
        )
    _set_status(store, StoreStatus.ACTIVE)
    store.save()
    return store


def store_pause(*, store: StoreConnection, reason: str = "") -> StoreConnection:
    _set_status(store, StoreStatus.PAUSED, reason.strip() or "Paused by a user.")
    store.save(update_fields=["status", "status_reason", "status_since", "updated_at"])
    return store


def store_resume(*, store: StoreConnection) -> StoreConnection:
    if store.status != StoreStatus.PAUSED:
        raise ValidationError("Only a paused store can be resumed.")
    if not store.last_test_passed and not store.forced_activation_reason:
        _set_status(store, StoreStatus.DRAFT, "Not tested yet.")
    else:
        _set_status(store, StoreStatus.ACTIVE)
    store.save(update_fields=["status", "status_reason", "status_since", "updated_at"])
    return store


def store_mark_needs_attention(*, store: StoreConnection, reason: str) -> None:
    """Background jobs call this when Acumatica refuses the store's credentials or rights."""
    _set_status(store, StoreStatus.NEEDS_ATTENTION, reason)
    store.save(update_fields=["status", "status_reason", "status_since", "updated_at"])


def store_delete(*, store: StoreConnection, actor) -> None:
    if not access.can_delete_store(actor):
        raise PermissionDenied("Only a 3PL admin may delete a store connection.")
    store.delete()

"""Writes on merchants and store connections. Views, forms, admin actions, commands and tasks
call these; none of them changes a store's status or secrets directly.

Every action and configuration change is audited here (``stores.audit``), whoever triggered it:
callers pass ``actor`` (a user; None for the system) and ``via`` (console, admin, cli, system)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import access
from .audit import CHANGED, audit_record, changes_between
from .connection_test import ConnectionTestResult, connection_test_run
from .credentials import store_secrets_set
from .models import AuditEntry, Merchant, StoreConnection, StoreStatus
from .signals import store_needs_attention
from .validation import normalised_store_fields

logger = logging.getLogger("connector.stores")

EDITABLE_FIELDS = (
    "name",
    "auth_method",
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
    "licence_api_users",
    "licence_api_users_reserved",
    "licence_concurrent_requests",
    "licence_requests_per_minute",
)
# Changing any of these means the last connection test no longer says anything.
CONNECTION_FIELDS = frozenset(EDITABLE_FIELDS) - {
    "name",
    "import_interval_minutes",
    "licence_api_users",
    "licence_api_users_reserved",
    "licence_concurrent_requests",
    "licence_requests_per_minute",
}
STATUS_FIELDS = ("status", "status_reason")
# What a draft made for a credentials link may leave blank until the merchant enters it.
SIGN_IN_FIELDS = ("instance_url", "client_id", "username")
CONSOLE = AuditEntry.Via.CONSOLE


def merchant_get_or_create(*, name: str) -> Merchant:
    name = name.strip()
    if not name:
        raise ValidationError({"merchant": "A merchant needs a name."})
    merchant = Merchant.objects.filter(name__iexact=name).first()
    return merchant or Merchant.objects.create(name=name)


def _snapshot(store: StoreConnection, fields=EDITABLE_FIELDS) -> dict[str, Any]:
    return {name: getattr(store, name) for name in fields}


def _secret_markers(client_secret: str | None, password: str | None) -> dict[str, str]:
    """What the audit says about secrets: that they changed, never their value."""
    given = {"client_secret": client_secret, "password": password}
    return {name: CHANGED for name, value in given.items() if value}


def _audit_status_change(
    *, store, before: dict, action: str, summary: str, actor, via: str, reason: str = ""
):
    after = _snapshot(store, STATUS_FIELDS)
    old, new = changes_between(before, after, STATUS_FIELDS)
    audit_record(
        actor=actor,
        action=action,
        summary=summary,
        store=store,
        target=store,
        before=old,
        after=new,
        reason=reason,
        via=via,
    )


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
    actor=None,
    via: str = CONSOLE,
    credentials_later: bool = False,
    **fields: Any,
) -> StoreConnection:
    """A new connection, always a draft: only a passing connection test activates it.
    ``credentials_later``: the Acumatica sign-in may be left blank, for the merchant to enter
    through a credentials link (``stores.handoff``)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not store fields: {sorted(unknown)}")
    fields = normalised_store_fields(fields)
    with transaction.atomic():
        store = StoreConnection(merchant=merchant, name=name.strip(), **fields)
        if getattr(actor, "pk", None) and hasattr(actor, "get_username"):
            store.created_by = actor
        if credentials_later:
            _set_status(store, StoreStatus.DRAFT, "Waiting for the merchant's Acumatica sign-in.")
            blank = [n for n in SIGN_IN_FIELDS if not getattr(store, n)]
            store.full_clean(exclude=blank, validate_unique=True)
        else:
            _set_status(store, StoreStatus.DRAFT, "Not tested yet.")
            store.full_clean(validate_unique=True)
        store.save()
        store_secrets_set(store=store, client_secret=client_secret, password=password)
        audit_record(
            actor=actor,
            action="store.create",
            summary=f"Added the store connection {store.name} (a draft).",
            store=store,
            target=store,
            after={**_snapshot(store), **_secret_markers(client_secret, password)},
            via=via,
        )
    logger.info("store %s created for merchant %s", store.pk, merchant.pk)
    return store


def store_update(
    *,
    store: StoreConnection,
    client_secret: str | None = None,
    password: str | None = None,
    actor=None,
    via: str = CONSOLE,
    **fields: Any,
) -> StoreConnection:
    """Change settings and/or credentials. Blank secrets keep the stored ones. A change to
    anything the connection depends on invalidates the last test; an active store keeps
    importing only if its new settings pass the next test (it goes back to draft).

    Audited as one "store.update" entry with exactly the changed fields (secrets as
    "(changed)"); saving without a change records nothing."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not store fields: {sorted(unknown)}")
    fields = normalised_store_fields(fields)
    before = _snapshot(store, (*EDITABLE_FIELDS, *STATUS_FIELDS))
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
        old, new = changes_between(before, _snapshot(store, (*EDITABLE_FIELDS, *STATUS_FIELDS)))
        secrets = _secret_markers(client_secret, password)
        if old or secrets:
            names = [n.replace("_", " ") for n in [*old, *secrets] if n not in STATUS_FIELDS]
            back_to_draft = " The store is back to draft." if "status" in old else ""
            audit_record(
                actor=actor,
                action="store.update",
                summary=f"Changed {', '.join(names)}.{back_to_draft}",
                store=store,
                target=store,
                before={**old, **{name: "" for name in secrets}},
                after={**new, **secrets},
                via=via,
            )
    return store


def store_record_test(*, store: StoreConnection, passed: bool, checks: list[dict]) -> None:
    """Keep a connection test's result on the store (``store_connection_test`` calls this
    after running the test)."""
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
    with transaction.atomic():
        store.save(update_fields=fields)
        if store.status == StoreStatus.NEEDS_ATTENTION and "status" in fields:
            store_needs_attention.send(sender=StoreConnection, store=store)


def store_connection_test(*, store: StoreConnection, actor=None, via: str = CONSOLE):
    """Run the connection test, record its result on the store, and audit it ("store.test"
    with passed/failed and the first failing check). In the foreground: commands use this;
    pages start it in the background (``stores.connection_test_runs``)."""
    result = connection_test_run(store=store)
    store_connection_test_record(store=store, result=result, actor=actor, via=via)
    return result


def store_connection_test_record(
    *, store: StoreConnection, result: ConnectionTestResult, actor=None, via: str = CONSOLE
) -> None:
    """Record a finished connection test on the store and audit it ("store.test")."""
    before = _snapshot(store, STATUS_FIELDS)
    store_record_test(store=store, passed=result.passed, checks=result.to_dicts())
    failed = next((c for c in result.checks if c.status == "fail"), None)
    if result.passed:
        summary = "Connection test passed."
    else:
        summary = (
            f"Connection test failed: {failed.message}" if failed else "Connection test failed."
        )
    old, new = changes_between(before, _snapshot(store, STATUS_FIELDS), STATUS_FIELDS)
    audit_record(
        actor=actor,
        action="store.test",
        summary=summary,
        store=store,
        target=store,
        before=old,
        after={"passed": result.passed, **new},
        via=via,
    )


def store_sign_in_check(*, store: StoreConnection):
    """The connection test up to signing in (signed out again), for the wizard's credential
    step: the first check that failed, or None when Acumatica accepted the sign-in. Nothing is
    recorded on the store (its calls are, as every call)."""
    result = connection_test_run(store=store, until="sign_in")
    return next((c for c in result.checks if c.status == "fail"), None)


def store_activate(
    *, store: StoreConnection, actor=None, force_reason: str = "", via: str = CONSOLE
) -> StoreConnection:
    """Activate after a passing test, or force it (3PL staff only) with a recorded reason."""
    before = _snapshot(store, STATUS_FIELDS)
    reason = force_reason.strip()
    if reason:
        if actor is not None and not access.can_force_activate(actor):
            raise PermissionDenied("Only 3PL staff may activate a store without a passing test.")
        store.forced_activation_reason = (
            f"{timezone.now():%Y-%m-%d %H:%M} by {actor or 'system'}: {reason}"
        )
    elif not store.last_test_passed:
        raise ValidationError(
            "The connection test has not passed with the current settings. Run it and fix what "
            "it reports before activating."
        )
    with transaction.atomic():
        _set_status(store, StoreStatus.ACTIVE)
        store.save()
        _audit_status_change(
            store=store,
            before=before,
            action="store.activate",
            summary=(
                "Activated without a passing connection test (forced)."
                if reason
                else "Activated after a passing connection test."
            ),
            actor=actor,
            via=via,
            reason=reason,
        )
    return store


def store_pause(
    *, store: StoreConnection, reason: str = "", actor=None, via: str = CONSOLE
) -> StoreConnection:
    before = _snapshot(store, STATUS_FIELDS)
    with transaction.atomic():
        _set_status(store, StoreStatus.PAUSED, reason.strip() or "Paused by a user.")
        store.save(update_fields=["status", "status_reason", "status_since", "updated_at"])
        _audit_status_change(
            store=store,
            before=before,
            action="store.pause",
            summary="Paused: no orders are imported until it is resumed.",
            actor=actor,
            via=via,
            reason=reason.strip(),
        )
    return store


def store_resume(*, store: StoreConnection, actor=None, via: str = CONSOLE) -> StoreConnection:
    if store.status != StoreStatus.PAUSED:
        raise ValidationError("Only a paused store can be resumed.")
    before = _snapshot(store, STATUS_FIELDS)
    if not store.last_test_passed and not store.forced_activation_reason:
        _set_status(store, StoreStatus.DRAFT, "Not tested yet.")
    else:
        _set_status(store, StoreStatus.ACTIVE)
    with transaction.atomic():
        store.save(update_fields=["status", "status_reason", "status_since", "updated_at"])
        _audit_status_change(
            store=store,
            before=before,
            action="store.resume",
            summary=f"Resumed: now {store.get_status_display().lower()}.",
            actor=actor,
            via=via,
        )
    return store


def store_set_draft_reason(*, store: StoreConnection, reason: str) -> None:
    """Say why a draft is still a draft (e.g. whose credentials it waits for); not audited
    here, the caller audits what happened."""
    if store.status != StoreStatus.DRAFT:
        return
    _set_status(store, StoreStatus.DRAFT, reason)
    store.save(update_fields=["status", "status_reason", "status_since", "updated_at"])


def store_mark_needs_attention(*, store: StoreConnection, reason: str) -> None:
    """Background jobs call this when Acumatica refuses the store's credentials or rights.
    Audited (by the system) only when the status or its reason changes, so a failure that
    repeats every few minutes leaves one entry."""
    if store.status == StoreStatus.NEEDS_ATTENTION and store.status_reason == reason:
        return
    before = _snapshot(store, STATUS_FIELDS)
    with transaction.atomic():
        _set_status(store, StoreStatus.NEEDS_ATTENTION, reason)
        store.save(update_fields=["status", "status_reason", "status_since", "updated_at"])
        store_needs_attention.send(sender=StoreConnection, store=store)
        _audit_status_change(
            store=store,
            before=before,
            action="store.needs_attention",
            summary=f"Needs attention: {reason}",
            actor=None,
            via=AuditEntry.Via.SYSTEM,
        )


def store_delete(*, store: StoreConnection, actor, via: str = CONSOLE) -> None:
    if not access.can_delete_store(actor):
        raise PermissionDenied("Only a 3PL admin may delete a store connection.")
    with transaction.atomic():
        # Recorded first, in the same transaction: the entry keeps the store's label (its link
        # to the row becomes empty), and a deletion that is refused records nothing.
        audit_record(
            actor=actor,
            action="store.delete",
            summary=f"Deleted the store connection {store} and its stored credentials.",
            store=store,
            target=store,
            before={**_snapshot(store), "status": store.status},
            via=via,
        )
        store.delete()

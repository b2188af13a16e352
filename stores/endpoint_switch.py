"""Switching a store's endpoint version after the upgrade cut-over check, and back.

Unlike an edit of the settings (``store_update``, which sends an active store back to draft
until it is tested again), the switch keeps the store's status: the caller has already run the
connection test on the new version and hands its result in, which is recorded as the store's
last test. The audit entry of a switch holds the previous version (``before``), which is what a
roll-back applies; the roll-back is audited too. No migration, no extra column.
"""

from __future__ import annotations

from django.db import transaction

from .audit import audit_record
from .models import AuditEntry, StoreConnection
from .services import store_record_test

CUTOVER = "store.endpoint_cutover"
ROLLBACK = "store.endpoint_rollback"


def store_endpoint_switch(
    *,
    store: StoreConnection,
    version: str,
    action: str,
    summary: str,
    passed: bool,
    checks: list[dict],
    actor=None,
    via: str = AuditEntry.Via.CONSOLE,
    reason: str = "",
) -> AuditEntry:
    if action not in (CUTOVER, ROLLBACK):
        raise ValueError(f"not an endpoint switch: {action!r}")
    with transaction.atomic():
        locked = StoreConnection.objects.select_for_update().get(pk=store.pk)
        previous = locked.endpoint_version
        locked.endpoint_version = version
        locked.save(update_fields=["endpoint_version", "updated_at"])
        entry = audit_record(
            actor=actor,
            action=action,
            summary=summary,
            store=locked,
            target=locked,
            before={"endpoint_version": previous},
            after={"endpoint_version": version},
            via=via,
            reason=reason,
        )
        store_record_test(store=locked, passed=passed, checks=checks)
    store.refresh_from_db()
    return entry


def endpoint_switch_last(*, store: StoreConnection) -> AuditEntry | None:
    """The store's latest switch or roll-back, if any."""
    return (
        AuditEntry.objects.filter(store=store, action__in=(CUTOVER, ROLLBACK))
        .order_by("-at", "-id")
        .first()
    )


def rollback_target(*, store: StoreConnection) -> tuple[AuditEntry, str] | None:
    """(the switch to undo, the version it replaced) when the store's current version came
    from a cut-over that has not been rolled back."""
    last = endpoint_switch_last(store=store)
    if last is None or last.action != CUTOVER:
        return None
    if (last.after or {}).get("endpoint_version") != store.endpoint_version:
        return None  # edited by hand since: nothing of the cut-over to undo
    previous = (last.before or {}).get("endpoint_version")
    return (last, previous) if previous else None

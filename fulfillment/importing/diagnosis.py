""" "Why wasn't this order imported?": read the record live from Acumatica and walk it through the
import's own rules, saying in plain words which one kept it out.

The checks call the same pure code the import runs — the scans' fixed filter
(``source.out_of_scope``), the eligibility rule (``decisions.source_state``) and the mapper — so
the explanation cannot disagree with what an import would do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from connector.acumatica import AcumaticaError, NotFound
from stores.credentials import acumatica_client_for
from stores.errors import StoreClientUnavailable
from stores.models import StoreConnection, StoreStatus

from ..models import ImportRun, Order, OrderStatus
from ..modes import MappedOrder, MappingError, mode_of, readers
from ..modes.mapping import record_last_modified
from . import conf
from .decisions import source_state
from .runs import import_cursor_of
from .single import (
    OrderKey,
    acumatica_failure_text,
    live_record_read,
    local_order_for,
    order_key_parse,
)

# How many of the store's latest runs are searched for the record's key.
RECENT_RUNS = 100
# A store in one of these is imported; any other imports nothing.
IMPORTING_STORE_STATUSES = (StoreStatus.ACTIVE, StoreStatus.NEEDS_ATTENTION)


class RecordedReason(NamedTuple):
    """What the newest of the store's recent import runs that named a record said of it."""

    run_id: int
    reason: str
    started_at: dt.datetime


@dataclass(frozen=True)
class Check:
    """One rule and how the record fares: ``passed`` True/False, None when it only informs."""

    name: str
    passed: bool | None
    detail: str
    order_id: int | None = None
    run_id: int | None = None


@dataclass(frozen=True)
class Diagnosis:
    key: OrderKey
    conclusion: str
    checks: tuple[Check, ...] = ()
    found: bool = False
    # The live record would be imported by a scan (in scope, eligible, maps).
    eligible: bool = False
    local_order: Order | None = None
    # Offer "Import it now": eligible and absent here, or changed since it was imported.
    can_import: bool = False
    # What must change in Acumatica first, when it is not eligible.
    must_change: tuple[str, ...] = ()
    store_notice: str = ""
    error: str = ""
    record_status: str = ""
    record_last_modified: dt.datetime | None = field(default=None)


@dataclass(frozen=True)
class _Status:
    """What ``source_state`` reads of a record, for records the mapper refuses."""

    source_kind: str
    erp_status: str
    erp_hold: bool


def order_diagnose(*, store: StoreConnection, key: str) -> Diagnosis:
    """Raises ``OrderKeyInvalid`` (a ValueError with a message) for input that is not a key;
    never raises for Acumatica's answers."""
    order_key = order_key_parse(store=store, key=key)
    local = local_order_for(store=store, order_key=order_key)
    notice = _store_notice(store)
    recorded = recorded_reasons(store=store).get(order_key.text)

    try:
        with acumatica_client_for(store, purpose="diagnosis", urgent=True) as client:
            record = live_record_read(client, order_key)
    except NotFound:
        return _not_found(store, order_key, local, recorded, notice)
    except (AcumaticaError, StoreClientUnavailable) as exc:
        error = acumatica_failure_text(exc)
        checks = [Check("Read from Acumatica", False, error)]
        checks += _local_checks(local, recorded)
        return Diagnosis(
            key=order_key,
            conclusion=f"{error} Only what is stored here can be checked.",
            checks=tuple(checks),
            local_order=local,
            store_notice=notice,
            error=error,
        )
    return _explain(store, order_key, record, local, recorded, notice)


def _explain(store, order_key, record, local, recorded, notice) -> Diagnosis:
    kind, mode = order_key.source_kind, order_key.mode
    checks = [Check("Found in Acumatica", True, f"{order_key.tried} exists.")]
    must_change: list[str] = []
    reasons: list[str] = []

    order_type, warehouse = store.order_type or "SO", store.default_warehouse
    outside = mode.out_of_scope(record, order_type=order_type, warehouse=warehouse)
    scope_name, scope_ok, scope_phrase = mode.scope(order_type=order_type, warehouse=warehouse)
    checks.append(
        Check(
            scope_name, not outside, f"{outside[0].upper()}{outside[1:]}." if outside else scope_ok
        )
    )
    if outside:
        reasons.append(outside)
        must_change.append(
            "Nothing to change on this order if it belongs to another store: the store only "
            f"imports {scope_phrase}. Check the "
            "store's settings if it should."
        )

    mapped, mapping_error = _map(record, kind)
    status = _status_of(record, kind, mapped)
    eligibility = _eligibility_checks(status)
    checks += [eligibility.status, eligibility.hold]
    if eligibility.reason:
        reasons.append(eligibility.reason)
        must_change.append(eligibility.fix)
    if not eligibility.hold.passed:
        reasons.append("it is on hold in Acumatica (the Hold box)")
        must_change.append("Release the hold in Acumatica (clear the Hold box).")

    if mapping_error:
        checks.append(Check("Data can be imported", False, f"It cannot: {mapping_error}."))
        reasons.append(f"its data cannot be imported: {mapping_error}")
        must_change.append(f"Correct it in Acumatica: {mapping_error}.")
    else:
        checks.append(
            Check("Data can be imported", True, "Every field the import needs is readable.")
        )

    eligible = not outside and eligibility.state == OrderStatus.READY and mapped is not None
    modified = record_last_modified(record, mode.last_modified_field)
    changed = local is not None and mapped is not None and local.payload_hash != mapped.payload_hash
    checks += _local_checks(local, recorded, changed=changed)
    cursor_check = None
    if local is None and eligible:
        cursor_check = _cursor_check(store, kind, modified)
        checks.append(cursor_check)
    checks.append(_store_check(store))

    # An order already here is worth re-reading only when Acumatica's copy changed (it may have
    # left eligibility: the import then records that too).
    can_import = store.status in IMPORTING_STORE_STATUSES and (
        (local is None and eligible) or (local is not None and changed and not outside)
    )
    conclusion = _conclusion(store, order_key, local, changed, reasons, recorded, cursor_check)
    return Diagnosis(
        key=order_key,
        conclusion=conclusion,
        checks=tuple(checks),
        found=True,
        eligible=eligible,
        local_order=local,
        can_import=can_import,
        must_change=tuple(dict.fromkeys(must_change)) if not eligible else (),
        store_notice=notice,
        record_status=status.erp_status,
        record_last_modified=modified,
    )


def _conclusion(store, order_key, local, changed, reasons, recorded, cursor_check) -> str:
    label = order_key.text
    if local is not None:
        text = f"{label} was imported: it is here, {local.get_status_display().lower()}"
        text += f" ({local.status_reason.rstrip('.')})." if local.status_reason else "."
        if changed:
            text += " It changed in Acumatica since; the next import updates it."
        return text
    if reasons:
        return f"{label} is not imported because {'; and '.join(reasons)}."
    if store.status not in IMPORTING_STORE_STATUSES:
        notice = _store_notice(store)
        return f"{label} is eligible, but {notice[0].lower()}{notice[1:]}"
    if recorded:
        return f"{label} is eligible now; import run {recorded.run_id} reported: {recorded.reason}"
    return f"{label} is eligible but not here yet. {cursor_check.detail}"


def _not_found(store, order_key, local, recorded, notice) -> Diagnosis:
    hint = order_key.mode.number_hint(order_type=store.order_type or "SO")
    detail = f"Acumatica has no record {order_key.tried}: {hint}."
    checks = [Check("Found in Acumatica", False, detail), *_local_checks(local, recorded)]
    conclusion = f"{order_key.text} is not in Acumatica (asked for {order_key.tried})."
    if local is not None:
        conclusion += " A copy imported earlier is here: it was deleted or renumbered there."
    return Diagnosis(
        key=order_key,
        conclusion=conclusion,
        checks=tuple(checks),
        local_order=local,
        store_notice=notice,
        must_change=(f"Look the number up in Acumatica and {hint}.",),
    )


def _map(record, kind) -> tuple[MappedOrder | None, str]:
    try:
        return mode_of(kind).map(record), ""
    except MappingError as exc:
        return None, exc.reason


def _status_of(record, kind, mapped: MappedOrder | None) -> _Status:
    if mapped is not None:
        return _Status(kind, mapped.erp_status, mapped.erp_hold)
    try:
        status = readers.raw(record, "Status")
    except MappingError:
        status = None
    try:
        hold = readers.boolean(record, "Hold")
    except MappingError:
        hold = False
    return _Status(kind, status if isinstance(status, str) else "", hold)


@dataclass(frozen=True)
class _Eligibility:
    status: Check
    hold: Check
    # The local status the import would give it (ready when eligible).
    state: str
    # When the status check fails: why, as a phrase, and what to do in Acumatica.
    reason: str = ""
    fix: str = ""


def _eligibility_checks(status: _Status) -> _Eligibility:
    """The status and the Hold box, each judged by ``source_state`` (the import's own rule)."""
    label = status.erp_status or "(none)"
    state = source_state(status)
    by_status = source_state(_Status(status.source_kind, status.erp_status, False))
    wanted = mode_of(status.source_kind).wanted_statuses
    hold = Check(
        "Hold",
        not status.erp_hold,
        "The Hold box is checked in Acumatica." if status.erp_hold else "Not on hold.",
    )
    if by_status.status == OrderStatus.READY:
        return _Eligibility(
            Check("Status", True, f"{label}: imported ({wanted})."), hold, state.status
        )
    if by_status.status == OrderStatus.ON_HOLD_AT_SOURCE:
        reason = f"its status is {label}, a hold status"
        fix = f"Release it from {label} in Acumatica (it must be {wanted})."
    elif by_status.status == OrderStatus.CANCELLED_AT_SOURCE:
        reason = f"it is {label} in Acumatica"
        fix = (
            "Nothing to ship: it was cancelled in Acumatica (re-enter it there if it should ship)."
        )
    else:
        reason = f"its status is {label}"
        fix = f"Only {wanted} is imported: if it should still ship, reopen it in Acumatica."
    check = Check("Status", False, f"{reason[0].upper()}{reason[1:]}: only {wanted} is imported.")
    return _Eligibility(check, hold, state.status, reason, fix)


def _local_checks(local: Order | None, recorded, *, changed: bool = False) -> list[Check]:
    checks = []
    if local is None:
        checks.append(Check("Already imported", None, "Not here: no order with this key."))
    else:
        detail = (
            f"Yes, on {local.imported_at:%Y-%m-%d %H:%M}; now {local.get_status_display()}"
            + (f" — {local.status_reason.rstrip('.')}" if local.status_reason else "")
            + "."
        )
        if changed:
            detail += " Acumatica's copy changed since the last import."
        checks.append(Check("Already imported", True, detail, order_id=local.pk))
    if recorded:
        run_id, reason, started = recorded
        checks.append(
            Check(
                "Recorded by an import run",
                False if local is None else None,
                f"Run {run_id} ({started:%Y-%m-%d %H:%M}): {reason}",
                run_id=run_id,
            )
        )
    return checks


def import_watermark(*, store: StoreConnection, source_kind: str) -> dt.datetime | None:
    """The oldest LastModified the store's next incremental import reads (its cursor less the
    lookback), or None while no import has finished a scan: a record last changed before it is
    not read again until it changes."""
    cursor = import_cursor_of(store=store, source_kind=source_kind)
    return None if cursor is None else cursor - conf.lookback()


def _cursor_check(store, kind, modified: dt.datetime | None) -> Check:
    lower_bound = import_watermark(store=store, source_kind=kind)
    name = "Changed since the last import"
    if lower_bound is None:
        return Check(name, None, "No import of this store has finished a scan yet.")
    if modified is None:
        return Check(name, None, "Acumatica gives no last-modified time for it.")
    if modified >= lower_bound:
        return Check(
            name,
            True,
            f"It last changed at {modified:%Y-%m-%d %H:%M:%S %Z}, after the import's watermark "
            f"({lower_bound:%Y-%m-%d %H:%M:%S %Z}): the next import picks it up.",
        )
    return Check(
        name,
        False,
        f"It last changed at {modified:%Y-%m-%d %H:%M:%S %Z}, before the import's watermark "
        f"({lower_bound:%Y-%m-%d %H:%M:%S %Z}). Imports only read what changed since, so it was "
        "probably not eligible when it was last read and has not changed since: import it now "
        "(or re-scan).",
    )


def _store_check(store: StoreConnection) -> Check:
    if store.status in IMPORTING_STORE_STATUSES:
        return Check("Store imports", True, f"{store.name} is {store.get_status_display()}.")
    return Check("Store imports", False, _store_notice(store))


def _store_notice(store: StoreConnection) -> str:
    if store.status == StoreStatus.DRAFT:
        return "The store is a draft: nothing is imported until it is activated."
    if store.status == StoreStatus.PAUSED:
        return "Imports of this store are paused: nothing is imported until it is resumed."
    return ""


def recorded_reasons(*, store: StoreConnection) -> dict[str, RecordedReason]:
    """Key text ("SO 000123") → what the newest of the store's recent runs (``RECENT_RUNS``)
    that names it among its skipped records or failures said of it, in one query."""
    recorded: dict[str, RecordedReason] = {}
    runs = (
        ImportRun.objects.filter(store=store)
        .order_by("-started_at", "-id")
        .values_list("id", "started_at", "failures", "skipped_reasons")[:RECENT_RUNS]
    )
    for run_id, started, failures, skipped in runs:
        for item in [*(failures or []), *(skipped or [])]:
            if isinstance(item, dict) and item.get("key"):
                # Newest run first: the first answer for a key is the latest.
                recorded.setdefault(
                    str(item["key"]), RecordedReason(run_id, str(item.get("reason", "")), started)
                )
    return recorded

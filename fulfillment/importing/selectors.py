"""Reads of imports: which runs a user may see and which stores are due for an import."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from stores.access import merchant_ids_for
from stores.models import AcumaticaCall, StoreConnection, StoreStatus

from ..models import ImportCursor, ImportRun, ImportRunStatus, ImportState, ImportTrigger, Order
from ..modes import mode_for, mode_of
from . import conf, lease


def import_runs_for(user) -> QuerySet[ImportRun]:
    """Import runs of the merchants the user may see (every merchant for 3PL staff)."""
    ids = merchant_ids_for(user)
    runs = ImportRun.objects.select_related("store", "store__merchant")
    return runs if ids is None else runs.filter(store__merchant_id__in=ids)


def store_import_due(store: StoreConnection, state: ImportState, now: dt.datetime) -> bool:
    """Due when its interval has passed since the last import was enqueued or started, it is not
    backing off after a failure, and no import of it is running. Two things come before the
    interval: a failed run is tried again when its backoff ends (``next_attempt_at``: soon after
    "every seat in use", longer after errors), and a run that started and never finished (its
    worker was killed) as soon as its lease ran out. Either continues from the last committed
    page."""
    if lease.is_held(state, now):
        return False
    if state.next_attempt_at and state.next_attempt_at > now:
        return False
    if _retry_pending(state) or _cut_off(state):
        return True
    last = waiting_since(state)
    interval = dt.timedelta(minutes=max(1, store.import_interval_minutes or 5))
    return last is None or now >= last + interval


def waiting_since(state: ImportState) -> dt.datetime | None:
    """When the store's last import was enqueued or started (None: never)."""
    return max((t for t in (state.last_enqueued_at, state.last_started_at) if t), default=None)


def _retry_pending(state: ImportState) -> bool:
    """The last run failed and no import was queued since."""
    finished = state.last_finished_at
    if not state.consecutive_failures or finished is None:
        return False
    return state.last_enqueued_at is None or state.last_enqueued_at <= finished


def _cut_off(state: ImportState) -> bool:
    started, finished = state.last_started_at, state.last_finished_at
    if started is None or (finished is not None and finished >= started):
        return False
    # Queued again since it started: that job is on its way (or was lost with it; the
    # interval then brings it back).
    return state.last_enqueued_at is None or state.last_enqueued_at <= started


def run_order_ids(run: ImportRun) -> dict[str, int]:
    """Key text ("SO 000123", "000045") -> local order id, for the records the run skipped or
    failed that are orders here."""
    keys = {
        str(item.get("key", ""))
        for item in [*(run.skipped_reasons or []), *(run.failures or [])]
        if isinstance(item, dict)
    }
    mode = mode_of(run.source_kind)
    wanted = [tuple(key.split(" ")) for key in keys if key]
    found = Order.objects.filter(
        store_id=run.store_id, source_kind=run.source_kind, **mode.key_filter(wanted)
    ).values(*mode.order_key_fields, "id")
    ids = {" ".join(mode.order_key(row)): row["id"] for row in found}
    return {key: pk for key, pk in ids.items() if key in keys}


def import_overview(store: StoreConnection) -> dict:
    """What the "run now" and re-scan pages say about the store's imports right now."""
    runs = ImportRun.objects.filter(store=store).exclude(trigger=ImportTrigger.ORDER)
    state = lease.import_state_for(store.pk)
    reads, each_record = mode_for(store).reads(
        order_type=store.order_type or "SO", warehouse=store.default_warehouse
    )
    mode = mode_for(store)
    cursor = ImportCursor.objects.filter(store=store, source_kind=mode.source_kind).first()
    lookback = conf.lookback()
    return {
        # Where incremental imports stand: everything changed before the cursor is here; the
        # next scan asks from cursor - lookback; a scan in progress resumes at its checkpoint.
        "cursor": cursor,
        "lookback_minutes": round(lookback.total_seconds() / 60, 1),
        "next_scan_from": cursor.cursor - lookback if cursor and cursor.cursor else None,
        "last_run": runs.exclude(status=ImportRunStatus.RUNNING).first(),
        "running_run": runs.filter(status=ImportRunStatus.RUNNING).first(),
        "lease_held": lease.is_held(state, timezone.now()),
        "import_state": state,
        "can_import": store.status != StoreStatus.DRAFT,
        "reads": reads,
        "each_record": each_record,
    }


def import_runs_filtered(runs: QuerySet[ImportRun], *, store="", status="", trigger=""):
    """The import runs list's filters. Unknown values select nothing rather than fail: a stale
    link shows an empty list."""
    if str(store).isdigit():
        runs = runs.filter(store_id=int(store))
    if status:
        runs = runs.filter(status=status)
    if trigger:
        runs = runs.filter(trigger=trigger)
    return runs


# The purpose a run's Acumatica calls are recorded under.
_CALL_PURPOSE = {ImportTrigger.ORDER: "single import"}


def import_run_calls(run: ImportRun) -> QuerySet[AcumaticaCall]:
    """The Acumatica calls the run made, in order."""
    return AcumaticaCall.objects.filter(
        store_id=run.store_id,
        at__gte=run.started_at,
        at__lte=run.finished_at or timezone.now(),
        purpose=_CALL_PURPOSE.get(run.trigger, "import"),
    ).order_by("at", "id")

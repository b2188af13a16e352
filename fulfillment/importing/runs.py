"""Import runs outside the scans (one order now, the keys a push notification names): how they
start, write what they read, and end. They take no lease and leave the cursor alone: the
binder's upsert on the order's key makes them safe beside a running scan."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from stores.models import StoreConnection

from ..models import ImportCursor, ImportRun, ImportRunStatus
from ..modes import Mode
from .binder import PageResult, map_records, write_orders


def import_cursor_of(*, store: StoreConnection, source_kind: str):
    """The store's import watermark for this kind of record (None before the first scan)."""
    return (
        ImportCursor.objects.filter(store=store, source_kind=source_kind)
        .values_list("cursor", flat=True)
        .first()
    )


def run_start(*, store: StoreConnection, mode: Mode, trigger: str, scan: str) -> ImportRun:
    cursor = import_cursor_of(store=store, source_kind=mode.source_kind)
    return ImportRun.objects.create(
        store=store,
        trigger=trigger,
        source_kind=mode.source_kind,
        scan=scan,
        started_at=timezone.now(),
        cursor_before=cursor,
        cursor_after=cursor,
    )


def records_apply(
    *, store: StoreConnection, run: ImportRun, mode: Mode, records: list[dict[str, Any]]
) -> PageResult:
    """Map and write records read live, as one page of the run, through the scans' mapper and
    binder."""
    result = PageResult()
    orders = map_records(records, mode, result)
    with transaction.atomic():
        write_orders(store=store, run=run, orders=orders, result=result, now=timezone.now())
        run.pages += 1
        for name in ("created", "updated", "unchanged", "skipped", "failed"):
            setattr(run, name, getattr(run, name) + getattr(result, name))
        run.skipped_reasons = [*(run.skipped_reasons or []), *result.skipped_reasons]
        run.failures = [*(run.failures or []), *result.failures]
        run.save()
    return result


def run_finish(
    run: ImportRun,
    client,
    *,
    skipped: tuple[str, str] | None = None,
    error: tuple[str, str] | None = None,
) -> None:
    run.finished_at = timezone.now()
    if client is not None:
        run.acumatica_requests = client.request_count
    if skipped:
        run.skipped = 1
        run.skipped_reasons = [{"key": skipped[0], "reason": skipped[1]}]
    if error:
        run.status = ImportRunStatus.FAILED
        run.error, run.error_cause = error
    elif run.status == ImportRunStatus.RUNNING:
        run.status = ImportRunStatus.SUCCEEDED
    run.save()

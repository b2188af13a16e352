"""Writes on reconciliation reports: ask for one (on demand, daily for every active store, or in
the foreground), run one (the job), backfill a selection of its differences, prune old ones.

The comparing is ``fulfillment.reconciliation``'s; this module keeps what it found, per report
and per difference, with what each backfill did. Jobs take ids and are safe to run twice: a
report is claimed (queued → running) before it runs, a difference (queued → done) before it
is backfilled."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fulfillment.jobs import (
    RECONCILE_BACKFILL,
    RECONCILE_STORE,
    RECONCILE_STORE_NOW,
    enqueue_after_commit,
)
from fulfillment.reconciliation import (
    ReconciliationFailed,
    daily_window,
    difference_backfill,
    reconcile_store,
    retention,
)
from stores.audit import audit_record
from stores.models import AuditEntry, StoreConnection, StoreStatus

from .models import (
    BackfillState,
    ReconciliationDifference,
    ReconciliationReport,
    ReportStatus,
    ReportTrigger,
)

logger = logging.getLogger("connector.console")

# A report still "running" this long after it started lost its worker: it may be run again.
STALE_RUN = dt.timedelta(minutes=30)
# The daily job queues a store at most once in this long (a delivery twice, a beat restart).
DAILY_SPACING = dt.timedelta(hours=20)
ROWS_BATCH = 1000
_RECONCILABLE = (StoreStatus.ACTIVE, StoreStatus.NEEDS_ATTENTION, StoreStatus.PAUSED)


def reconciliation_request(
    *,
    store: StoreConnection,
    since: dt.datetime | None,
    until: dt.datetime | None = None,
    actor=None,
    via: str = AuditEntry.Via.CONSOLE,
) -> ReconciliationReport:
    """ "Reconcile" on the store page: a queued report, run on the interactive queue once the
    transaction commits. Audited. Raises ValidationError for a window that cannot be."""
    until = _window_checked(store, since, until)
    report = ReconciliationReport.objects.create(
        store=store,
        trigger=ReportTrigger.MANUAL,
        requested_by=actor if getattr(actor, "pk", None) else None,
        window_since=since,
        window_until=until,
    )
    audit_record(
        actor=actor,
        action="reconciliation.request",
        summary=f"Reconciliation of {store.name} requested ({_window_text(since, until)}).",
        store=store,
        target=store,
        after={"report": report.pk, "since": _iso(since), "until": _iso(until)},
        via=via,
    )
    enqueue_after_commit(RECONCILE_STORE_NOW, report.pk)
    return report


def reconciliations_schedule(*, now: dt.datetime | None = None) -> list[int]:
    """The daily job: a report over the last ``daily_window()`` for every active store not
    reconciled by the schedule in the last 20 hours; returns the new reports' ids. Prunes old
    reports too."""
    now = now or timezone.now()
    reconciliations_prune(now=now)
    recent = ReconciliationReport.objects.filter(
        trigger=ReportTrigger.SCHEDULE, created_at__gt=now - DAILY_SPACING
    ).values("store_id")
    queued = []
    for store in StoreConnection.objects.filter(status=StoreStatus.ACTIVE).exclude(pk__in=recent):
        report = ReconciliationReport.objects.create(
            store=store,
            trigger=ReportTrigger.SCHEDULE,
            window_since=now - daily_window(),
            window_until=now,
            created_at=now,
        )
        enqueue_after_commit(RECONCILE_STORE, report.pk)
        queued.append(report.pk)
    return queued


def reconciliation_run(*, report_id: int) -> ReconciliationReport | None:
    """Run a queued report now, in this thread (the jobs, the command). None when there is
    nothing to do: it is gone, finished, or running elsewhere."""
    now = timezone.now()
    claimed = (
        ReconciliationReport.objects.filter(pk=report_id)
        .filter(
            Q(status=ReportStatus.QUEUED)
            | Q(status=ReportStatus.RUNNING, started_at__lt=now - STALE_RUN)
        )
        .update(status=ReportStatus.RUNNING, started_at=now)
    )
    if not claimed:
        return None
    report = ReconciliationReport.objects.select_related("store", "requested_by").get(pk=report_id)
    try:
        result = reconcile_store(
            store=report.store,
            since=report.window_since,
            until=report.window_until,
            actor=report.requested_by,
            urgent=report.trigger != ReportTrigger.SCHEDULE,
        )
    except (ReconciliationFailed, ValueError) as exc:
        return _failed(report, str(exc))
    except Exception as exc:
        logger.exception("reconciliation %s of store %s failed", report.pk, report.store_id)
        return _failed(report, f"The reconciliation failed unexpectedly: {exc}")
    comparison = result.comparison
    with transaction.atomic():
        report.differences.all().delete()  # a stale run's rows, if it wrote any
        rows = (
            ReconciliationDifference(
                report=report,
                kind=d.kind,
                document=d.document[:200],
                order_id=d.order_id,
                fulfillment_id=d.fulfillment_id,
                source_status=d.source_status[:100],
                reason=d.reason,
                detail=dict(d.detail),
            )
            for d in comparison.differences
        )
        _bulk_create(rows)
        counts: dict[str, int] = {}
        for d in comparison.differences:
            counts[d.kind] = counts.get(d.kind, 0) + 1
        report.status = ReportStatus.FINISHED
        report.source_kind = result.source_kind
        report.counts = comparison.counts
        report.difference_counts = counts
        report.acumatica_requests = result.acumatica_requests
        report.keys_read = result.keys_read
        report.finished_at = timezone.now()
        report.error = ""
        report.save()
    return report


def reconciliation_backfill_request(
    *, report: ReconciliationReport, row_ids: Iterable[int], actor=None, via=AuditEntry.Via.CONSOLE
) -> list[int]:
    """ "Backfill selected": the report's differences among ``row_ids`` that are not fixed or
    queued already are queued, fixed one by one on the interactive queue. Audited; returns
    the ids queued."""
    if report.status != ReportStatus.FINISHED:
        raise ValidationError("The report has not finished: nothing to backfill yet.")
    wanted = {int(i) for i in row_ids}
    if not wanted:
        raise ValidationError("Select at least one difference to backfill.")
    with transaction.atomic():
        rows = report.differences.filter(pk__in=wanted).exclude(
            backfill_state__in=(BackfillState.QUEUED, BackfillState.FIXED)
        )
        ids = sorted(rows.values_list("pk", flat=True))
        if not ids:
            raise ValidationError("The selected differences are fixed or queued already.")
        ReconciliationDifference.objects.filter(pk__in=ids).update(
            backfill_state=BackfillState.QUEUED, backfill_outcome=""
        )
        audit_record(
            actor=actor,
            action="reconciliation.backfill",
            summary=(
                f"Backfill of {len(ids)} difference(s) of reconciliation {report.pk} of "
                f"{report.store.name} requested."
            ),
            store=report.store,
            target=report.store,
            after={"report": report.pk, "differences": ids},
            via=via,
        )
        actor_id = actor.pk if getattr(actor, "pk", None) else None
        enqueue_after_commit(RECONCILE_BACKFILL, report.pk, ids, actor_id)
    return ids


def reconciliation_backfill_run(
    *, report_id: int, row_ids: Iterable[int], actor_id: int | None = None, via: str = "console"
) -> list[ReconciliationDifference]:
    """Fix each queued difference of ``row_ids`` now, in this thread (the job, the command);
    each one's outcome is saved on its row. Returns the rows done."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    done = []
    rows = ReconciliationDifference.objects.filter(
        report_id=report_id, pk__in=list(row_ids), backfill_state=BackfillState.QUEUED
    ).select_related("report__store")
    for row in rows.order_by("id"):
        # Claimed before it is fixed: a job delivered twice fixes each difference once.
        claimed = ReconciliationDifference.objects.filter(
            pk=row.pk, backfill_state=BackfillState.QUEUED
        ).update(backfill_state=BackfillState.NOT_FIXED, backfill_outcome="Running…")
        if not claimed:
            continue
        try:
            outcome = difference_backfill(
                store=row.report.store,
                kind=row.kind,
                document=row.document,
                order_id=row.order_id,
                fulfillment_id=row.fulfillment_id,
                actor=actor,
                via=via,
            )
            state = BackfillState.FIXED if outcome.fixed else BackfillState.NOT_FIXED
            text = outcome.text
        except Exception as exc:
            logger.exception("backfill of reconciliation difference %s failed", row.pk)
            state, text = BackfillState.NOT_FIXED, f"The backfill failed unexpectedly: {exc}"
        row.backfill_state, row.backfill_outcome = state, text
        row.backfilled_at, row.backfilled_by = timezone.now(), actor
        row.save(
            update_fields=["backfill_state", "backfill_outcome", "backfilled_at", "backfilled_by"]
        )
        done.append(row)
    return done


def reconciliation_backfill_now(
    *, report: ReconciliationReport, kinds: Iterable[str], actor=None
) -> list[ReconciliationDifference]:
    """``manage.py reconcile --backfill``: every difference of these kinds, in the foreground."""
    rows = report.differences.filter(kind__in=list(kinds)).exclude(
        backfill_state=BackfillState.FIXED
    )
    ids = list(rows.values_list("pk", flat=True))
    ReconciliationDifference.objects.filter(pk__in=ids).update(backfill_state=BackfillState.QUEUED)
    return reconciliation_backfill_run(
        report_id=report.pk,
        row_ids=ids,
        actor_id=getattr(actor, "pk", None),
        via=AuditEntry.Via.CLI,
    )


def reconciliation_run_now(
    *,
    store: StoreConnection,
    since: dt.datetime | None,
    until: dt.datetime | None = None,
    trigger: str = ReportTrigger.COMMAND,
) -> ReconciliationReport:
    """A report made and run in the foreground (``manage.py reconcile``)."""
    until = _window_checked(store, since, until)
    report = ReconciliationReport.objects.create(
        store=store, trigger=trigger, window_since=since, window_until=until
    )
    return reconciliation_run(report_id=report.pk) or report


def reconciliations_prune(*, now: dt.datetime | None = None) -> int:
    """Delete reports older than CONNECTOR_RECONCILIATION_RETENTION_DAYS; returns how many."""
    now = now or timezone.now()
    _deleted, by_model = ReconciliationReport.objects.filter(
        created_at__lt=now - retention()
    ).delete()
    return by_model.get(ReconciliationReport._meta.label, 0)


def _window_checked(store, since, until) -> dt.datetime:
    now = timezone.now()
    until = until or now
    for moment in (since, until):
        if moment is not None and timezone.is_naive(moment):
            raise ValidationError("Give times with their time zone.")
    if since is not None and since > until:
        raise ValidationError("The window ends before it starts: pick a 'from' before the 'to'.")
    if since is not None and since > now:
        raise ValidationError("The window starts in the future: pick a 'from' in the past.")
    if store.status not in _RECONCILABLE:
        raise ValidationError(
            f"{store.name} is {store.get_status_display().lower()}: test the connection and "
            "activate it before reconciling."
        )
    return until


def _failed(report: ReconciliationReport, error: str) -> ReconciliationReport:
    report.status = ReportStatus.FAILED
    report.error = error
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "error", "finished_at"])
    return report


def _bulk_create(rows) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == ROWS_BATCH:
            ReconciliationDifference.objects.bulk_create(batch)
            batch = []
    if batch:
        ReconciliationDifference.objects.bulk_create(batch)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _window_text(since, until) -> str:
    start = f"{timezone.localtime(since):%Y-%m-%d %H:%M}" if since else "the beginning"
    return f"from {start} to {timezone.localtime(until):%Y-%m-%d %H:%M}"

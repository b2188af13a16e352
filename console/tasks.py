"""Alert jobs, run by beat (connector/celery.py): both read the current state, so running one
twice, or late, is harmless."""

from celery import shared_task

from .alerts import alerts_evaluate
from .notify import alert_emails_send


@shared_task(name="console.evaluate_alerts")
def evaluate_alerts() -> int:
    """Open, refresh and close alerts; returns how many changed (opened or closed)."""
    result = alerts_evaluate()
    return len(result.opened) + len(result.closed)


@shared_task(name="console.send_alert_emails")
def send_alert_emails() -> int:
    """Email the batch of new and resolved alerts if it is due; returns the emails sent."""
    return alert_emails_send()


# --- Reconciliation (console.reconciliation); job names and queues in fulfillment.jobs ----------


@shared_task(name="console.reconcile_stores")
def reconcile_stores() -> int:
    """Sent by beat once a day: a reconciliation report for every active store (and old
    reports pruned); returns how many were queued."""
    from .reconciliation.services import reconciliations_schedule

    return len(reconciliations_schedule())


@shared_task(name="console.reconcile_store")
def reconcile_store(report_id: int) -> None:
    """Run one queued report (the daily ones); safe to run twice (the report is claimed)."""
    from .reconciliation.services import reconciliation_run

    reconciliation_run(report_id=report_id)


@shared_task(name="console.reconcile_store_now")
def reconcile_store_now(report_id: int) -> None:
    """``reconcile_store`` asked for by a person: the same run, on the interactive queue."""
    reconcile_store(report_id)


@shared_task(name="console.reconcile_backfill")
def reconcile_backfill(report_id: int, row_ids: list[int], actor_id: int | None = None) -> int:
    """Backfill the selected differences of a report; each one is claimed, so a job delivered
    twice fixes each once. Returns how many were done."""
    from .reconciliation.services import reconciliation_backfill_run

    return len(reconciliation_backfill_run(report_id=report_id, row_ids=row_ids, actor_id=actor_id))

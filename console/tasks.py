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

"""Alert jobs. Placeholder: being written."""

from celery import shared_task


@shared_task(name="console.evaluate_alerts")
def evaluate_alerts() -> int:
    return 0


@shared_task(name="console.send_alert_emails")
def send_alert_emails() -> int:
    return 0

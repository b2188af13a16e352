from celery import shared_task

from .services import heartbeat_record


@shared_task(name="connector.record_heartbeat")
def record_heartbeat(component: str = "scheduler") -> None:
    """Sent by beat every minute and run by a worker: its row proves both are alive."""
    heartbeat_record(component=component)

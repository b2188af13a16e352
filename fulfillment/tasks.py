"""Import and write-back jobs. Thin: each one calls a service. All are safe to run twice.
Services queue them by name (``fulfillment.jobs``), never by importing this module."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import jobs
from .importing import import_store_run, imports_enqueue_due
from .models import ImportTrigger
from .push.services import push_import, push_imports_requeue_lost
from .writeback.engine import writeback_run
from .writeback.services import writeback_dispatch_due


@shared_task(name=jobs.SCHEDULE_IMPORTS)
def schedule_imports() -> int:
    """Sent by beat every 30 s: queue an import for each active store that is due, and a push
    import again for each store whose queued one was lost."""
    push_imports_requeue_lost()
    return len(imports_enqueue_due())


@shared_task(name=jobs.IMPORT_STORE)
def import_store(
    store_id: int,
    trigger: str = ImportTrigger.SCHEDULE,
    requested_at: str | None = None,
    since: str | None = None,
) -> None:
    import_store_run(
        store_id=store_id,
        trigger=trigger,
        requested_at=dt.datetime.fromisoformat(requested_at) if requested_at else None,
        since=dt.datetime.fromisoformat(since) if since else None,
    )


@shared_task(name=jobs.IMPORT_STORE_NOW)
def import_store_now(
    store_id: int,
    trigger: str = ImportTrigger.MANUAL,
    requested_at: str | None = None,
    since: str | None = None,
) -> None:
    """``import_store`` asked for by a person: the same run, on the interactive queue."""
    import_store(store_id, trigger, requested_at, since)


@shared_task(name=jobs.WRITE_BACK)
def write_back(fulfillment_id: int) -> None:
    """Write one fulfillment back to Acumatica; safe to run twice (see fulfillment.writeback)."""
    writeback_run(fulfillment_id=fulfillment_id)


@shared_task(name=jobs.DISPATCH_WRITEBACKS)
def dispatch_writebacks() -> int:
    """Sent by beat every 30 s: queue the write-backs that are due and that no worker holds
    (tasks lost with a worker, back-off timers that ran out, held ones to look at again)."""
    return len(writeback_dispatch_due())


@shared_task(name=jobs.PUSH_IMPORT)
def import_pushed(notification_id: int) -> None:
    """Import the records one push notification names (queued when it was received)."""
    push_import(notification_id=notification_id)


# --- Events to the warehouse (fulfillment.events) --------------------------------------------


@shared_task(name=jobs.DELIVER_EVENT)
def deliver_event(delivery_id: int) -> None:
    """POST one event to one subscription; safe to run twice (a lease, and a delivered or
    failed delivery is left alone)."""
    from .events.deliver import delivery_send

    delivery_send(delivery_id=delivery_id)


@shared_task(name=jobs.DISPATCH_EVENTS)
def dispatch_events() -> int:
    """Sent by beat every 30 s: queue due deliveries whose job was lost or whose back-off was
    too long for a job of its own; give feed positions to committed events."""
    from .events.dispatch import deliveries_dispatch_due

    return len(deliveries_dispatch_due())

"""Queueing fulfillment jobs by name, once the current transaction commits.

Services ask for background work here; ``fulfillment.tasks`` defines the jobs under these
names and calls the services. Neither imports the other, so services never depend on task code
and the job a service asks for is always the one a worker runs. Queued after commit: a
rolled-back change never starts a job, and a committed one is never forgotten (the outbox and
the scheduler's own bookkeeping are already written by then).
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction

SCHEDULE_IMPORTS = "fulfillment.schedule_imports"
IMPORT_STORE = "fulfillment.import_store"
# The same import asked for by a person ("run now", a re-scan): the interactive queue.
IMPORT_STORE_NOW = "fulfillment.import_store_now"
WRITE_BACK = "fulfillment.write_back"
DISPATCH_WRITEBACKS = "fulfillment.dispatch_writebacks"
PUSH_IMPORT = "fulfillment.push_import"
# Reconciliation (console.reconciliation; its tasks are the console's: it keeps the reports).
RECONCILE_STORES = "console.reconcile_stores"
RECONCILE_STORE = "console.reconcile_store"
RECONCILE_STORE_NOW = "console.reconcile_store_now"
RECONCILE_BACKFILL = "console.reconcile_backfill"
# Events to the warehouse's webhooks (fulfillment.events): one delivery, and the sweep.
DELIVER_EVENT = "fulfillment.deliver_event"
DISPATCH_EVENTS = "fulfillment.dispatch_events"

# Queues (CELERY_TASK_ROUTES in settings): work a person or Acumatica is waiting for goes to
# "interactive", ahead of the bulk "import" and "writeback" queues; housekeeping to "celery".
INTERACTIVE_QUEUE = "interactive"
IMPORT_QUEUE = "import"
WRITEBACK_QUEUE = "writeback"
# Webhook deliveries wait on the warehouse's servers, not Acumatica: a queue of their own, so a
# slow receiver never delays an import or a write-back.
EVENTS_QUEUE = "events"
ROUTES = {
    IMPORT_STORE_NOW: INTERACTIVE_QUEUE,
    PUSH_IMPORT: INTERACTIVE_QUEUE,
    SCHEDULE_IMPORTS: IMPORT_QUEUE,
    IMPORT_STORE: IMPORT_QUEUE,
    WRITE_BACK: WRITEBACK_QUEUE,
    DISPATCH_WRITEBACKS: WRITEBACK_QUEUE,
    RECONCILE_STORES: IMPORT_QUEUE,
    RECONCILE_STORE: IMPORT_QUEUE,
    RECONCILE_STORE_NOW: INTERACTIVE_QUEUE,
    RECONCILE_BACKFILL: INTERACTIVE_QUEUE,
    DELIVER_EVENT: EVENTS_QUEUE,
    DISPATCH_EVENTS: EVENTS_QUEUE,
}


def enqueue_after_commit(name: str, *args, delay: float = 0) -> None:
    """Queue job ``name`` with ``args`` (JSON values) when the current transaction commits, or
    at once outside one. A job registered in this process is sent through its task object, so
    Celery's eager mode and routing apply as for ``task.delay``."""
    if delay > 0:
        transaction.on_commit(lambda: send_later(name, args, delay))
    else:
        transaction.on_commit(lambda: send(name, args))


def send(name: str, args: tuple) -> None:
    """Hand job ``name`` to the broker now."""
    current_app.signature(name, args=args).delay()


def send_later(name: str, args: tuple, delay: float) -> None:
    """Hand job ``name`` to the broker, to run ``delay`` seconds from now."""
    current_app.signature(name, args=args).apply_async(countdown=delay)

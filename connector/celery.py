"""The Celery app. Configuration comes from Django settings (``CELERY_*``); periodic tasks are
declared in one place, ``BEAT_SCHEDULE`` below."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_init

from fulfillment.jobs import ROUTES
from stores.jobs import ROUTES as STORES_ROUTES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connector.settings")

app = Celery("connector")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic task, in one place.
BEAT_SCHEDULE = {
    "scheduler-heartbeat": {"task": "connector.record_heartbeat", "schedule": 60.0},
    # Queues an import for each active store whose own interval has passed.
    "fulfillment-schedule-imports": {"task": "fulfillment.schedule_imports", "schedule": 30.0},
    # Queues write-backs that are due and not held by a worker (lost tasks, back-off timers).
    "fulfillment-dispatch-writebacks": {
        "task": "fulfillment.dispatch_writebacks",
        "schedule": 30.0,
    },
    # Queues webhook deliveries that are due and not held (lost jobs, long back-offs) and gives
    # feed positions to committed events.
    "fulfillment-dispatch-events": {"task": "fulfillment.dispatch_events", "schedule": 30.0},
    # Opens, refreshes and closes alerts from the state of stores, imports and write-backs.
    "console-evaluate-alerts": {"task": "console.evaluate_alerts", "schedule": 15.0},
    # Emails new and closed alerts, batched (CONNECTOR_ALERT_EMAIL_BATCH_SECONDS).
    "console-send-alert-emails": {"task": "console.send_alert_emails", "schedule": 60.0},
    # Forgets Acumatica call records past their retention (CONNECTOR_CALL_RETENTION_DAYS).
    "stores-prune-calls": {"task": "stores.prune_calls", "schedule": 3600.0},
    # Reminds once when a store's Client Secret or password passes CONNECTOR_SECRET_MAX_AGE_DAYS.
    "stores-remind-old-secrets": {"task": "stores.remind_old_secrets", "schedule": 6 * 3600.0},
    # Deletes drafts a wizard left unfinished (CONNECTOR_DRAFT_ABANDONED_DAYS), audited.
    "stores-remove-abandoned-drafts": {
        "task": "stores.remove_abandoned_drafts",
        "schedule": 86400.0,
    },
    # Reconciles every active store over the last day once a day, and prunes old reports
    # (CONNECTOR_RECONCILIATION_WINDOW_HOURS, CONNECTOR_RECONCILIATION_RETENTION_DAYS).
    "console-reconcile-stores": {"task": "console.reconcile_stores", "schedule": 86400.0},
}
app.conf.beat_schedule = BEAT_SCHEDULE


# Queues per job, declared beside the job names. A worker takes the queues given with -Q
# (bin/run's demo worker takes them all; README "Deploying" shows a worker per queue).
app.conf.task_routes = {
    name: {"queue": queue} for name, queue in {**ROUTES, **STORES_ROUTES}.items()
}


@worker_init.connect
def _refuse_to_start_without_working_credentials_key(**kwargs) -> None:
    """A worker that cannot decrypt stored secrets would fail every job; fail at start instead."""
    from stores.checks import credentials_key_errors

    errors = credentials_key_errors()
    if errors:
        raise SystemExit("Refusing to start: " + " ".join(errors))

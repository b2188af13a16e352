"""Store jobs."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings

from . import jobs
from .calls import calls_prune
from .connection_test_runs import store_connection_test_execute
from .drafts import drafts_abandoned_remove
from .secret_age import secret_age_reminders_send

logger = logging.getLogger("connector.stores")


@shared_task(name="stores.prune_calls")
def prune_calls() -> int:
    """Hourly (beat): forget Acumatica call records past CONNECTOR_CALL_RETENTION_DAYS."""
    days = settings.CONNECTOR_CALL_RETENTION_DAYS
    deleted = calls_prune(older_than=dt.timedelta(days=days))
    logger.info("pruned %d Acumatica call records older than %d days", deleted, days)
    return deleted


@shared_task(name="stores.remind_old_secrets")
def remind_old_secrets() -> int:
    """Every few hours (beat): one reminder per store whose Client Secret or password passed
    CONNECTOR_SECRET_MAX_AGE_DAYS since it was entered."""
    return secret_age_reminders_send()


@shared_task(name="stores.remove_abandoned_drafts")
def remove_abandoned_drafts() -> int:
    """Daily (beat): delete drafts a wizard left unfinished for CONNECTOR_DRAFT_ABANDONED_DAYS."""
    removed = drafts_abandoned_remove()
    logger.info("removed %d abandoned drafts", removed)
    return removed


@shared_task(name=jobs.RUN_CONNECTION_TEST)
def run_connection_test(run_id: int) -> str:
    """A connection test a person started from a page (interactive queue): safe to run twice,
    the second delivery finds the run taken."""
    run = store_connection_test_execute(run_id=run_id)
    return run.status if run is not None else "not taken"

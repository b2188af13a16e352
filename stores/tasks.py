"""Store jobs."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings

from .calls import calls_prune

logger = logging.getLogger("connector.stores")


@shared_task(name="stores.prune_calls")
def prune_calls() -> int:
    """Hourly (beat): forget Acumatica call records past CONNECTOR_CALL_RETENTION_DAYS."""
    days = settings.CONNECTOR_CALL_RETENTION_DAYS
    deleted = calls_prune(older_than=dt.timedelta(days=days))
    logger.info("pruned %d Acumatica call records older than %d days", deleted, days)
    return deleted

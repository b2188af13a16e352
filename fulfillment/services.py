"""Writes on imports. Tasks, views and commands call these and nothing below them."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stores.models import StoreConnection, StoreStatus

from . import selectors
from .importing import lease
from .importing.sync import import_run
from .models import ImportRun, ImportState, ImportTrigger

logger = logging.getLogger("connector.fulfillment")


def import_store_run(
    *,
    store_id: int,
    trigger: str,
    full: bool = False,
    since: dt.datetime | None = None,
    requested_at: dt.datetime | None = None,
) -> ImportRun | None:
    """Run one import of the store in this thread (the ``import_store`` job, ``sync_store``).

    Returns None, doing nothing, when there is nothing to do: the store is gone, a scheduled
    import meets a store that is no longer active, an import of the store is already running,
    or one has started since this one was requested (the same job delivered twice).
    """
    store = StoreConnection.objects.filter(pk=store_id).first()
    if store is None:
        return None
    if trigger == ImportTrigger.SCHEDULE and store.status != StoreStatus.ACTIVE:
        return None
    if requested_at is not None:
        started = (
            ImportState.objects.filter(store_id=store_id)
            .values_list("last_started_at", flat=True)
            .first()
        )
        if started and started >= requested_at:
            logger.info("store %s: an import already ran since this one was asked for", store_id)
            return None
    return import_run(store=store, trigger=trigger, full=full, since=since)


def import_request(
    *, store: StoreConnection, trigger: str = ImportTrigger.MANUAL, full: bool = False
) -> None:
    """ "Run now": queue an import of the store once the current transaction commits, whatever
    its schedule and back-off say."""
    if store.status == StoreStatus.DRAFT:
        raise ValidationError("Test the connection and activate the store before importing.")
    from .tasks import import_store

    if full:
        trigger = ImportTrigger.RESCAN
    requested_at = timezone.now().isoformat()
    transaction.on_commit(lambda: import_store.delay(store.pk, trigger, requested_at))


def imports_enqueue_due(*, now: dt.datetime | None = None) -> list[int]:
    """Queue a scheduled import for every active store that is due; returns their ids.

    Each store is claimed with a conditional update of ``last_enqueued_at``, so two schedulers
    (or a slow worker) never queue the same store twice for one interval.
    """
    from .tasks import import_store

    now = now or timezone.now()
    queued: list[int] = []
    for store in StoreConnection.objects.filter(status=StoreStatus.ACTIVE).order_by("pk"):
        state = lease.import_state_for(store.pk)
        if not selectors.store_import_due(store, state, now):
            continue
        claimed = ImportState.objects.filter(
            pk=state.pk, last_enqueued_at=state.last_enqueued_at
        ).update(last_enqueued_at=now)
        if not claimed:
            continue
        store_id, requested_at = store.pk, now.isoformat()
        transaction.on_commit(
            lambda store_id=store_id, requested_at=requested_at: import_store.delay(
                store_id, ImportTrigger.SCHEDULE, requested_at
            )
        )
        queued.append(store.pk)
    return queued

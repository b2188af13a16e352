"""Writes on imports. Tasks, views and commands call these and nothing below them."""

from __future__ import annotations

import datetime as dt
import logging
import random

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone

from stores.audit import audit_record
from stores.models import AuditEntry, StoreConnection, StoreStatus

from ..jobs import IMPORT_STORE, IMPORT_STORE_NOW, enqueue_after_commit
from ..models import ImportRun, ImportState, ImportTrigger
from . import conf, lease, selectors
from .sync import import_run

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
    if (
        trigger in (ImportTrigger.SCHEDULE, ImportTrigger.PUSH)
        and store.status != StoreStatus.ACTIVE
    ):
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
    run = import_run(store=store, trigger=trigger, full=full, since=since)
    if run is not None:
        _catch_up_if_asked_during(run)
    return run


def import_catch_up(*, store: StoreConnection) -> None:
    """A push notification arrived: scan the store's changes soon (on the interactive queue),
    besides importing the records it named — a notification Acumatica never delivered is then
    caught by the next one's scan, not only by the schedule.

    At most one catch-up is on its way per store: a notification that finds one asked for and
    not yet started leaves it at that (that scan will read its changes too), and a run that
    started before the ask queues one more when it ends (``_catch_up_if_asked_during``). A
    catch-up starts ``FULFILLMENT_PUSH_CATCH_UP_SECONDS`` after the ask that queued it, never at
    once: the notifications of that while share it — an order's own and the two that the
    connector's Shipment and its confirmation cause a second later — instead of one scan
    running beside the push import it would only repeat, and another a minute after. An ask
    older than the spacing plus the lease that never started (its job was lost with a worker)
    no longer counts as on its way."""
    now = timezone.now()
    spacing = conf.catch_up_spacing()
    state = lease.import_state_for(store.pk)
    asked_and_waiting = Q(catch_up_requested_at__isnull=False) & (
        Q(last_started_at__isnull=True) | Q(catch_up_requested_at__gt=F("last_started_at"))
    )
    lost = Q(catch_up_requested_at__lt=now - spacing - conf.lease_ttl())
    taken = (
        ImportState.objects.filter(pk=state.pk)
        .filter(~asked_and_waiting | lost)
        .update(catch_up_requested_at=now)
    )
    if not taken:
        return
    delay = spacing.total_seconds()
    enqueue_after_commit(
        IMPORT_STORE_NOW, store.pk, str(ImportTrigger.PUSH), now.isoformat(), delay=delay
    )


def _catch_up_if_asked_during(run: ImportRun) -> None:
    asked = (
        ImportState.objects.filter(store_id=run.store_id)
        .values_list("catch_up_requested_at", flat=True)
        .first()
    )
    if asked and asked > run.started_at:
        # The catch-up asked for meanwhile may have met this run's lease and given up: one more,
        # spaced like every catch-up (a duplicate finds a run started since and does nothing).
        now = timezone.now()
        delay = max(0.0, (run.started_at + conf.catch_up_spacing() - now).total_seconds())
        enqueue_after_commit(
            IMPORT_STORE_NOW, run.store_id, str(ImportTrigger.PUSH), now.isoformat(), delay=delay
        )


def import_request(
    *,
    store: StoreConnection,
    trigger: str = ImportTrigger.MANUAL,
    full: bool = False,
    since: dt.datetime | None = None,
    actor=None,
    via: str = AuditEntry.Via.CONSOLE,
) -> None:
    """ "Run now" (or a re-scan: everything, or everything changed since a date): queue an
    import of the store once the current transaction commits, whatever its schedule and
    back-off say. Audited."""
    if store.status == StoreStatus.DRAFT:
        raise ValidationError("Test the connection and activate the store before importing.")
    now = timezone.now()
    if since is not None:
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        if since > now:
            raise ValidationError("The re-scan date is in the future: pick a date in the past.")
    if since is not None:
        trigger, summary = ImportTrigger.SINCE, f"Re-scan from {since:%Y-%m-%d %H:%M} requested"
    elif full:
        trigger, summary = ImportTrigger.RESCAN, "Full re-scan requested"
    else:
        summary = "Import requested (run now)"
    requested_at = now.isoformat()
    since_text = since.isoformat() if since else None
    audit_record(
        actor=actor,
        action=f"import.{trigger}",
        summary=f"{summary} for {store.name}.",
        store=store,
        target=store,
        after={"trigger": str(trigger), "since": since_text},
        via=via,
    )
    enqueue_after_commit(IMPORT_STORE_NOW, store.pk, str(trigger), requested_at, since_text)


def imports_enqueue_due(*, now: dt.datetime | None = None) -> list[int]:
    """Queue a scheduled import for every active store that is due; returns their ids, the
    longest-waiting first.

    Each store is claimed with a conditional update of ``last_enqueued_at``, so two schedulers
    (or a slow worker) never queue the same store twice for one interval. Fair when many are due
    at once (the first tick after a start, 500 stores on one interval): the store that waited
    longest goes first, never the lowest id, and past the first ``schedule_burst()`` the rest
    are spread over the time until the next tick (``schedule_spread_seconds()``), with jitter,
    so one instance's stores do not all sign in at the same moment, tick after tick.
    """
    now = now or timezone.now()
    due = []
    active = StoreConnection.objects.filter(status=StoreStatus.ACTIVE)
    for store in active.select_related("import_state"):
        try:
            state = store.import_state
        except ImportState.DoesNotExist:
            state = lease.import_state_for(store.pk)
        if selectors.store_import_due(store, state, now):
            due.append((selectors.waiting_since(state), store.pk, state))
    due.sort(key=lambda item: (item[0] is not None, item[0] or now, item[1]))
    burst, spread = conf.schedule_burst(), conf.schedule_spread_seconds()
    queued: list[int] = []
    for _, store_id, state in due:
        claimed = ImportState.objects.filter(
            pk=state.pk, last_enqueued_at=state.last_enqueued_at
        ).update(last_enqueued_at=now)
        if not claimed:
            continue
        place = len(queued)
        delay = 0.0
        if place >= burst:
            # Evenly over the spread, in waiting order, each nudged by up to one step.
            step = spread / max(1, len(due) - burst)
            delay = (place - burst) * step + random.uniform(0, step)
        args = (store_id, str(ImportTrigger.SCHEDULE), now.isoformat())
        enqueue_after_commit(IMPORT_STORE, *args, delay=delay)
        queued.append(store_id)
    return queued

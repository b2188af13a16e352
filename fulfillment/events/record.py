"""Recording an event with the change that caused it (the outbox).

``event_record`` is called inside the caller's transaction: the event, and one delivery per
active subscription of the store's merchant that wants its kind, commit or roll back with the
change. Their delivery jobs are queued after commit (``fulfillment.jobs``); a job lost on the
way is picked up by the periodic sweep (``dispatch.deliveries_dispatch_due``), so a committed
event is never lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from stores.models import StoreConnection

from ..jobs import DELIVER_EVENT, enqueue_after_commit
from ..models import EventDelivery, EventSubscription, OutboundEvent

BATCH = 500


@dataclass(frozen=True)
class EventDraft:
    """One event to record: its kind, what it is about and its data (events.payloads)."""

    kind: str
    data: dict[str, Any]
    order_id: int | None = None
    fulfillment_id: int | None = None


def event_record(
    *,
    kind: str,
    store: StoreConnection,
    order=None,
    fulfillment=None,
    data: dict[str, Any],
) -> OutboundEvent:
    """Record one event in the current transaction and queue its deliveries after commit."""
    draft = EventDraft(
        kind=kind,
        data=data,
        order_id=getattr(order, "pk", None),
        fulfillment_id=getattr(fulfillment, "pk", None),
    )
    return events_record(store=store, drafts=[draft])[0]


def events_record(
    *, store: StoreConnection, drafts: Iterable[EventDraft], now: dt.datetime | None = None
) -> list[OutboundEvent]:
    """``event_record`` for many events of one store at once (an import page): one insert
    for the events, one for their deliveries."""
    drafts = list(drafts)
    if not drafts:
        return []
    now = now or timezone.now()
    with transaction.atomic():
        events = OutboundEvent.objects.bulk_create(
            [
                OutboundEvent(
                    kind=d.kind,
                    merchant_id=store.merchant_id,
                    store_id=store.pk,
                    order_id=d.order_id,
                    fulfillment_id=d.fulfillment_id,
                    payload=d.data,
                    created_at=now,
                )
                for d in drafts
            ],
            batch_size=BATCH,
        )
        subscriptions = list(
            EventSubscription.objects.filter(merchant_id=store.merchant_id, active=True)
        )
        deliveries = EventDelivery.objects.bulk_create(
            [
                EventDelivery(event=event, subscription=s, due_at=now, created_at=now)
                for event in events
                for s in subscriptions
                if s.wants(event.kind)
            ],
            batch_size=BATCH,
        )
        ids = [d.pk for d in deliveries]
        if ids and ids[0] is None:
            # A database that does not return ids from bulk inserts: read them back.
            ids = list(EventDelivery.objects.filter(event__in=events).values_list("pk", flat=True))
        for delivery_id in ids:
            enqueue_after_commit(DELIVER_EVENT, delivery_id)
    return events

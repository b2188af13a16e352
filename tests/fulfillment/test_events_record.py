"""Events are recorded in the transaction of the change (the outbox): a rollback leaves none,
a commit leaves the event and one delivery per active subscription that wants it, and queues
the deliveries only after commit."""

from __future__ import annotations

import pytest
from django.db import transaction

from fulfillment import jobs
from fulfillment.events import event_record
from fulfillment.events.subscriptions import subscription_disable
from fulfillment.models import EventDelivery, EventKind, OutboundEvent

from . import events_support

subscription_for = events_support.subscription_for

# Real commits and rollbacks: the outbox is about what a transaction leaves behind.
pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    pass


def test_a_rolled_back_change_leaves_no_event_and_no_delivery(
    sandbox, store_factory, subscription_for, queued_jobs
):
    store = store_factory(sandbox)
    subscription_for(store.merchant, "https://wms.example.com/hooks")
    with pytest.raises(Boom), transaction.atomic():
        event_record(kind=EventKind.STORE_NEEDS_ATTENTION, store=store, data={"x": 1})
        assert OutboundEvent.objects.count() == 1  # visible inside the transaction
        raise Boom
    assert OutboundEvent.objects.count() == 0
    assert EventDelivery.objects.count() == 0
    assert not queued_jobs[jobs.DELIVER_EVENT]


def test_a_committed_event_gets_a_delivery_per_active_subscription_that_wants_it(
    sandbox, store_factory, merchant_factory, subscription_for, queued_jobs
):
    store = store_factory(sandbox)
    everything, _ = subscription_for(store.merchant, "https://a.example.com/hooks")
    orders_only, _ = subscription_for(
        store.merchant, "https://b.example.com/hooks", kinds=[EventKind.ORDER_READY]
    )
    wants_store, _ = subscription_for(
        store.merchant, "https://c.example.com/hooks", kinds=[EventKind.STORE_NEEDS_ATTENTION]
    )
    disabled, _ = subscription_for(store.merchant, "https://d.example.com/hooks")
    subscription_disable(subscription=disabled)
    other_merchant, _ = subscription_for(merchant_factory(), "https://e.example.com/hooks")

    with transaction.atomic():
        event = event_record(
            kind=EventKind.STORE_NEEDS_ATTENTION, store=store, data={"store": {"id": store.pk}}
        )
        # Queued only once the transaction commits.
        assert not queued_jobs[jobs.DELIVER_EVENT]

    deliveries = EventDelivery.objects.filter(event=event)
    assert {d.subscription_id for d in deliveries} == {everything.pk, wants_store.pk}
    assert sorted(queued_jobs[jobs.DELIVER_EVENT]) == sorted((d.pk,) for d in deliveries)
    stored = OutboundEvent.objects.get(pk=event.pk)
    assert (stored.merchant_id, stored.store_id, stored.payload) == (
        store.merchant_id,
        store.pk,
        {"store": {"id": store.pk}},
    )
    assert stored.sequence is None  # a feed position comes after commit (feed.py)
    assert not orders_only.deliveries.exists() and not other_merchant.deliveries.exists()

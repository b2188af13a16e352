"""Each event kind driven through the real flow: imports from the sandbox over HTTP (new
orders, holds, cancellations, releases, changes after the warehouse took an order), write-backs
to the sandbox (written back, failed on Acumatica's 422, held for a carrier mapping), and a
store whose credentials Acumatica refuses; then delivered to a real receiver."""

from __future__ import annotations

import json

import pytest

from fulfillment.models import EventKind, Order, OrderStatus, OutboundEvent
from fulfillment.writeback.engine import writeback_run
from stores.models import StoreStatus

from . import events_support
from .events_support import verify_standard_webhook
from .writeback_support import fulfill, map_carrier, open_orders

pytestmark = pytest.mark.django_db

receiver = events_support.receiver
run_deliveries = events_support.run_deliveries
subscription_for = events_support.subscription_for


def kinds_of(store, **filters) -> list[str]:
    return list(
        OutboundEvent.objects.filter(store=store, **filters)
        .order_by("created_at", "kind")
        .values_list("kind", flat=True)
    )


def open_nbrs(sandbox_data, count: int) -> list[str]:
    return sorted(
        nbr
        for kind, nbr in sandbox_data.eligible_sales_orders()
        if sandbox_data.order(kind, nbr)["Status"]["value"] == "Open"
    )[:count]


def test_an_import_makes_order_ready_for_each_new_order_and_they_reach_the_receiver(
    sandbox,
    store_factory,
    run_import,
    receiver,
    subscription_for,
    queued_jobs,
    run_deliveries,
    django_capture_on_commit_callbacks,
):
    server = receiver()
    store = store_factory(sandbox)
    _, secret = subscription_for(store.merchant, server.url, kinds=[EventKind.ORDER_READY])
    with django_capture_on_commit_callbacks(execute=True):
        run = run_import(store)
    assert run.created > 0
    events = OutboundEvent.objects.filter(store=store)
    assert events.count() == run.created
    assert set(events.values_list("kind", flat=True)) == {EventKind.ORDER_READY}
    assert set(events.values_list("order_id", flat=True)) == set(
        Order.objects.filter(store=store).values_list("pk", flat=True)
    )

    assert run_deliveries() == run.created
    assert len(server.received) == run.created
    assert all(verify_standard_webhook(secret, r.headers, r.body) for r in server.received)
    body = json.loads(server.received[0].body)
    order = Order.objects.get(pk=body["data"]["order"]["id"])
    assert body["data"]["order"]["erp_order_nbr"] == order.erp_order_nbr
    assert body["data"]["order"]["status"] == "ready"
    assert body["data"]["order"]["url"] == f"/api/v1/orders/{order.pk}"

    # Nothing new in Acumatica: no event.
    run_import(store)
    assert events.count() == run.created


def test_holds_cancellations_releases_and_changes_after_the_warehouse_took_it(
    sandbox, sandbox_data, store_factory, run_import
):
    store = store_factory(sandbox)
    run_import(store)
    held, cancelled, taken, taken_cancelled = open_nbrs(sandbox_data, 4)
    Order.objects.filter(erp_order_nbr__in=[taken, taken_cancelled]).update(
        status=OrderStatus.ACKNOWLEDGED
    )
    before = set(OutboundEvent.objects.values_list("pk", flat=True))

    sandbox_data.edit("SO", held, hold=True)
    sandbox_data.cancel("SO", cancelled)
    current = sandbox_data.order("SO", taken)["ShipVia"]["value"]
    sandbox_data.edit("SO", taken, shipVia="FEDEX2DAY" if current != "FEDEX2DAY" else "LOCAL")
    sandbox_data.cancel("SO", taken_cancelled)
    run_import(store)

    def new_for(nbr):
        return sorted(
            OutboundEvent.objects.filter(order__erp_order_nbr=nbr)
            .exclude(pk__in=before)
            .values_list("kind", flat=True)
        )

    assert new_for(held) == [EventKind.ORDER_ON_HOLD]
    assert new_for(cancelled) == [EventKind.ORDER_CANCELLED_AT_SOURCE]
    assert new_for(taken) == [EventKind.ORDER_CHANGED_AT_SOURCE]
    assert new_for(taken_cancelled) == sorted(
        [EventKind.ORDER_CANCELLED_AT_SOURCE, EventKind.ORDER_CHANGED_AT_SOURCE]
    )
    on_hold = OutboundEvent.objects.get(order__erp_order_nbr=held, kind=EventKind.ORDER_ON_HOLD)
    assert on_hold.payload["order"]["status"] == OrderStatus.ON_HOLD_AT_SOURCE
    assert on_hold.payload["previous_status"] == OrderStatus.READY
    changed = OutboundEvent.objects.get(
        order__erp_order_nbr=taken, kind=EventKind.ORDER_CHANGED_AT_SOURCE
    )
    assert changed.payload["changes"] == ["ship via"]

    sandbox_data.edit("SO", held, hold=False)
    run_import(store)
    released = OutboundEvent.objects.get(order__erp_order_nbr=held, kind=EventKind.ORDER_RELEASED)
    assert released.payload["order"]["status"] == OrderStatus.READY
    assert released.payload["previous_status"] == OrderStatus.ON_HOLD_AT_SOURCE


def test_write_backs_make_written_back_failed_and_held_events(sandbox, store_factory, run_import):
    store = store_factory(sandbox)
    good, bad, unmapped = open_orders(sandbox, store, run_import, count=3, seed=5)
    map_carrier(store)

    written = fulfill(good)
    assert writeback_run(fulfillment_id=written.pk).outcome == "succeeded"
    refused = fulfill(bad, box_id="NOSUCHBOX")
    assert writeback_run(fulfillment_id=refused.pk).outcome == "failed"
    held = fulfill(unmapped, carrier="DHL")
    assert writeback_run(fulfillment_id=held.pk).outcome == "held"
    # Looked at again, still held for the same reason: no second event.
    assert writeback_run(fulfillment_id=held.pk, ignore_due=True) is None

    def for_fulfillment(fulfillment):
        return list(
            OutboundEvent.objects.filter(fulfillment=fulfillment).values_list("kind", "payload")
        )

    [(kind, payload)] = for_fulfillment(written)
    assert kind == EventKind.FULFILLMENT_WRITTEN_BACK
    written.refresh_from_db()
    assert payload["fulfillment"]["erp_shipment_nbr"] == written.erp_shipment_nbr != ""
    assert payload["fulfillment"]["status"] == "written_back"
    [(kind, payload)] = for_fulfillment(refused)
    assert kind == EventKind.FULFILLMENT_FAILED
    assert any("Box ID" in f["message"] for f in payload["fulfillment"]["last_error_fields"])
    [(kind, payload)] = for_fulfillment(held)
    assert kind == EventKind.FULFILLMENT_HELD
    assert "DHL" in payload["fulfillment"]["status_reason"]


def test_a_store_acumatica_refuses_makes_store_needs_attention_once(
    sandbox, store_factory, run_import
):
    store = store_factory(sandbox, password="not-the-password")
    run_import(store)
    run_import(store)  # the same refusal again: no second event
    store.refresh_from_db()
    assert store.status == StoreStatus.NEEDS_ATTENTION
    [event] = OutboundEvent.objects.filter(store=store)
    assert event.kind == EventKind.STORE_NEEDS_ATTENTION
    assert event.payload["store"]["status"] == StoreStatus.NEEDS_ATTENTION
    assert "credentials" in event.payload["store"]["status_reason"]

"""Operator actions from the order page: skip, reprocess, retry a write-back, add the carrier
mapping a held fulfillment waits for. Each has a confirmation page (GET) and is done by POST
through a service that audits it; merchant users never reach them (404)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from fulfillment.fulfillments import fulfillment_record
from fulfillment.models import (
    CarrierMapping,
    Fulfillment,
    FulfillmentStatus,
    ImportTrigger,
    Order,
    OrderEventKind,
    OrderStatus,
    WriteBackAttempt,
)
from fulfillment.order_actions import order_reprocess, order_skip
from fulfillment.writeback.engine import writeback_run
from stores.models import AuditEntry, Role

from .conftest import fulfillment_body
from .writeback_support import map_carrier

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(user_factory):
    return user_factory(Role.THREEPL_OPERATOR)


@pytest.fixture
def staff(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def store(sandbox, store_factory, run_import):
    store = store_factory(sandbox)
    map_carrier(store)
    run_import(store)
    return store


def ready_order(store) -> Order:
    return Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk").first()


def action_url(order, action: str) -> str:
    return reverse("fulfillment:order_action", args=[order.pk, action])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def record(order, *, key="ship-1", **over) -> Fulfillment:
    fulfillment, _ = fulfillment_record(
        order=order,
        data={**fulfillment_body(order, **over), "shipped_at": timezone.now()},
        idempotency_key=key,
        source="api",
    )
    return fulfillment


# --- Skip --------------------------------------------------------------------------------------


def test_skip_needs_a_reason_then_takes_the_order_out_of_the_warehouse_queue(
    staff, operator, store, api_token, api_client
):
    order = ready_order(store)
    url = action_url(order, "skip")
    confirm = staff.get(url)
    assert confirm.status_code == 200
    assert b"What will happen" in confirm.content and b'name="reason"' in confirm.content

    refused = staff.post(url, {"reason": "   "})
    assert refused.status_code == 400 and b"This field is required" in refused.content
    order.refresh_from_db()
    assert order.status == OrderStatus.READY
    assert not AuditEntry.objects.filter(action="order.skip").exists()

    done = staff.post(url, {"reason": "Customer cancelled by phone"})
    assert done.status_code == 302 and done.url == reverse(
        "fulfillment:order_detail", args=[order.pk]
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SKIPPED
    assert order.status_reason == (f"Skipped by {operator.username}: Customer cancelled by phone")
    entry = AuditEntry.objects.get(action="order.skip")
    assert (entry.actor, entry.via, entry.store_id) == (operator, "console", store.pk)
    assert entry.before["status"] == "ready" and entry.after["status"] == "skipped"
    assert entry.reason == "Customer cancelled by phone"
    event = order.events.get(kind=OrderEventKind.ACTION)
    assert event.actor == operator and "Customer cancelled by phone" in event.summary

    # The warehouse API: every order is listed by default (with its status), so a warehouse
    # asks for ?status=ready; the skipped one is no longer among them and cannot be taken.
    _, key = api_token(store.merchant)
    warehouse = api_client(key)
    everything = warehouse.get("/api/v1/orders", {"store": store.pk}).json()["results"]
    assert {"id": order.pk, "status": "skipped"}.items() <= next(
        o for o in everything if o["id"] == order.pk
    ).items()
    ready = warehouse.get("/api/v1/orders", {"store": store.pk, "status": "ready"}).json()
    assert order.pk not in {o["id"] for o in ready["results"]} and ready["results"]
    acknowledge = warehouse.post(f"/api/v1/orders/{order.pk}/acknowledge")
    assert acknowledge.status_code == 409
    assert acknowledge.json()["order_status"] == "skipped"
    assert "Customer cancelled by phone" in acknowledge.json()["detail"]
    shipped = warehouse.post(
        f"/api/v1/orders/{order.pk}/fulfillments", fulfillment_body(order), format="json"
    )
    assert shipped.status_code == 409 and shipped.json()["code"] == "order_not_shippable"

    # A skipped order cannot be skipped again; the page says why instead of a button.
    again = staff.get(url)
    assert b"only an order that is ready" in again.content
    assert b"Skip the order" not in again.content
    assert staff.post(url, {"reason": "twice"}).status_code == 400


def test_an_imported_change_leaves_a_skipped_order_skipped(
    store, operator, sandbox_data, run_import
):
    order = ready_order(store)
    order_skip(order=order, reason="duplicate", actor=operator)
    sandbox_data.edit(order.erp_order_type, order.erp_order_nbr, shipTo={"City": "Boulder"})
    run_import(store)
    order.refresh_from_db()
    assert order.status == OrderStatus.SKIPPED and order.changed_at_source


# --- Reprocess ---------------------------------------------------------------------------------


def test_reprocess_re_reads_a_skipped_order_from_acumatica(staff, operator, store, sandbox_data):
    order = ready_order(store)
    order_skip(order=order, reason="address to check", actor=operator)
    sandbox_data.edit(order.erp_order_type, order.erp_order_nbr, shipTo={"City": "Boulder"})

    confirm = staff.get(action_url(order, "reprocess"))
    assert confirm.status_code == 200 and b"no longer skipped" in confirm.content
    done = staff.post(action_url(order, "reprocess"))
    assert done.status_code == 302
    assert any("Re-read from Acumatica" in m for m in messages_of(done))

    order.refresh_from_db()
    assert order.ship_to_city == "Boulder"
    assert order.status == OrderStatus.READY and order.status_reason == ""
    assert not order.changed_at_source  # the copy is current again
    run = order.last_import_run
    assert run.trigger == ImportTrigger.ORDER and run.updated == 1
    entry = AuditEntry.objects.get(action="order.reprocess")
    assert entry.actor == operator and entry.before["status"] == "skipped"
    assert entry.after["status"] == "ready" and entry.after["import_run"] == run.pk
    event = order.events.filter(kind=OrderEventKind.ACTION).last()
    assert event.import_run_id == run.pk and "Reprocessed by" in event.summary


def test_reprocess_decides_the_status_afresh_even_when_nothing_changed(
    store, operator, sandbox_data, run_import
):
    order = ready_order(store)
    sandbox_data.edit(order.erp_order_type, order.erp_order_nbr, hold=True)
    run_import(store)
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD_AT_SOURCE
    order_skip(order=order, reason="waiting for the customer", actor=operator)

    result = order_reprocess(order=order, actor=operator)

    assert result.import_result.ok, result.message
    order.refresh_from_db()
    # Still on hold in Acumatica: it must not come back as ready for the warehouse.
    assert order.status == OrderStatus.ON_HOLD_AT_SOURCE


def test_reprocess_when_acumatica_cannot_be_read_keeps_the_order_skipped(
    staff, operator, store, sandbox
):
    order = ready_order(store)
    order_skip(order=order, reason="hold it", actor=operator)
    sandbox.faults.add(kind="error500", match="GET */SalesOrder/*", times=20)

    done = staff.post(action_url(order, "reprocess"))

    assert done.status_code == 302
    assert any("Could not re-read it" in m for m in messages_of(done))
    order.refresh_from_db()
    assert order.status == OrderStatus.SKIPPED
    assert order.status_reason == f"Skipped by {operator.username}: hold it"
    assert AuditEntry.objects.get(action="order.reprocess").after["import"] == "failed"


def test_reprocess_retries_the_orders_failed_write_backs(staff, operator, store):
    order = ready_order(store)
    fulfillment = record(order)
    fulfillment.packages.update(box_id="NOSUCHBOX")
    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "failed"
    fulfillment.packages.update(box_id="SMALL")

    result = order_reprocess(order=order, actor=operator)

    assert result.retried == [fulfillment.reference], result.message
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.PENDING
    assert AuditEntry.objects.filter(action="writeback.retry").count() == 1
    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "succeeded"


# --- Retry write-back --------------------------------------------------------------------------


def test_retry_from_the_confirm_page_once_acumatica_answers_again(staff, operator, store, sandbox):
    order = ready_order(store)
    fulfillment = record(order)
    sandbox.faults.add(kind="error500", match="PUT */Shipment", times=50)
    first = writeback_run(fulfillment_id=fulfillment.pk)
    assert first.outcome == WriteBackAttempt.Outcome.RETRY
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.PENDING and fulfillment.attempts == 1
    # Backing off: not due yet.
    assert writeback_run(fulfillment_id=fulfillment.pk) is None

    url = reverse("fulfillment:fulfillment_retry", args=[fulfillment.pk])
    page = staff.get(reverse("fulfillment:order_detail", args=[order.pk])).content.decode()
    assert url in page
    confirm = staff.get(url)
    assert confirm.status_code == 200 and b"written back now" in confirm.content

    sandbox.faults.clear()
    done = staff.post(url)
    assert done.status_code == 302 and done.url.endswith(f"#fulfillment-{fulfillment.pk}")
    entry = AuditEntry.objects.get(action="writeback.retry")
    assert (entry.actor, entry.via) == (operator, "console")

    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "succeeded"
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK and fulfillment.erp_shipment_nbr

    # Nothing left to retry: said on the page, refused on POST, no second audit entry.
    assert b"nothing to retry" in staff.get(url).content
    assert staff.post(url).status_code == 400
    assert AuditEntry.objects.filter(action="writeback.retry").count() == 1


# --- Carrier mapping for a held fulfillment -----------------------------------------------------


def test_add_the_missing_carrier_mapping_from_a_held_fulfillment(staff, operator, store):
    order = ready_order(store)
    fulfillment = record(order, carrier="DHL", service="Express")
    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "held"

    page = staff.get(reverse("fulfillment:order_detail", args=[order.pk])).content.decode()
    url = reverse("fulfillment:fulfillment_add_carrier_mapping", args=[fulfillment.pk])
    assert url in page
    form = staff.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial == {"carrier": "DHL", "service": "Express"}

    done = staff.post(
        url, {"carrier": "DHL", "service": "Express", "ship_via": "LOCAL", "default_box_id": ""}
    )

    assert done.status_code == 302
    assert any("1 held write-back released" in m for m in messages_of(done))
    mapping = CarrierMapping.objects.get(store=store, carrier="DHL")
    assert mapping.ship_via == "LOCAL"
    entry = AuditEntry.objects.get(action="carrier_mapping.create")
    assert entry.actor == operator and entry.after["ship_via"] == "LOCAL"
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.PENDING
    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "succeeded"


def test_carrier_mapping_changes_are_audited_with_before_and_after(staff, operator, store):
    mapping = CarrierMapping.objects.get(store=store)
    edit = reverse("carriers:edit", args=[store.pk, mapping.pk])
    staff.post(
        edit,
        {"carrier": "UPS", "service": "Ground", "ship_via": "UPS2DAY", "default_box_id": "SMALL"},
    )
    entry = AuditEntry.objects.get(action="carrier_mapping.update")
    assert entry.before == {"ship_via": "UPSGROUND"} and entry.after == {"ship_via": "UPS2DAY"}
    assert entry.actor == operator and entry.store_id == store.pk

    staff.post(reverse("carriers:delete", args=[store.pk, mapping.pk]))
    deleted = AuditEntry.objects.get(action="carrier_mapping.delete")
    assert deleted.before["ship_via"] == "UPS2DAY" and deleted.after == {}
    assert not CarrierMapping.objects.filter(pk=mapping.pk).exists()


# --- Who may act -------------------------------------------------------------------------------


def test_merchant_users_and_other_merchants_never_reach_the_actions(
    client, sandbox, store_factory, merchant_factory, merchant_user, run_import
):
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    mine, theirs = store_factory(sandbox, merchant=acme), store_factory(sandbox, merchant=globex)
    run_import(mine)
    run_import(theirs)
    my_order, their_order = ready_order(mine), ready_order(theirs)
    mine_f = record(my_order)
    theirs_f = record(their_order)
    Fulfillment.objects.filter(pk__in=[mine_f.pk, theirs_f.pk]).update(
        status=FulfillmentStatus.HELD
    )
    statuses = {o.pk: o.status for o in Order.objects.filter(pk__in=[my_order.pk, their_order.pk])}
    client.force_login(merchant_user(acme))

    for order, fulfillment in ((my_order, mine_f), (their_order, theirs_f)):
        urls = [
            action_url(order, "skip"),
            action_url(order, "reprocess"),
            reverse("fulfillment:fulfillment_retry", args=[fulfillment.pk]),
            reverse("fulfillment:fulfillment_add_carrier_mapping", args=[fulfillment.pk]),
        ]
        for url in urls:
            assert client.get(url).status_code == 404, url
            assert (
                client.post(url, {"reason": "x", "carrier": "X", "ship_via": "Y"}).status_code
                == 404
            ), url
    assert client.get(action_url(my_order, "nonsense")).status_code == 404
    assert statuses == {
        o.pk: o.status for o in Order.objects.filter(pk__in=[my_order.pk, their_order.pk])
    }
    assert Fulfillment.objects.filter(status=FulfillmentStatus.HELD).count() == 2
    assert not AuditEntry.objects.filter(
        action__in=["order.skip", "order.reprocess", "writeback.retry", "carrier_mapping.create"]
    ).exists()


def test_unknown_action_is_a_404_for_staff_too(staff, store):
    assert staff.get(action_url(ready_order(store), "delete")).status_code == 404
    assert staff.get(reverse("fulfillment:fulfillment_retry", args=[999999])).status_code == 404

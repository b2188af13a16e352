"""The operator console's orders list (filters, search, counts, pagination) and the order page
(header, timeline, fulfillments with their attempts and actions), against orders imported from
the sandbox over HTTP and written back for real."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from fulfillment.fulfillments import fulfillment_record, order_acknowledge
from fulfillment.models import (
    Fulfillment,
    FulfillmentPackage,
    FulfillmentStatus,
    Order,
    OrderEvent,
    OrderEventKind,
    OrderStatus,
)
from fulfillment.views import orders as order_views
from fulfillment.writeback.engine import writeback_run
from stores.models import Role

from .conftest import fulfillment_body
from .writeback_support import map_carrier

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, user_factory):
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    return client


@pytest.fixture
def imported(sandbox, store_factory, run_import, merchant_factory):
    store = store_factory(sandbox, merchant=merchant_factory("Acme"))
    run_import(store)
    return store


def listed(response) -> list[int]:
    assert response.status_code == 200
    return [order.pk for order in response.context["page"].object_list]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def record(order, *, key="ship-1", tracking="1Z999", **over):
    fulfillment, _ = fulfillment_record(
        order=order,
        data={**fulfillment_body(order, tracking=tracking, **over), "shipped_at": timezone.now()},
        idempotency_key=key,
        source="api",
    )
    return fulfillment


def test_filters_by_order_status_and_by_fulfillment_status(staff, imported):
    first, second, third = Order.objects.filter(store=imported).order_by("pk")[:3]
    order_acknowledge(order=first)
    shipped = record(second)
    url = reverse("fulfillment:order_list")

    assert listed(staff.get(url, {"status": "acknowledged"})) == [first.pk]
    assert listed(staff.get(url, {"fulfillment_status": "pending"})) == [second.pk]
    assert listed(staff.get(url, {"fulfillment_status": "failed"})) == []
    Fulfillment.objects.filter(pk=shipped.pk).update(status=FulfillmentStatus.WRITING)
    # "pending" includes a write-back a worker is doing right now.
    assert listed(staff.get(url, {"fulfillment_status": "pending"})) == [second.pk]
    page = staff.get(url, {"store": imported.pk})
    assert page.context["page"].paginator.count == Order.objects.filter(store=imported).count()
    counts = {value: n for value, _, n in page.context["status_counts"]}
    assert counts["acknowledged"] == 1 and counts["ready"] >= 1
    assert third.pk in listed(page)
    html = page.content.decode()
    # One fulfillment, shown with its (worst) status.
    assert '1 <span class="badge fulfillment-writing">Writing back</span>' in html


def test_search_by_order_number_reference_and_tracking_number(staff, imported):
    order, other = Order.objects.filter(store=imported).order_by("pk")[:2]
    fulfillment = record(order, tracking="1ZTRACK0001")
    url = reverse("fulfillment:order_list")

    assert listed(staff.get(url, {"q": order.erp_order_nbr})) == [order.pk]
    assert listed(staff.get(url, {"q": f"SO/{order.erp_order_nbr}"})) == [order.pk]
    assert listed(staff.get(url, {"q": f"so {other.erp_order_nbr}"})) == [other.pk]
    assert listed(staff.get(url, {"q": "1ztrack0001"})) == [order.pk]
    assert listed(staff.get(url, {"q": fulfillment.reference})) == [order.pk]
    assert listed(staff.get(url, {"q": "no-such-thing"})) == []
    if other.customer_reference:
        assert other.pk in listed(staff.get(url, {"q": other.customer_reference}))


def test_imported_date_range_and_bad_dates(staff, imported):
    old = Order.objects.filter(store=imported).order_by("pk").first()
    Order.objects.filter(pk=old.pk).update(
        imported_at=timezone.make_aware(dt.datetime(2024, 3, 10, 12, 0))
    )
    url = reverse("fulfillment:order_list")

    assert listed(staff.get(url, {"from": "2024-03-10", "to": "2024-03-10"})) == [old.pk]
    assert old.pk not in listed(staff.get(url, {"from": "2024-03-11"}))
    assert set(listed(staff.get(url, {"to": "2024-03-09"}))) == set()
    # Updated dates are another column: the move of imported_at did not touch updated_at.
    assert listed(staff.get(url, {"dates": "updated", "to": "2024-03-10"})) == []

    bad = staff.get(url, {"from": "10/03/2024", "status": "nonsense", "store": "x"})
    assert bad.status_code == 200
    problems = " ".join(messages_of(bad))
    assert "Ignored from='10/03/2024'" in problems and "2025-06-30" in problems
    assert "status" in problems and "store" in problems
    # Every filter that did not parse is ignored, not applied.
    assert bad.context["page"].paginator.count == Order.objects.count()
    reversed_range = staff.get(url, {"from": "2024-03-11", "to": "2024-03-10"})
    assert "after the 'to' date" in " ".join(messages_of(reversed_range))


def test_pagination_keeps_the_filters(staff, imported, monkeypatch):
    monkeypatch.setattr(order_views, "PAGE_SIZE", 3)
    ready = Order.objects.filter(store=imported, status=OrderStatus.READY).count()
    assert ready > 3
    page = staff.get(reverse("fulfillment:order_list"), {"status": "ready", "q": ""})
    html = page.content.decode()
    assert "status=ready&amp;q=&amp;page=2" in html
    second = staff.get(reverse("fulfillment:order_list"), {"status": "ready", "page": 2})
    assert len(listed(second)) == min(3, ready - 3)


def test_a_merchant_lists_and_opens_only_its_own_orders(
    client, sandbox, store_factory, merchant_factory, merchant_user, run_import
):
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    mine, theirs = store_factory(sandbox, merchant=acme), store_factory(sandbox, merchant=globex)
    run_import(mine)
    run_import(theirs)
    their_order = Order.objects.filter(store=theirs).first()
    record(their_order, tracking="1ZGLOBEX")
    client.force_login(merchant_user(acme))
    url = reverse("fulfillment:order_list")

    everything = set(listed(client.get(url)))
    assert everything == set(Order.objects.filter(store=mine).values_list("pk", flat=True))
    assert listed(client.get(url, {"q": "1ZGLOBEX"})) == []
    assert listed(client.get(url, {"store": theirs.pk})) == []
    assert listed(client.get(url, {"fulfillment_status": "pending"})) == []
    assert client.get(reverse("fulfillment:order_detail", args=[their_order.pk])).status_code == 404

    own = Order.objects.filter(store=mine).first()
    page = client.get(reverse("fulfillment:order_detail", args=[own.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Timeline" in html
    # Staff-only parts: actions, the raw record, the manual fulfillment form.
    assert reverse("fulfillment:order_action", args=[own.pk, "skip"]) not in html
    assert "Record as Acumatica sent it" not in html and "Record a fulfillment" not in html


def test_the_order_page_tells_the_whole_story(
    staff, sandbox, store_factory, run_import, api_token, api_client
):
    store = store_factory(sandbox)
    map_carrier(store)
    run_import(store)
    order = Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk").first()
    _, key = api_token(store.merchant)
    warehouse = api_client(key)

    assert warehouse.post(f"/api/v1/orders/{order.pk}/acknowledge").status_code == 200
    body = fulfillment_body(order, tracking="1ZSTORY01")
    body["packages"][0]["box_id"] = "NOSUCHBOX"
    created = warehouse.post(f"/api/v1/orders/{order.pk}/fulfillments", body, format="json")
    assert created.status_code == 201, created.json()
    fulfillment = Fulfillment.objects.get(pk=created.json()["id"])

    failed = writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True)
    assert failed.outcome == "failed"
    url = reverse("fulfillment:order_detail", args=[order.pk])
    page = staff.get(url)
    html = unescape(page.content.decode())
    kinds = [entry.kind for entry in page.context["timeline"]]
    assert kinds == [
        OrderEventKind.IMPORTED,
        OrderEventKind.ACKNOWLEDGED,
        OrderEventKind.FULFILLMENT_RECEIVED,
        OrderEventKind.WRITEBACK_ATTEMPT,
    ]
    attempt_entry = page.context["timeline"][-1]
    assert attempt_entry.is_error and attempt_entry.calls and attempt_entry.calls > 0
    assert "'Box ID' cannot be found in the system." in html
    assert "<code>Packages[0].BoxID</code>" in html
    assert reverse("fulfillment:import_run_detail", args=[order.last_import_run_id]) in html
    assert f'href="#fulfillment-{fulfillment.pk}"' in html
    assert "timeline-error" in html
    # The fulfillment: attempts with their calls, and the retry button (staff).
    assert reverse("fulfillment:fulfillment_retry", args=[fulfillment.pk]) in html
    assert "PUT" in html and "/Shipment" in html
    assert "1ZSTORY01" in html
    assert reverse("fulfillment:order_action", args=[order.pk, "reprocess"]) in html
    assert "Record as Acumatica sent it" in html

    # Fixed, retried from the confirm page, written back.
    FulfillmentPackage.objects.filter(fulfillment=fulfillment).update(box_id="SMALL")
    retry = staff.post(reverse("fulfillment:fulfillment_retry", args=[fulfillment.pk]))
    assert retry.status_code == 302
    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "succeeded"
    fulfillment.refresh_from_db()
    nbr = fulfillment.erp_shipment_nbr
    assert nbr

    page = staff.get(url)
    html = unescape(page.content.decode())
    kinds = [entry.kind for entry in page.context["timeline"]]
    assert kinds[-3:] == [
        OrderEventKind.ACTION,
        OrderEventKind.SHIPMENT_CREATED,
        OrderEventKind.WRITTEN_BACK,
    ]
    assert [e.shipment_nbr for e in page.context["timeline"][-2:]] == [nbr, nbr]
    assert f"Acumatica shipment {nbr}</strong>" in html
    assert reverse("fulfillment:fulfillment_retry", args=[fulfillment.pk]) not in html

    # Found in the list by its Acumatica shipment number and its tracking number.
    orders = reverse("fulfillment:order_list")
    found = Order.objects.filter(pk__in=listed(staff.get(orders, {"q": nbr})))
    # A sales order may bear the same number as the shipment: both are found.
    assert order in found and all(o == order or o.erp_order_nbr == nbr for o in found)
    assert listed(staff.get(orders, {"q": "1ZSTORY01"})) == [order.pk]
    assert listed(staff.get(orders, {"fulfillment_status": "written_back"})) == [order.pk]
    assert nbr in staff.get(orders, {"q": nbr}).content.decode()


def test_an_order_imported_before_the_timeline_gets_a_first_entry(staff, imported):
    order = Order.objects.filter(store=imported).first()
    OrderEvent.objects.filter(order=order).delete()

    page = staff.get(reverse("fulfillment:order_detail", args=[order.pk]))

    (entry,) = page.context["timeline"]
    assert entry.synthesized and entry.kind == OrderEventKind.IMPORTED
    assert entry.at == order.imported_at
    assert not OrderEvent.objects.filter(order=order).exists()  # shown, never written

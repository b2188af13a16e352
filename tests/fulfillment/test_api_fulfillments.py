"""POST /api/v1/orders/{id}/fulfillments (201 / 200 / 409), GET a fulfillment with its
write-back attempts and Acumatica's errors, the order's fulfillments."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fulfillment.models import (
    Fulfillment,
    FulfillmentStatus,
    OrderStatus,
    WriteBackAttempt,
    WriteBackOutbox,
)

from .conftest import fulfillment_body

pytestmark = pytest.mark.django_db


def url(order) -> str:
    return f"/api/v1/orders/{order.pk}/fulfillments"


def test_201_then_200_for_the_same_body_then_409_for_another(
    shippable_order, api_token, api_client
):
    order = shippable_order()
    token, key = api_token()
    client = api_client(key)
    body = fulfillment_body(order)

    created = client.post(url(order), body, format="json")
    assert created.status_code == 201, created.json()
    answer = created.json()
    fulfillment = Fulfillment.objects.get()
    assert answer["id"] == fulfillment.pk and answer["reference"] == fulfillment.reference
    assert answer["status"] == "pending" and answer["order"] == order.pk
    assert answer["idempotency_key"] == "ship-1"
    assert answer["lines"][0]["quantity"] == "1"
    assert answer["packages"][0] == {
        "position": 1,
        "box_id": "SMALL",
        "weight": "2.5",
        "weight_unit": "lb",
        "length": None,
        "width": None,
        "height": None,
        "dimension_unit": "",
        "tracking_number": "1Z999",
        "contents": [],
    }
    assert answer["attempt_count"] == 0 and answer["attempts"] == []
    assert fulfillment.api_token_id == token.pk and fulfillment.source == "api"
    assert fulfillment.raw_request == body
    assert WriteBackOutbox.objects.filter(fulfillment=fulfillment).exists()

    again = client.post(url(order), body, format="json")
    assert again.status_code == 200 and again.json()["id"] == fulfillment.pk
    # The same meaning in another spelling is the same body.
    respelt = {**body, "lines": [{**ln, "quantity": 1.0} for ln in body["lines"]]}
    respelt["packages"] = [{**body["packages"][0], "weight_unit": "LB", "weight": "2.50"}]
    assert client.post(url(order), respelt, format="json").status_code == 200

    conflict = client.post(url(order), {**body, "carrier": "FedEx"}, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "idempotency_conflict"
    assert conflict.json()["fulfillment_id"] == fulfillment.pk
    assert Fulfillment.objects.count() == 1


def test_partial_then_final_shipment_through_the_api(shippable_order, api_token, api_client):
    order = shippable_order()
    _, key = api_token()
    client = api_client(key)
    lines = list(order.lines.order_by("line_nbr"))
    first = fulfillment_body(order, key="a", tracking="T-A")
    first["lines"] = [{"line_id": lines[0].pk, "quantity": "1"}]
    assert client.post(url(order), first, format="json").status_code == 201
    listed = client.get(f"/api/v1/orders/{order.pk}").json()
    assert listed["status"] == "partially_shipped"
    assert listed["lines"][0]["shipped_quantity"] == "1"

    rest = fulfillment_body(order, key="b", tracking="T-B")
    rest["lines"] = [
        {"line_id": line["id"], "quantity": line["remaining_quantity"]} for line in listed["lines"]
    ]
    assert client.post(url(order), rest, format="json").status_code == 201
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert all(line.shipped_quantity == line.open_quantity for line in order.lines.all())

    more = fulfillment_body(order, key="c")
    response = client.post(url(order), more, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "order_not_shippable"
    fulfillments = client.get(url(order)).json()
    assert [f["idempotency_key"] for f in fulfillments] == ["a", "b"]


def test_shipping_more_than_is_open_is_400_on_the_line(shippable_order, api_token, api_client):
    order = shippable_order()
    _, key = api_token()
    line = order.lines.order_by("line_nbr").first()
    body = fulfillment_body(order)
    body["lines"] = [{"line_id": line.pk, "quantity": str(line.open_quantity + 1)}]
    response = api_client(key).post(url(order), body, format="json")
    assert response.status_code == 400
    assert "Shipping more than is open" in response.json()["errors"]["lines[0].quantity"][0]


def test_orders_on_hold_or_cancelled_refuse_fulfillments(shippable_order, api_token, api_client):
    order = shippable_order()
    _, key = api_token()
    type(order).objects.filter(pk=order.pk).update(status=OrderStatus.ON_HOLD_AT_SOURCE)
    response = api_client(key).post(url(order), fulfillment_body(order), format="json")
    assert response.status_code == 409
    assert response.json()["order_status"] == "on_hold_at_source"
    assert "on hold" in response.json()["detail"]


def test_fulfillment_status_attempts_and_acumatica_errors(shippable_order, api_token, api_client):
    order = shippable_order()
    _, key = api_token()
    client = api_client(key)
    created = client.post(url(order), fulfillment_body(order), format="json").json()
    fulfillment = Fulfillment.objects.get(pk=created["id"])
    fields = [{"path": "Packages[0].BoxID", "message": "'Box ID' cannot be found in the system."}]
    now = timezone.now()
    WriteBackAttempt.objects.create(
        fulfillment=fulfillment,
        number=1,
        started_at=now,
        finished_at=now,
        outcome="retry",
        error="Acumatica answered 503",
    )
    WriteBackAttempt.objects.create(
        fulfillment=fulfillment,
        number=2,
        started_at=now,
        finished_at=now,
        outcome="failed",
        error="Acumatica refused the shipment",
        error_fields=fields,
    )
    Fulfillment.objects.filter(pk=fulfillment.pk).update(
        status=FulfillmentStatus.FAILED,
        attempts=2,
        last_error="Acumatica refused the shipment",
        last_error_fields=fields,
        status_reason="Fix the box, then reprocess.",
    )
    answer = client.get(f"/api/v1/fulfillments/{fulfillment.pk}").json()
    assert answer["status"] == "failed"
    assert answer["status_reason"] == "Fix the box, then reprocess."
    assert answer["attempt_count"] == 2
    assert [(a["number"], a["outcome"]) for a in answer["attempts"]] == [
        (1, "retry"),
        (2, "failed"),
    ]
    assert answer["attempts"][1]["error_fields"] == fields
    assert answer["last_error_fields"] == fields and answer["erp_shipment_nbr"] == ""

    Fulfillment.objects.filter(pk=fulfillment.pk).update(
        status=FulfillmentStatus.WRITTEN_BACK, erp_shipment_nbr="000123"
    )
    answer = client.get(f"/api/v1/fulfillments/{fulfillment.pk}").json()
    assert (answer["status"], answer["erp_shipment_nbr"]) == ("written_back", "000123")


def test_another_merchants_fulfillment_is_404(
    sandbox, store_factory, merchant_factory, shippable_order, api_token, api_client
):
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    acme_order = shippable_order(store_factory(sandbox, merchant=acme))
    globex_order = shippable_order(store_factory(sandbox, merchant=globex))
    _, all_key = api_token()
    theirs = api_client(all_key).post(
        url(globex_order), fulfillment_body(globex_order), format="json"
    )
    assert theirs.status_code == 201
    _, acme_key = api_token(acme)
    client = api_client(acme_key)
    assert client.get(f"/api/v1/fulfillments/{theirs.json()['id']}").status_code == 404
    assert client.get("/api/v1/fulfillments/99999999999999999999999").status_code == 404
    assert (
        client.post(url(acme_order), fulfillment_body(acme_order), format="json").status_code == 201
    )

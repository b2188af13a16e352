"""GET /api/v1/orders (filters, cursor pagination, no N+1), one order, acknowledge; tokens and
merchants kept apart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fulfillment.models import ApiToken, Order, OrderStatus

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders"


@pytest.fixture
def two_merchants(sandbox, store_factory, merchant_factory, run_import):
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    acme_store = store_factory(sandbox, merchant=acme)
    globex_store = store_factory(sandbox, merchant=globex)
    run_import(acme_store)
    run_import(globex_store)
    return acme_store, globex_store


def every_page(client, url, params=None):
    """All results, following ``next``; and how many pages it took."""
    response = client.get(url, params)
    assert response.status_code == 200, response.json()
    results, pages = list(response.json()["results"]), 1
    while response.json()["next"]:
        response = client.get(response.json()["next"])
        assert response.status_code == 200
        results += response.json()["results"]
        pages += 1
    return results, pages


def test_lists_orders_with_lines_and_ship_to(two_merchants, api_token, api_client):
    acme_store, _ = two_merchants
    _, key = api_token()
    response = api_client(key).get(ORDERS, {"store": acme_store.pk, "status": "ready"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    order = Order.objects.filter(store=acme_store).order_by("updated_at", "id").first()
    listed = body["results"][0]
    assert listed["id"] == order.pk and listed["store"] == acme_store.pk
    assert listed["status"] == "ready" and listed["merchant"] == "Acme"
    assert (listed["erp_order_type"], listed["erp_order_nbr"]) == ("SO", order.erp_order_nbr)
    assert listed["ship_to"]["city"] == order.ship_to_city
    assert set(listed["ship_to"]) >= {"name", "attention", "email", "phone", "address_line1"}
    line = order.lines.order_by("line_nbr").first()
    assert listed["lines"][0] == {
        "id": line.pk,
        "line_nbr": line.line_nbr,
        "inventory_id": line.inventory_id,
        "description": line.description,
        "quantity": format(line.open_quantity.normalize(), "f"),
        "uom": line.uom,
        "shipped_quantity": "0",
        "remaining_quantity": format(line.open_quantity.normalize(), "f"),
        "warehouse": line.warehouse,
    }


def test_cursor_pagination_returns_every_order_once_in_a_stable_order(
    two_merchants, api_token, api_client
):
    _, key = api_token()
    client = api_client(key)
    results, pages = every_page(client, ORDERS, {"page_size": 3})
    ids = [o["id"] for o in results]
    assert len(ids) == len(set(ids)) == Order.objects.count()
    assert pages == -(-len(ids) // 3)
    expected = list(Order.objects.order_by("updated_at", "id").values_list("id", flat=True))
    assert ids == expected
    assert client.get(ORDERS, {"cursor": "not-a-cursor"}).status_code == 400


def test_same_updated_at_on_a_page_boundary_loses_nothing(two_merchants, api_token, api_client):
    same = timezone.now()
    Order.objects.update(updated_at=same)
    _, key = api_token()
    results, _ = every_page(api_client(key), ORDERS, {"page_size": 4})
    assert sorted(o["id"] for o in results) == sorted(Order.objects.values_list("id", flat=True))


def test_filters(two_merchants, api_token, api_client):
    acme_store, globex_store = two_merchants
    _, key = api_token()
    client = api_client(key)
    held = Order.objects.filter(store=acme_store).first()
    Order.objects.filter(pk=held.pk).update(status=OrderStatus.ON_HOLD_AT_SOURCE)
    later = timezone.now() + dt.timedelta(hours=1)
    Order.objects.filter(pk=held.pk).update(updated_at=later)

    ready, _ = every_page(client, ORDERS, {"status": "ready"})
    assert held.pk not in {o["id"] for o in ready}
    both, _ = every_page(client, ORDERS, {"status": "ready,on_hold_at_source"})
    assert len(both) == Order.objects.count()
    repeated, _ = every_page(client, ORDERS, {"status": ["ready", "on_hold_at_source"]})
    assert len(repeated) == Order.objects.count()
    store, _ = every_page(client, ORDERS, {"store": globex_store.pk})
    assert {o["store"] for o in store} == {globex_store.pk}
    since, _ = every_page(client, ORDERS, {"updated_since": later.isoformat()})
    assert [o["id"] for o in since] == [held.pk]
    naive = later.replace(tzinfo=None).isoformat()  # UTC without an offset
    assert [o["id"] for o in every_page(client, ORDERS, {"updated_since": naive})[0]] == [held.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "shipping"}, "status"),
        ({"status": ","}, "status"),
        ({"store": "acme"}, "store"),
        ({"store": "-1"}, "store"),
        ({"store": "99999999999999999999999"}, "store"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2025-02-30T00:00:00Z"}, "updated_since"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "lots"}, "page_size"),
    ],
)
def test_invalid_filters_are_400_with_the_field(
    two_merchants, api_token, api_client, params, field
):
    _, key = api_token()
    response = api_client(key).get(ORDERS, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["errors"][field]


def test_listing_costs_the_same_queries_for_3_orders_or_30(two_merchants, api_token, api_client):
    _, key = api_token()
    client = api_client(key)
    client.get(ORDERS)  # sets last_used_at once
    counts = {}
    for size in (3, 25):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ORDERS, {"page_size": size})
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    # token, its merchants, the page of orders (with store and merchant), their lines
    assert counts[3] == counts[25] <= 4, counts


def test_a_token_sees_only_its_merchants(two_merchants, api_token, api_client):
    acme_store, globex_store = two_merchants
    _, acme_key = api_token(acme_store.merchant)
    client = api_client(acme_key)
    results, _ = every_page(client, ORDERS, {"page_size": 5})
    assert {o["store"] for o in results} == {acme_store.pk}
    assert client.get(ORDERS, {"store": globex_store.pk}).json()["results"] == []

    theirs = Order.objects.filter(store=globex_store).first()
    for response in (
        client.get(f"{ORDERS}/{theirs.pk}"),
        client.post(f"{ORDERS}/{theirs.pk}/acknowledge"),
        client.get(f"{ORDERS}/{theirs.pk}/fulfillments"),
        client.post(f"{ORDERS}/{theirs.pk}/fulfillments", {}, format="json"),
    ):
        assert response.status_code == 404
        assert response.json()["detail"] == "No such order."
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.READY

    _, both_key = api_token(acme_store.merchant, globex_store.merchant)
    assert api_client(both_key).get(f"{ORDERS}/{theirs.pk}").status_code == 200
    _, all_key = api_token()
    assert len(every_page(api_client(all_key), ORDERS)[0]) == Order.objects.count()


def test_no_token_a_wrong_one_or_a_revoked_one_is_401(two_merchants, api_token, api_client):
    token, key = api_token()
    order = Order.objects.first()
    assert api_client().get(ORDERS).status_code == 401
    assert api_client().get(ORDERS).headers["WWW-Authenticate"] == "Token"
    assert api_client("a3pl_wrong").get(ORDERS).status_code == 401
    bare = api_client()
    bare.credentials(HTTP_AUTHORIZATION="Token")
    assert bare.get(ORDERS).status_code == 401
    bare.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bare.get(ORDERS).status_code == 401
    assert api_client(key).get(f"{ORDERS}/{order.pk}").status_code == 200

    token.revoked_at = timezone.now()
    token.save()
    response = api_client(key).post(f"{ORDERS}/{order.pk}/acknowledge")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_last_used_at_is_written_at_most_once_a_minute(two_merchants, api_token, api_client):
    token, key = api_token()
    client = api_client(key)
    client.get(ORDERS)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get(ORDERS)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    client.get(ORDERS)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - dt.timedelta(minutes=2)


def test_acknowledge(two_merchants, api_token, api_client):
    acme_store, _ = two_merchants
    _, key = api_token()
    client = api_client(key)
    order = Order.objects.filter(store=acme_store).first()
    response = client.post(f"{ORDERS}/{order.pk}/acknowledge")
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    order.refresh_from_db()
    assert order.status == OrderStatus.ACKNOWLEDGED
    # Again: nothing changes, same answer.
    again = client.post(f"{ORDERS}/{order.pk}/acknowledge")
    assert again.status_code == 200 and again.json()["status"] == "acknowledged"
    ready, _ = every_page(client, ORDERS, {"status": "acknowledged"})
    assert [o["id"] for o in ready] == [order.pk]

    cancelled = Order.objects.filter(store=acme_store, status="ready").first()
    Order.objects.filter(pk=cancelled.pk).update(
        status=OrderStatus.CANCELLED_AT_SOURCE, status_reason="Canceled in Acumatica"
    )
    response = client.post(f"{ORDERS}/{cancelled.pk}/acknowledge")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "order_not_in_queue"
    assert body["order_status"] == "cancelled_at_source"
    assert "Canceled in Acumatica" in body["detail"]
    assert client.post(f"{ORDERS}/999999/acknowledge").status_code == 404
    assert client.get(f"{ORDERS}/{order.pk}/acknowledge").status_code == 405

"""The orders list's CSV export and sort orders: every page the filters select, only the user's
merchants, cells a spreadsheet would run as formulas defused. Orders imported from the sandbox."""

from __future__ import annotations

import csv
import io

import pytest

from fulfillment.models import Order, OrderStatus
from stores.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_merchants(sandbox, sandbox_data, store_factory, merchant_factory, run_import):
    sandbox_data.seed(orders=200, lines=1)
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    acme_store = store_factory(sandbox, merchant=acme, name="Acme store")
    globex_store = store_factory(sandbox, merchant=globex, name="Globex store")
    run_import(acme_store)
    run_import(globex_store)
    return acme_store, globex_store


def _rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_a_merchant_exports_every_page_of_its_own_orders_only(client, two_merchants, user_factory):
    acme_store, _ = two_merchants
    client.force_login(user_factory(Role.MERCHANT_USER, merchant=acme_store.merchant))
    rows = _rows(client.get("/orders/export.csv"))
    mine = Order.objects.filter(store=acme_store)
    assert len(rows) == mine.count() > 50  # more than one page of the list
    assert {r["Store"] for r in rows} == {"Acme store"}
    assert {r["Merchant"] for r in rows} == {"Acme"}
    assert {(r["Order type"], r["Order number"]) for r in rows} == set(
        mine.values_list("erp_order_type", "erp_order_nbr")
    )


def test_the_export_follows_the_filters_and_defuses_formulas(client, two_merchants, user_factory):
    acme_store, _ = two_merchants
    order = Order.objects.filter(store=acme_store).first()
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.SKIPPED, customer_reference='=HYPERLINK("http://evil","x")'
    )
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    rows = _rows(client.get("/orders/export.csv", {"store": acme_store.pk, "status": "skipped"}))
    assert [r["Order number"] for r in rows] == [order.erp_order_nbr]
    assert rows[0]["Customer reference"] == '\'=HYPERLINK("http://evil","x")'
    assert rows[0]["Status"] == "Skipped by an operator"
    # The list page links the export with the same filters.
    page = client.get("/orders/", {"store": acme_store.pk, "status": "skipped"}).content.decode()
    assert f'href="/orders/export.csv?store={acme_store.pk}&amp;status=skipped"' in page


def test_the_list_sorts_by_document_and_a_stale_sort_shows_the_default(
    client, two_merchants, user_factory
):
    acme_store, _ = two_merchants
    client.force_login(user_factory(Role.MERCHANT_USER, merchant=acme_store.merchant))
    rows = _rows(client.get("/orders/export.csv", {"sort": "document"}))
    keys = [(r["Order type"], r["Order number"]) for r in rows]
    assert keys == sorted(keys)
    page = client.get("/orders/", {"sort": "document"}).content.decode()
    assert '<option value="document" selected>' in page
    first = min(keys)
    assert page.index(f"{first[0]} {first[1]}") < page.index("</tbody>")
    assert client.get("/orders/", {"sort": "nonsense"}).status_code == 200

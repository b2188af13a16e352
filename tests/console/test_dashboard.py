"""The dashboard and the alert pages, as each role sees them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.alerts import alerts_evaluate
from console.models import Alert, AlertCause
from fulfillment.models import ImportRunStatus, Order
from fulfillment.writeback.engine import writeback_run
from stores.models import AuditEntry, Role
from stores.services import store_mark_needs_attention
from tests.fulfillment.writeback_support import fulfill, map_carrier, open_orders

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduler_alive")]


@pytest.fixture
def two_merchants(sandbox, store_factory, merchant_factory, user_factory):
    mine, theirs = merchant_factory("Mine Ltd"), merchant_factory("Theirs Ltd")
    return {
        "my_store": store_factory(sandbox, merchant=mine, name="My Shop", active=True),
        "their_store": store_factory(sandbox, merchant=theirs, name="Their Shop", active=True),
        "merchant_user": user_factory(Role.MERCHANT_USER, merchant=mine),
        "operator": user_factory(Role.THREEPL_OPERATOR),
    }


def test_the_dashboard_shows_a_failed_imports_cause_to_staff_and_its_merchant(
    client, sandbox, two_merchants, run_import
):
    my_store = two_merchants["my_store"]
    sandbox.faults.add(kind="error500", match="GET */SalesOrder", times=1)
    failed = run_import(my_store)
    assert failed.status == ImportRunStatus.FAILED
    alerts_evaluate()

    for user in (two_merchants["operator"], two_merchants["merchant_user"]):
        client.force_login(user)
        response = client.get(reverse("console:dashboard"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "My Shop" in page
        assert "Failing" in page
        assert failed.error[:60] in page
        assert reverse("fulfillment:store_import_now", args=[my_store.pk]) in page


def test_merchants_see_only_their_own_stores_and_alerts(client, two_merchants):
    for store in (two_merchants["my_store"], two_merchants["their_store"]):
        store_mark_needs_attention(store=store, reason=f"rights missing at {store.name}")
    alerts_evaluate()
    their_alert = Alert.objects.get(store=two_merchants["their_store"])

    client.force_login(two_merchants["merchant_user"])
    page = client.get(reverse("console:dashboard")).content.decode()
    assert "My Shop" in page and "rights missing at My Shop" in page
    assert "Their Shop" not in page

    listing = client.get(reverse("console:alert_list")).content.decode()
    assert "My Shop" in listing and "Their Shop" not in listing
    assert client.get(reverse("console:alert_detail", args=[their_alert.pk])).status_code == 404
    assert (
        client.get(
            reverse("console:alert_list"), {"store": two_merchants["their_store"].pk}
        ).status_code
        == 404
    )
    chart = client.get(reverse("console:dashboard"), {"store": two_merchants["their_store"].pk})
    assert chart.status_code == 404


def test_the_chart_counts_imported_orders(client, sandbox, store_factory, user_factory, run_import):
    store = store_factory(sandbox, active=True)
    run_import(store)
    imported = Order.objects.filter(store=store).count()
    assert imported > 0

    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    response = client.get(reverse("console:dashboard_chart"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<title" in svg
    assert f"{imported} imported, 0 errors" in svg
    page = client.get(reverse("console:dashboard"), {"store": store.pk}).content.decode()
    assert f"{imported} orders imported" in page


def test_bad_query_parameters_get_a_message_not_an_error(client, two_merchants):
    client.force_login(two_merchants["operator"])
    response = client.get(reverse("console:dashboard"), {"store": "abc"})
    assert response.status_code == 200
    assert "is not a store number" in response.content.decode()
    response = client.get(reverse("console:alert_list"), {"state": "nonsense", "page": "x"})
    assert response.status_code == 200
    assert "Unknown state" in response.content.decode()


def test_the_dashboards_queries_do_not_grow_with_the_stores(
    client, sandbox, store_factory, user_factory, django_assert_max_num_queries
):
    for n in range(5):
        store = store_factory(sandbox, active=True)
        if n % 2:
            store_mark_needs_attention(store=store, reason="rights missing")
    alerts_evaluate()
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    # Session, user and role; stores; alerts; ~10 grouped health reads; 4 chart reads: a fixed
    # number, whatever the number of stores (18 today).
    with django_assert_max_num_queries(20):
        assert client.get(reverse("console:dashboard")).status_code == 200


def test_staff_retry_write_backs_from_the_alert_and_merchants_cannot(
    client, sandbox, store_factory, merchant_factory, user_factory, run_import, settings
):
    settings.FULFILLMENT_WRITEBACK_CONFIRM_POLL_SECONDS = 0.05
    merchant = merchant_factory("Retail Co")
    store = store_factory(sandbox, merchant=merchant, active=True)
    map_carrier(store)
    (order,) = open_orders(sandbox, store, run_import, count=1, seed=7)
    fulfillment = fulfill(order)
    sandbox.faults.add(kind="error500", match="PUT */Shipment", times=1)
    assert writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True).outcome == "retry"
    alerts_evaluate()
    alert = Alert.objects.get(store=store, cause=AlertCause.WRITEBACK_RETRYING)
    url = reverse("console:alert_detail", args=[alert.pk])

    client.force_login(user_factory(Role.MERCHANT_USER, merchant=merchant))
    page = client.get(url).content.decode()
    assert fulfillment.reference in page
    assert 'value="retry_writebacks"' not in page
    refused = client.post(url, {"action": "retry_writebacks"}, follow=True)
    assert "Only 3PL staff" in refused.content.decode()
    assert not AuditEntry.objects.filter(action="writeback.retry").exists()

    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    assert 'value="retry_writebacks"' in client.get(url).content.decode()
    done = client.post(url, {"action": "retry_writebacks"}, follow=True)
    assert "1 write-back(s)" in done.content.decode()
    assert AuditEntry.objects.filter(action="writeback.retry", store=store).count() == 1

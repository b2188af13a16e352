"""Issue 6's "Done when", end to end against the sandbox over real HTTP: faults switched on →
the dashboard names the failure and its cause and one alert per cause is open; faults off and
"retry" pressed → the alerts close, the order is written back, and every step is on its
timeline and in the audit log. A merchant user sees none of it for a store not theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.alerts import alerts_evaluate
from console.models import Alert, AlertCause
from fulfillment.models import Fulfillment, FulfillmentStatus, ImportRunStatus, OrderStatus
from fulfillment.writeback.engine import writeback_run
from stores.models import AuditEntry, Role

from .conftest import fulfillment_body
from .writeback_support import map_carrier, shipments_for

pytestmark = pytest.mark.django_db


def _whole_order(order) -> dict:
    """A fulfillment shipping everything still open on the order, in one package."""
    body = fulfillment_body(order)
    body["lines"] = [
        {"line_id": line.pk, "quantity": str(line.open_quantity)}
        for line in order.lines.order_by("line_nbr")
    ]
    return body


def _open(store) -> dict[str, Alert]:
    return {a.cause: a for a in Alert.objects.filter(store=store, closed_at__isnull=True)}


def test_failure_shown_with_cause_then_retry_closes_alert_and_writes_back(
    sandbox,
    store_factory,
    shippable_order,
    run_import,
    api_token,
    api_client,
    user_factory,
    merchant_factory,
    client,
    django_capture_on_commit_callbacks,
):
    store = store_factory(sandbox, name="Faulty Store")
    map_carrier(store)
    order = shippable_order(store)
    _, key = api_token(store.merchant)
    api = api_client(key)
    assert api.post(f"/api/v1/orders/{order.pk}/acknowledge").status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        posted = api.post(
            f"/api/v1/orders/{order.pk}/fulfillments", _whole_order(order), format="json"
        )
    assert posted.status_code == 201, posted.content
    fulfillment = Fulfillment.objects.get(pk=posted.json()["id"])

    # Faults on: every sales-order read and every Shipment write fails with Acumatica's 500.
    sandbox.faults.add(kind="error500", match="* */SalesOrder*")
    sandbox.faults.add(kind="error500", match="PUT */Shipment")
    failed_run = run_import(store, trigger="manual")
    assert failed_run.status == ImportRunStatus.FAILED and failed_run.error
    writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True)
    fulfillment.refresh_from_db()
    assert fulfillment.status in (FulfillmentStatus.PENDING, FulfillmentStatus.FAILED)
    assert fulfillment.last_error

    alerts_evaluate()
    alerts_evaluate()  # twice: still one alert per cause
    opened = _open(store)
    assert AlertCause.IMPORT_FAILING in opened
    writeback_cause = (
        AlertCause.WRITEBACK_FAILED
        if fulfillment.status == FulfillmentStatus.FAILED
        else AlertCause.WRITEBACK_RETRYING
    )
    assert writeback_cause in opened
    assert Alert.objects.filter(store=store, cause=AlertCause.IMPORT_FAILING).count() == 1

    operator = user_factory(Role.THREEPL_OPERATOR)
    client.force_login(operator)
    page = client.get(reverse("console:dashboard")).content.decode()
    assert "Faulty Store" in page
    # The cause in Acumatica's words, as the run recorded it.
    assert failed_run.error[:60] in page.replace("&#x27;", "'").replace("&quot;", '"')

    # Faults off; the operator presses "retry" (a confirmation page, then the POST).
    sandbox.faults.clear()
    retry_url = reverse("fulfillment:fulfillment_retry", args=[fulfillment.pk])
    assert client.get(retry_url).status_code == 200
    fulfillment.refresh_from_db()
    assert fulfillment.status != FulfillmentStatus.WRITTEN_BACK  # GET changed nothing
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(retry_url).status_code == 302
    assert writeback_run(fulfillment_id=fulfillment.pk) is not None
    assert run_import(store).status == ImportRunStatus.SUCCEEDED

    alerts_evaluate()
    assert _open(store) == {}
    closed = Alert.objects.filter(store=store, closed_at__isnull=False)
    assert {a.cause for a in closed} >= {AlertCause.IMPORT_FAILING, writeback_cause}

    fulfillment.refresh_from_db()
    order.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK
    assert order.status == OrderStatus.WRITTEN_BACK
    assert len(shipments_for(sandbox, fulfillment.reference)) == 1

    # Every step on the order's timeline, in order.
    kinds = list(order.events.order_by("at", "id").values_list("kind", flat=True))
    for step in (
        "imported",
        "acknowledged",
        "fulfillment_received",
        "writeback_attempt",
        "action",
        "written_back",
    ):
        assert step in kinds, (step, kinds)
    assert kinds.index("imported") < kinds.index("acknowledged")
    assert kinds.index("writeback_attempt") < kinds.index("action") < kinds.index("written_back")
    order_page = client.get(reverse("fulfillment:order_detail", args=[order.pk])).content.decode()
    assert fulfillment.erp_shipment_nbr in order_page
    assert fulfillment.last_error == ""  # cleared on success
    assert "retried by" in order_page

    # And in the audit log: who pressed retry, on what.
    entry = AuditEntry.objects.get(action="writeback.retry")
    assert entry.actor == operator and entry.store == store
    audit_page = client.get(reverse("console:audit_log")).content.decode()
    assert fulfillment.reference in audit_page

    # Another merchant's user sees none of it, on any page.
    outsider = user_factory(Role.MERCHANT_USER, merchant=merchant_factory("Other Merchant"))
    client.force_login(outsider)
    for url in (
        reverse("console:dashboard"),
        reverse("console:alert_list") + "?state=all",
        reverse("console:audit_log"),
        reverse("fulfillment:order_list"),
        reverse("fulfillment:import_run_list"),
        reverse("stores:list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Faulty Store" not in response.content.decode(), url
    for url in (
        reverse("fulfillment:order_detail", args=[order.pk]),
        reverse("fulfillment:import_run_detail", args=[failed_run.pk]),
        reverse("console:alert_detail", args=[closed.first().pk]),
        retry_url,
        reverse("stores:detail", args=[store.pk]),
    ):
        assert client.get(url).status_code == 404, url

"""An operator works in the console in a real browser: the dashboard shows a failing store with
its cause, the order page shows its timeline, and "Retry write-back" (confirmation, then the
action) ends with the order written back. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from console.alerts import alerts_evaluate
from fulfillment.api.tokens import api_token_create
from fulfillment.models import Fulfillment, FulfillmentStatus, Order, OrderStatus
from fulfillment.writeback.engine import writeback_run
from stores.models import Role, UserProfile

from ..fulfillment.conftest import fulfillment_body
from ..fulfillment.writeback_support import map_carrier

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

PASSWORD = "an-operator-password"


@pytest.fixture
def operator(transactional_db):
    user = get_user_model().objects.create_user(username="ops", password=PASSWORD)
    UserProfile.objects.create(user=user, role=Role.THREEPL_OPERATOR)
    return user


def _whole_order(order) -> dict:
    """A fulfillment shipping everything still open on the order, in one package."""
    body = fulfillment_body(order)
    body["lines"] = [
        {"line_id": line.pk, "quantity": str(line.open_quantity)}
        for line in order.lines.order_by("line_nbr")
    ]
    return body


def _sign_in(page, base_url: str, path: str) -> None:
    page.goto(f"{base_url}{path}")
    page.fill("#id_username", "ops")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_operator_sees_the_failure_reads_the_timeline_and_retries(
    live_server, sandbox, store_factory, operator, browser_page, artifacts_dir
):
    from playwright.sync_api import expect

    from fulfillment.importing.sync import import_run

    store = store_factory(sandbox, name="Browser Store", active=True)
    map_carrier(store)
    assert import_run(store=store, trigger="manual").status == "succeeded"
    order = Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk").first()
    # The warehouse reports the shipment through its API, as in production.
    _, key = api_token_create(name="wms", merchants=[store.merchant])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    posted = api.post(f"/api/v1/orders/{order.pk}/fulfillments", _whole_order(order), format="json")
    assert posted.status_code == 201, posted.content
    recorded = Fulfillment.objects.get(pk=posted.json()["id"])
    sandbox.faults.add(kind="error500", match="* */SalesOrder*")
    sandbox.faults.add(kind="error500", match="PUT */Shipment")
    failed = import_run(store=store, trigger="manual")
    writeback_run(fulfillment_id=recorded.pk, ignore_due=True)
    alerts_evaluate()

    page = browser_page
    _sign_in(page, live_server.url, "/console/")
    expect(page.locator("body")).to_contain_text("Browser Store")
    expect(page.locator("body")).to_contain_text(failed.error[:40])
    page.screenshot(path=str(artifacts_dir / "console-dashboard.png"), full_page=True)

    page.goto(f"{live_server.url}/orders/{order.pk}/")
    expect(page.locator("body")).to_contain_text("Imported")
    expect(page.locator("body")).to_contain_text("Write-back attempt 1")
    page.screenshot(path=str(artifacts_dir / "console-order-timeline.png"), full_page=True)

    # Faults off; retry through the confirmation step.
    sandbox.faults.clear()
    page.click("text=Retry write-back")
    expect(page.locator("h1")).to_contain_text("Retry")
    page.screenshot(path=str(artifacts_dir / "console-retry-confirm.png"), full_page=True)
    page.click("main form button[type=submit]")
    expect(page.locator("ul.messages")).to_be_visible()
    assert writeback_run(fulfillment_id=recorded.pk) is not None
    recorded.refresh_from_db()
    assert recorded.status == FulfillmentStatus.WRITTEN_BACK

    page.goto(f"{live_server.url}/orders/{order.pk}/")
    expect(page.locator("body")).to_contain_text(recorded.erp_shipment_nbr)
    expect(page.locator("body")).to_contain_text("Written back")
    page.screenshot(path=str(artifacts_dir / "console-order-written-back.png"), full_page=True)
    assert Fulfillment.objects.get(pk=recorded.pk).erp_shipment_nbr

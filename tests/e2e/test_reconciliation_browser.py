"""An operator reconciles a store in a real browser: "Reconcile…" on the store page, a window,
the report with its counts and differences (an order deleted here, one cancelled in Acumatica,
a write-back held for an unmapped carrier), "Backfill selected", and the report again with each
row's outcome; then the merchant's health page. Screenshots at 1280 and 390 px go to
test-artifacts/ (reconcile-*.png, health-*.png); nothing scrolls sideways at 390 px."""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth import get_user_model

from console.reconciliation.models import BackfillState, ReconciliationReport
from console.reconciliation.services import reconciliation_backfill_run, reconciliation_run
from fulfillment.importing.sync import import_run
from fulfillment.models import FulfillmentStatus, Order, OrderStatus
from fulfillment.writeback.engine import writeback_run
from fulfillment.writeback.samples import fulfillment_build
from stores.models import Role, UserProfile

from ..fulfillment.writeback_support import map_carrier

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

PASSWORD = "a-reconciling-password"
WIDTHS = (1280, 390)


@pytest.fixture
def operator(transactional_db):
    user = get_user_model().objects.create_user(username="recon", password=PASSWORD)
    UserProfile.objects.create(user=user, role=Role.THREEPL_OPERATOR)
    return user


def _shots(page, artifacts_dir, name: str) -> dict[str, int]:
    """Screenshots at both widths; the widths at which the page scrolls sideways."""
    too_wide = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.screenshot(path=str(artifacts_dir / f"{name}-{width}.png"), full_page=True)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            too_wide[f"{name} at {width}"] = scroll
    page.set_viewport_size({"width": 1280, "height": 900})
    return too_wide


def test_operator_reconciles_backfills_and_reads_the_health_page(
    live_server, sandbox, store_factory, operator, browser_page, artifacts_dir
):
    from playwright.sync_api import expect

    store = store_factory(sandbox, name="Reconciled Store", active=True)
    map_carrier(store)
    assert import_run(store=store, trigger="manual").status == "succeeded"
    data_url = f"{sandbox.site_url}/_sandbox/data"
    open_now = {
        o["OrderNbr"]
        for o in requests.get(f"{data_url}/orders", params={"type": "SO"}, timeout=10).json()
        if o["Status"] == "Open"
    }
    ready = [
        o
        for o in Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk")
        if o.erp_order_nbr in open_now
    ]
    deleted, cancelled, held_order = ready[:3]
    deleted_nbr = deleted.erp_order_nbr
    deleted.delete()
    requests.post(
        f"{data_url}/orders/SO/{cancelled.erp_order_nbr}/cancel", json={}, timeout=10
    ).raise_for_status()
    held = fulfillment_build(order=held_order, carrier="FEDEX", service="2DAY")
    writeback_run(fulfillment_id=held.pk)
    held.refresh_from_db()
    assert held.status == FulfillmentStatus.HELD

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "recon")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/")

    page.goto(f"{live_server.url}/stores/{store.pk}/")
    page.click("text=Reconcile…")
    expect(page.locator("h1")).to_contain_text("Reconcile Reconciled Store")
    page.check("#id_everything")
    too_wide = _shots(page, artifacts_dir, "reconcile-window")
    page.check("#id_everything")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Reconciliation #")
    expect(page.locator("body")).to_contain_text("Queued")

    # The worker's part, in this process: the queued report runs.
    report = ReconciliationReport.objects.get(store=store)
    assert reconciliation_run(report_id=report.pk).status == "finished"
    page.reload()
    expect(page.locator("#report-cost")).to_contain_text("Acumatica request")
    expect(page.locator("[data-kind=not_imported]")).to_contain_text(deleted_nbr)
    expect(page.locator("[data-kind=not_imported]")).to_contain_text("Import now")
    expect(page.locator("[data-kind=no_longer_eligible]")).to_contain_text("Cancelled in Acumatica")
    expect(page.locator("[data-kind=no_shipment]")).to_contain_text("FEDEX")
    too_wide |= _shots(page, artifacts_dir, "reconcile-report")

    map_carrier(store, carrier="FEDEX", service="2DAY", ship_via="FEDEX2DAY")
    for box in page.locator("input[name=row]").all():
        box.check()
    page.click("#backfill-selected")
    expect(page.locator("ul.messages")).to_contain_text("Backfill of 3 difference(s) queued")
    queued = list(report.differences.filter(backfill_state=BackfillState.QUEUED))
    assert len(queued) == 3
    reconciliation_backfill_run(
        report_id=report.pk, row_ids=[r.pk for r in queued], actor_id=operator.pk
    )
    page.reload()
    expect(page.locator("tr.backfill-fixed")).to_have_count(3)
    too_wide |= _shots(page, artifacts_dir, "reconcile-backfilled")

    page.goto(f"{live_server.url}/console/health/?merchant={store.merchant_id}")
    expect(page.locator("#merchant-flag")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Reconciled Store")
    too_wide |= _shots(page, artifacts_dir, "health")
    assert not too_wide, f"pages wider than the screen (scrollWidth): {too_wide}"

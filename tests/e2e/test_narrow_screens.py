"""Every main page at a phone's width (390 px) in a real browser: nothing makes the page scroll
sideways (wide tables scroll inside themselves). Screenshots at 1280 and 390 px go to
test-artifacts/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from console.reconciliation.services import reconciliation_run_now
from fulfillment.events import event_record
from fulfillment.events.payloads import store_data
from fulfillment.events.subscriptions import subscription_create
from fulfillment.importing.sync import import_run
from fulfillment.models import ImportRun, Order
from stores.models import Role, UserProfile

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

PASSWORD = "a-narrow-screen-password"
WIDTHS = (1280, 390)


@pytest.fixture
def operator(transactional_db):
    user = get_user_model().objects.create_user(username="narrow", password=PASSWORD)
    UserProfile.objects.create(user=user, role=Role.THREEPL_OPERATOR)
    return user


def test_no_page_scrolls_sideways_at_390_px(
    live_server, sandbox, store_factory, operator, browser_page, artifacts_dir
):
    store = store_factory(sandbox, name="Narrow Screen Store", active=True)
    assert import_run(store=store, trigger="manual").status == "succeeded"
    order = Order.objects.filter(store=store).order_by("pk").first()
    run = ImportRun.objects.filter(store=store).first()
    subscription, _ = subscription_create(
        merchant=store.merchant,
        url="https://a-rather-long-warehouse-host-name.example.com/hooks/acumatica/events",
    )
    event = event_record(kind="store.needs_attention", store=store, data=store_data(store))
    delivery = event.deliveries.get()
    report = reconciliation_run_now(store=store, since=None)
    pages = {
        "dashboard": "/console/",
        "stores": "/stores/",
        "store": f"/stores/{store.pk}/",
        "store-edit": f"/stores/{store.pk}/edit/",
        "store-handoff": f"/stores/{store.pk}/handoff/",
        "wizard": "/stores/new/",
        "orders": "/orders/",
        "order": f"/orders/{order.pk}/",
        "import-runs": "/orders/imports/",
        "import-run": f"/orders/imports/{run.pk}/",
        "why": "/orders/why/",
        "alerts": "/console/alerts/",
        "audit": "/console/audit/",
        "webhooks": "/webhooks/",
        "webhook": f"/webhooks/{subscription.pk}/",
        "webhook-delivery": f"/webhooks/deliveries/{delivery.pk}/",
        "health": f"/console/health/?merchant={store.merchant_id}",
        "reconciliations": "/console/reconciliation/",
        "reconciliation": f"/console/reconciliation/{report.pk}/",
        "reconcile": f"/console/stores/{store.pk}/reconcile/",
        "history": f"/stores/{store.pk}/history/",
        "api-tokens": "/api-tokens/",
    }
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "narrow")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/")

    too_wide = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            page.screenshot(path=str(artifacts_dir / f"narrow-{name}-{width}.png"), full_page=True)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                too_wide[f"{name} at {width}"] = scroll
    assert not too_wide, f"pages wider than the screen (scrollWidth): {too_wide}"

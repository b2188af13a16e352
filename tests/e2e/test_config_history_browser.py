"""In a real browser, at 1280 and 390 px: an operator edits a store setting, finds it in the
store's History, reverts it and sees it reverted; makes an API token on its page (key shown
once, copy button) that the API accepts; ticks two orders and skips them with a bulk action.
Screenshots go to test-artifacts/ (history-*, tokens-*, bulk-*); nothing scrolls sideways at
390 px."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from fulfillment.models import Order, OrderStatus
from stores.models import AuditEntry, Role, UserProfile

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

PASSWORD = "a-history-password"
WIDTHS = (1280, 390)


@pytest.fixture
def operator(transactional_db):
    user = get_user_model().objects.create_user(username="hist", password=PASSWORD)
    UserProfile.objects.create(user=user, role=Role.THREEPL_OPERATOR)
    return user


def _sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", "hist")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/console/")


def _shoot(page, artifacts_dir, name: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=str(artifacts_dir / f"{name}-{width}.png"), full_page=True)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name} is {scroll} px wide at {width} px"


def test_edit_a_setting_see_it_in_history_and_revert_it(
    live_server, sandbox, store_factory, operator, browser_page, artifacts_dir
):
    from playwright.sync_api import expect

    store = store_factory(sandbox, name="History Store", active=True)
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    _sign_in(page, live_server.url)

    page.goto(f"{live_server.url}/stores/{store.pk}/edit/")
    page.fill("#id_name", "History Store renamed")
    page.click("button:has-text('Save')")
    expect(page.locator("h1")).to_contain_text("History Store renamed")

    page.click("nav.store-links a:has-text('History')")
    change = AuditEntry.objects.filter(store=store, action="store.update").first()
    row = page.locator(f"#entry-{change.pk}")
    expect(row).to_contain_text("History Store")
    expect(row).to_contain_text("History Store renamed")
    for width in WIDTHS:
        _shoot(page, artifacts_dir, "history-list", width)

    page.set_viewport_size({"width": 1280, "height": 900})
    row.locator("a:has-text('Revert')").click()
    expect(page.locator("body")).to_contain_text("Name back to History Store")
    for width in WIDTHS:
        _shoot(page, artifacts_dir, "history-revert", width)
    page.click("button:has-text('Revert')")

    expect(page.locator("ul.messages")).to_contain_text(f"Reverted entry #{change.pk}")
    store.refresh_from_db()
    assert store.name == "History Store"
    revert = AuditEntry.objects.filter(store=store, action="store.update").first()
    expect(page.locator(f"#entry-{revert.pk}")).to_contain_text(f"Reverted entry #{change.pk}")
    for width in WIDTHS:
        _shoot(page, artifacts_dir, "history-reverted", width)


def test_make_an_api_token_on_its_page_and_use_it(
    live_server, sandbox, store_factory, operator, browser_page, artifacts_dir
):
    from playwright.sync_api import expect

    store = store_factory(sandbox, name="Token Store", active=True)
    page = browser_page
    _sign_in(page, live_server.url)
    page.click("header nav a:has-text('API tokens')")
    for width in WIDTHS:
        _shoot(page, artifacts_dir, "tokens-list", width)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("#id_name", "WMS browser")
    page.check("input[name=scope][value=merchants]")
    page.check(f"input[name=merchants][value='{store.merchant_id}']")
    page.click("button:has-text('Make the token')")
    key = page.input_value("#api-token-key")
    assert re.fullmatch(r"a3pl_[\w-]{40,}", key)
    page.click("button[data-copy]")
    expect(page.locator("button[data-copy]")).not_to_have_text("Copy")
    for width in WIDTHS:
        _shoot(page, artifacts_dir, "tokens-created", width)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/orders").status_code == 200

    page.click("a:has-text('Done, I copied it')")
    expect(page.locator("tr[data-token='WMS browser']")).to_contain_text(store.merchant.name)
    assert key not in page.content()


def test_tick_two_orders_and_skip_them_in_bulk(
    live_server, sandbox, store_factory, operator, browser_page, artifacts_dir
):
    from playwright.sync_api import expect

    from fulfillment.importing.sync import import_run

    store = store_factory(sandbox, name="Bulk Store", active=True)
    assert import_run(store=store, trigger="manual").status == "succeeded"
    first, second = Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk")[:2]
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    _sign_in(page, live_server.url)

    page.goto(f"{live_server.url}/orders/?sort=document")
    page.check(f"input[name=order][value='{first.pk}']")
    page.check(f"input[name=order][value='{second.pk}']")
    expect(page.locator("[data-selected-count]")).to_have_text("2 selected")
    page.select_option("select[name=action]", "skip")
    page.fill("input[name=reason]", "duplicate orders from the web shop")
    for width in WIDTHS:
        _shoot(page, artifacts_dir, "bulk-selected", width)

    page.click("button:has-text('Apply to selected')")
    expect(page.locator("ul.messages")).to_contain_text("2 skipped.")
    assert "sort=document" in page.url
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == OrderStatus.SKIPPED
    for width in WIDTHS:
        _shoot(page, artifacts_dir, "bulk-done", width)

    # "Select all on this page" ticks every row of the page.
    page.check("input[data-select-all]")
    rows = page.locator("input[name=order]").count()
    expect(page.locator("[data-selected-count]")).to_have_text(f"{rows} selected")

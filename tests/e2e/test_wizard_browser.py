"""A person adds an Acumatica connection in a real browser: sign in, walk the wizard against
the sandbox, see the connection test pass, activate. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from stores.models import Merchant, Role, StoreConnection, StoreStatus, UserProfile

# The walk itself takes seconds; the limit also covers installing Chromium on a fresh machine.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

PASSWORD = "a-browser-test-password"


@pytest.fixture
def merchant_login(transactional_db):
    merchant = Merchant.objects.create(name="Acme Outdoor")
    user = get_user_model().objects.create_user(username="acme", password=PASSWORD)
    UserProfile.objects.create(user=user, role=Role.MERCHANT_USER, merchant=merchant)
    return user


def test_a_merchant_adds_a_store_in_the_browser(
    live_server, sandbox, merchant_login, interactive_worker, browser_page, artifacts_dir
):
    from playwright.sync_api import expect

    page = browser_page
    config = sandbox.config

    page.goto(f"{live_server.url}/stores/new/")
    page.fill("#id_username", "acme")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Add an Acumatica connection")

    page.fill("#id_name", "Acme main")
    page.click("text=Next: Acumatica sign-in")

    page.fill("#id_instance_url", sandbox.base_url)
    page.fill("#id_client_id", config.client_id)
    page.fill("#id_client_secret", config.client_secret)
    page.fill("#id_username", config.username)
    page.fill("#id_password", config.password)
    page.click("text=Save draft and continue")

    expect(page.locator("#id_endpoint_version")).to_have_value("24.200.001")
    expect(page.locator("#id_oauth_scope")).to_have_value("api offline_access")
    page.click("text=Save and continue")

    # The test runs on the worker; the page follows it and shows the result when it ends.
    page.click("text=Run the connection test")
    expect(page.locator("ul.messages")).to_contain_text("Connection test passed.", timeout=30_000)
    page.click("text=Next: review and activate")
    expect(page.locator("h2", has_text="Review and activate")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "wizard-review.png"), full_page=True)

    page.click("button:text-is('Activate')")
    expect(page.locator(".badge.status-active")).to_have_text("Active")
    expect(page).to_have_url(re.compile(r"/stores/\d+/$"))
    page.screenshot(path=str(artifacts_dir / "store-active.png"), full_page=True)

    store = StoreConnection.objects.get(name="Acme main")
    assert store.status == StoreStatus.ACTIVE and store.last_test_passed
    assert len(sandbox.sessions) == 0
    assert config.password not in page.content() and config.client_secret not in page.content()

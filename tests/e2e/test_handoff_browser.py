"""The credentials link end to end in a real browser: a 3PL operator starts a store, leaves the
sign-in to the merchant and sends the link; the merchant, signed out, opens it at 1280 and
390 px, enters the sandbox's credentials, runs the connection test and submits; the operator
sees "provided by the merchant on …" and the link then opens nothing. Screenshots go to
test-artifacts/handoff-*.png."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache

from stores.models import CredentialHandoff, Role, StoreConnection, UserProfile

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

PASSWORD = "a-handoff-browser-password"


@pytest.fixture
def operator(transactional_db):
    user = get_user_model().objects.create_user(username="tpl-ops", password=PASSWORD)
    UserProfile.objects.create(user=user, role=Role.THREEPL_OPERATOR)
    return user


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px ({scroll})"


def test_a_merchant_enters_the_sign_in_through_a_link(
    live_server, sandbox, operator, interactive_worker, browser_page, artifacts_dir, settings
):
    from playwright.sync_api import expect

    settings.CONNECTOR_BASE_URL = live_server.url
    cache.clear()
    shot = artifacts_dir
    page = browser_page

    # The 3PL operator starts the store and leaves the sign-in to the merchant.
    page.goto(f"{live_server.url}/stores/new/")
    page.fill("#id_username", "tpl-ops")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.fill("#id_name", "Acme main")
    page.fill("#id_new_merchant", "Acme Outdoor")
    page.click("text=Next: Acumatica sign-in")
    page.screenshot(path=str(shot / "handoff-wizard-choice-1280.png"), full_page=True)
    page.click("text=Leave the sign-in to the merchant")
    expect(page.locator("h1")).to_have_text("Send the merchant a link")
    page.fill("#id_email", "it@acme.test")
    page.click("button:text-is('Send the link')")
    expect(page.locator("body")).to_contain_text("Sent to it@acme.test")
    link = page.input_value("#handoff-url")
    page.screenshot(path=str(shot / "handoff-sent-1280.png"), full_page=True)
    [email] = mail.outbox
    assert link in email.body and link.startswith(f"{live_server.url}/connect/")

    # The merchant, in a browser of their own with no session, opens the link.
    merchant = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    visitor = merchant.new_page()
    visitor.set_default_timeout(20_000)
    visitor.goto(link)
    expect(visitor.locator("h1")).to_have_text("Acumatica sign-in for Acme main")
    expect(visitor.locator("header nav a")).to_have_count(0)
    _fits(visitor, 1280)
    visitor.screenshot(path=str(shot / "handoff-form-1280.png"), full_page=True)

    visitor.set_viewport_size({"width": 390, "height": 844})
    _fits(visitor, 390)
    visitor.screenshot(path=str(shot / "handoff-form-390.png"), full_page=True)
    config = sandbox.config
    visitor.fill("#id_instance_url", sandbox.base_url)
    visitor.fill("#id_client_id", config.client_id)
    visitor.fill("#id_client_secret", config.client_secret)
    visitor.fill("#id_username", config.username)
    visitor.fill("#id_password", config.password)
    visitor.click("text=Save and test the connection")
    # The test runs on the interactive worker; the page follows it, then shows the result.
    expect(visitor.locator("#connection-test")).to_contain_text(
        "Connection test passed.", timeout=30_000
    )
    expect(visitor.locator("#connection-test .badge.check-pass").first).to_have_text("Passed")
    _fits(visitor, 390)
    visitor.screenshot(path=str(shot / "handoff-tested-390.png"), full_page=True)
    assert config.client_secret not in visitor.content()
    assert config.password not in visitor.content()

    visitor.click("button:text-is('Submit')")
    expect(visitor.locator("h1")).to_contain_text("the Acumatica sign-in is submitted")
    _fits(visitor, 390)
    visitor.screenshot(path=str(shot / "handoff-done-390.png"), full_page=True)

    # The operator sees who provided it, and never the values.
    page.goto(f"{live_server.url}/stores/{StoreConnection.objects.get(name='Acme main').pk}/")
    expect(page.locator("#merchant-link")).to_contain_text("Provided by the merchant on")
    expect(page.locator("dl.settings")).to_contain_text("stored (encrypted)")
    assert config.client_secret not in page.content() and config.password not in page.content()
    page.screenshot(path=str(shot / "handoff-store-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    _fits(page, 390)
    page.screenshot(path=str(shot / "handoff-store-390.png"), full_page=True)

    # The link has done its job: it opens the neutral page, naming nothing.
    visitor.goto(link)
    expect(visitor.locator("h1")).to_have_text("This link does not work")
    assert "Acme" not in visitor.content()
    _fits(visitor, 390)
    visitor.screenshot(path=str(shot / "handoff-used-390.png"), full_page=True)
    visitor.set_viewport_size({"width": 1280, "height": 900})
    visitor.screenshot(path=str(shot / "handoff-used-1280.png"), full_page=True)

    handoff = CredentialHandoff.objects.get()
    assert handoff.used_at is not None
    assert re.fullmatch(r"[0-9a-f]{64}", handoff.token_hash) and handoff.token_hash not in link
    assert len(sandbox.sessions) == 0
    merchant.close()

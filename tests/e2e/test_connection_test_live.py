"""The wizard's connection test runs in the background and the page follows it, in a real browser
at 1280 and 390 px: pressing the button answers at once, "Checking: …" names the check that runs
while Acumatica is slow to answer it, and the final result replaces it without anyone reloading
the page. Screenshots go to test-artifacts/live-test-*.png; no page scrolls sideways.

The job runs where it runs in production: sent through the configured broker (the filesystem
one under CONNECTOR_VAR_DIR, or Redis when CELERY_BROKER_URL says so) to a real Celery worker
of the interactive queue, started in a thread (``interactive_worker`` in tests/e2e/conftest.py,
``celery.contrib.testing``, as tests/connector/test_celery_app.py does). Not eager mode: that
would run the test inside the request again, which is what this replaces."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from stores.models import ConnectionTestRun, Merchant, Role, UserProfile

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

PASSWORD = "a-live-test-password"
# Acumatica takes this long to answer each read of Shipments: long enough to be seen.
SLOW_SECONDS = 3.0


@pytest.fixture
def merchant_login(transactional_db):
    merchant = Merchant.objects.create(name="Acme Outdoor")
    user = get_user_model().objects.create_user(username="acme-live", password=PASSWORD)
    UserProfile.objects.create(user=user, role=Role.MERCHANT_USER, merchant=merchant)
    return user


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px ({scroll})"


def test_the_wizard_follows_the_connection_test_live(
    live_server,
    sandbox,
    store_factory,
    merchant_login,
    interactive_worker,
    browser_page,
    artifacts_dir,
):
    from playwright.sync_api import expect

    sandbox.faults.add(kind="slow", match="GET */Shipment", delay=SLOW_SECONDS)
    store = store_factory(
        sandbox, merchant=merchant_login.connector_profile.merchant, name="Acme main"
    )
    page = browser_page
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/tests/" in r.url else None)

    page.goto(f"{live_server.url}/stores/{store.pk}/setup/test/")
    page.fill("#id_username", "acme-live")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h2", has_text="Connection test")).to_be_visible()

    for width, button in (
        (1280, "Run the connection test"),
        (390, "Run the connection test again"),
    ):
        page.set_viewport_size({"width": width, "height": 900})
        polls.clear()
        page.click(f"button:text-is('{button}')")
        line = page.locator("[data-test-run-line]")
        expect(line).to_have_text("Checking: Access to Shipments…", timeout=20_000)
        # The checks before it are already listed, the one running is not.
        expect(page.locator("tr[data-check=sign_in] .badge")).to_have_text("OK")
        expect(page.locator("tr[data-check=shipments]")).to_have_count(0)
        _fits(page, width)
        page.screenshot(path=str(artifacts_dir / f"live-test-running-{width}.png"), full_page=True)

        # Nobody reloads: the page's script sees the end and shows the final result.
        expect(page.locator("ul.messages")).to_contain_text(
            "Connection test passed.", timeout=30_000
        )
        expect(page.locator("tr[data-check=shipments] .badge")).to_have_text("OK")
        expect(page.locator("text=Next: review and activate")).to_be_visible()
        expect(page.locator("[data-test-run-url]")).to_have_count(0)
        assert len(polls) >= 2, polls
        _fits(page, width)
        page.screenshot(path=str(artifacts_dir / f"live-test-passed-{width}.png"), full_page=True)

    runs = ConnectionTestRun.objects.filter(store=store)
    assert [run.status for run in runs] == ["passed", "passed"]
    store.refresh_from_db()
    assert store.last_test_passed is True
    assert len(sandbox.sessions) == 0
    content = page.content()
    assert sandbox.config.password not in content and sandbox.config.client_secret not in content

"""The wizard's credential step and unfinished drafts in a real browser, at 1280 and 390 px:
cookie sign-in chosen without a Client ID or Secret, a wrong password named on the credential
step itself, and starting again offering to resume or discard the draft. Screenshots go to
test-artifacts/wizard-*.png; no page scrolls sideways."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from stores.models import AuthMethod, Role, StoreConnection, UserProfile

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

PASSWORD = "a-wizard-drafts-password"


@pytest.fixture
def operator(transactional_db):
    user = get_user_model().objects.create_user(username="tpl-wizard", password=PASSWORD)
    UserProfile.objects.create(user=user, role=Role.THREEPL_OPERATOR)
    return user


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px ({scroll})"


def test_cookie_sign_in_early_check_and_resume_or_discard(
    live_server, sandbox, operator, browser_page, artifacts_dir
):
    from playwright.sync_api import expect

    page, shot, config = browser_page, artifacts_dir, sandbox.config
    page.goto(f"{live_server.url}/stores/new/")
    page.fill("#id_username", "tpl-wizard")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.fill("#id_name", "Cookie store")
    page.fill("#id_new_merchant", "Acme Outdoor")
    page.click("text=Next: Acumatica sign-in")

    page.check("input[name=auth_method][value=cookie]")
    page.fill("#id_instance_url", sandbox.base_url)
    page.fill("#id_username", config.username)
    page.fill("#id_password", "not-the-password")
    page.screenshot(path=str(shot / "wizard-cookie-credentials-1280.png"), full_page=True)
    page.click("text=Save draft and continue")
    # Named on the credential step, not three steps later.
    expect(page.locator("ul.messages")).to_contain_text("Acumatica rejected the username")
    expect(page.locator("ul.messages")).to_contain_text("How to fix it:")
    page.set_viewport_size({"width": 390, "height": 844})
    _fits(page, 390)
    page.screenshot(path=str(shot / "wizard-sign-in-failed-390.png"), full_page=True)

    expect(page.locator("input[name=auth_method][value=cookie]")).to_be_checked()
    page.fill("#id_password", config.password)
    page.click("text=Save and continue")
    expect(page.locator("ul.messages")).to_contain_text("Acumatica accepted the sign-in")
    store = StoreConnection.objects.get(name="Cookie store")
    assert store.auth_method == AuthMethod.COOKIE and store.client_id == ""

    # Starting the wizard again offers the unfinished draft.
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/stores/new/")
        expect(page.locator("#unfinished-drafts")).to_contain_text("Cookie store")
        _fits(page, width)
        page.screenshot(path=str(shot / f"wizard-unfinished-{width}.png"), full_page=True)
    page.click("#unfinished-drafts button:text-is('Discard')")
    expect(page.locator("ul.messages")).to_contain_text("Discarded the draft Cookie store.")
    expect(page.locator("#unfinished-drafts")).to_have_count(0)
    assert not StoreConnection.objects.filter(name="Cookie store").exists()
    assert len(sandbox.sessions) == 0

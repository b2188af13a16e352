"""The licence's API limits (License Monitoring Console, SM604000) are entered in the wizard and
on the edit page, and the store's page shows real usage against them: requests, the busiest
minute, 429s, open sessions, and the last calls."""

from __future__ import annotations

import contextlib
import html
import re

import pytest
from django.urls import reverse

from connector.acumatica import AcumaticaError
from stores.credentials import acumatica_client_for
from stores.models import AcumaticaCall, Role, StoreStatus
from stores.services import store_connection_test

from .pages import SETTINGS_DEFAULTS, assert_no_secret_in, create_draft, credentials_for

LICENCE = {
    "licence_api_users": "2",
    "licence_concurrent_requests": "4",
    "licence_requests_per_minute": "60",
}


@pytest.fixture
def merchant_user(user_factory, merchant):
    return user_factory(Role.MERCHANT_USER, merchant=merchant, username="acme-user")


@pytest.fixture
def signed_in(client, merchant_user):
    client.force_login(merchant_user)
    return client


def edit_values(sandbox, store, **overrides) -> dict:
    return {
        "name": store.name,
        "import_interval_minutes": store.import_interval_minutes,
        **credentials_for(sandbox, client_secret="", password=""),
        **SETTINGS_DEFAULTS,
        **overrides,
    }


def usage_cell(text: str, row: str) -> str:
    """The 'last hour' cell of a row of the usage table."""
    found = re.search(rf'data-usage="{row}"[^>]*>\s*<td>[^<]*</td><td>([^<]*)</td>', text)
    assert found, f"no usage row {row}"
    return found.group(1).strip()


# --------------------------------------------------------------------------- forms
def test_the_wizard_takes_the_limits_or_leaves_them_blank(signed_in, sandbox):
    store = create_draft(signed_in, sandbox)
    page = signed_in.get(reverse("stores:setup_settings", args=[store.pk])).content.decode()
    assert "Licence limits (License Monitoring Console, SM604000)" in page

    url = reverse("stores:setup_settings", args=[store.pk])
    response = signed_in.post(url, {**SETTINGS_DEFAULTS, **LICENCE})
    assert response.status_code == 302
    store.refresh_from_db()
    assert (
        store.licence_api_users,
        store.licence_concurrent_requests,
        store.licence_requests_per_minute,
    ) == (2, 4, 60)

    blank = {name: "" for name in LICENCE}
    assert signed_in.post(url, {**SETTINGS_DEFAULTS, **blank}).status_code == 302
    store.refresh_from_db()
    assert store.licence_api_users is None and store.licence_requests_per_minute is None


@pytest.mark.parametrize(
    "bad, message",
    [("abc", "Enter a whole number."), ("-1", "greater than or equal to 1"), ("0", "1")],
)
def test_the_wizard_refuses_what_is_not_a_positive_number(signed_in, sandbox, bad, message):
    store = create_draft(signed_in, sandbox)
    response = signed_in.post(
        reverse("stores:setup_settings", args=[store.pk]),
        {**SETTINGS_DEFAULTS, **LICENCE, "licence_requests_per_minute": bad},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["licence_requests_per_minute"]
    assert message in " ".join(form.errors["licence_requests_per_minute"])
    store.refresh_from_db()
    assert store.licence_requests_per_minute is None


def test_the_edit_page_changes_the_limits_without_invalidating_the_test(
    signed_in, sandbox, store_factory, merchant
):
    store = store_factory(sandbox, merchant=merchant, name="Acme main")
    assert store_connection_test(store=store).passed
    signed_in.post(reverse("stores:activate", args=[store.pk]))
    store.refresh_from_db()
    assert store.status == StoreStatus.ACTIVE
    url = reverse("stores:edit", args=[store.pk])
    assert "SM604000" in signed_in.get(url).content.decode()

    response = signed_in.post(url, edit_values(sandbox, store, **LICENCE))
    assert response.status_code == 302, response.content.decode()[:2000]
    store.refresh_from_db()
    assert store.licence_requests_per_minute == 60 and store.licence_api_users == 2
    assert store.status == StoreStatus.ACTIVE and store.last_test_passed

    for bad in ("abc", "-1"):
        response = signed_in.post(url, edit_values(sandbox, store, licence_api_users=bad))
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["licence_api_users"]
    store.refresh_from_db()
    assert store.licence_api_users == 2


# --------------------------------------------------------------------------- usage on the page
def test_the_store_page_shows_usage_after_a_real_connection_test(
    signed_in, sandbox, store_factory, merchant, jobs_run_here, django_capture_on_commit_callbacks
):
    store = store_factory(
        sandbox,
        merchant=merchant,
        name="Acme main",
        licence_api_users=2,
        licence_requests_per_minute=60,
    )
    url = reverse("stores:detail", args=[store.pk])
    before = signed_in.get(url).content.decode()
    assert usage_cell(before, "requests") == "0"
    assert "No request has been sent" in before

    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(reverse("stores:test", args=[store.pk]))
    calls = AcumaticaCall.objects.filter(store=store)
    assert calls.count() > 0

    response = signed_in.get(url)
    text = response.content.decode()
    assert int(usage_cell(text, "requests")) == calls.count()
    assert 0 < int(usage_cell(text, "peak")) <= calls.count()
    assert usage_cell(text, "throttled") == "0"
    assert "Last 20 Acumatica requests" in text
    assert "connection test" in text  # the purpose column
    # The test signs out again: no session left open.
    assert usage_cell(text, "sessions") == "0"
    assert "60" in text and "2 API users" in text
    assert_no_secret_in(response, sandbox)


def test_429s_and_an_open_session_are_shown(signed_in, sandbox, store_factory, merchant):
    store = store_factory(sandbox, merchant=merchant, name="Acme main")
    sandbox.faults.add(kind="error429", match="GET */SalesOrder", times=1, retry_after=0)
    # Whether the client retried or gave up, the 429 was sent and recorded.
    with (
        acumatica_client_for(store, purpose="import") as client,
        contextlib.suppress(AcumaticaError),
    ):
        client.list("SalesOrder", top=1)
    assert AcumaticaCall.objects.filter(store=store, status=429).count() == 1

    text = signed_in.get(reverse("stores:detail", args=[store.pk])).content.decode()
    assert usage_cell(text, "throttled") == "1"
    assert usage_cell(text, "failed") == "1"
    # The OAuth token is kept (not expired): one API session counted against the licence.
    assert usage_cell(text, "sessions") == "1"
    assert "429" in html.unescape(text)


def test_only_the_last_20_calls_are_listed(signed_in, sandbox, store_factory, merchant):
    store = store_factory(sandbox, merchant=merchant, name="Acme main")
    with acumatica_client_for(store, purpose="import") as client:
        for _ in range(25):
            client.list("SalesOrder", top=1)
    total = AcumaticaCall.objects.filter(store=store).count()
    assert total > 20
    text = signed_in.get(reverse("stores:detail", args=[store.pk])).content.decode()
    table = text.split('<table class="calls">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr") == 21  # the header and twenty calls
    assert int(usage_cell(text, "requests")) == total


def test_another_merchants_usage_is_not_found(signed_in, sandbox, store_factory, merchant_factory):
    other = store_factory(sandbox, merchant=merchant_factory("Globex"), name="Globex")
    store_connection_test(store=other)
    response = signed_in.get(reverse("stores:detail", args=[other.pk]))
    assert response.status_code == 404 and "Globex" not in response.content.decode()

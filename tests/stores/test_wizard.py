"""The Add Connection wizard, driven through the Django test client against the sandbox over
real HTTP: every step, going back, validation messages, failing tests and activation."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from stores.credentials import store_has_secrets
from stores.models import Merchant, Role, StoreConnection, StoreStatus

from .pages import (
    SETTINGS_DEFAULTS,
    assert_no_secret_in,
    assert_no_secret_in_session,
    create_draft,
    credentials_for,
    run_test_step,
    save_settings,
    start_wizard,
)


@pytest.fixture
def merchant_user(user_factory, merchant):
    return user_factory(Role.MERCHANT_USER, merchant=merchant, username="acme-user")


@pytest.fixture
def merchant_client(client, merchant_user):
    client.force_login(merchant_user)
    return client


@pytest.fixture
def operator_client(client, operator_user):
    client.force_login(operator_user)
    return client


def test_a_merchant_walks_the_wizard_to_an_active_store(
    merchant_client, sandbox, merchant, jobs_run_here
):
    client = merchant_client
    pages = []

    response = client.get(reverse("stores:new"))
    assert response.status_code == 200
    # A merchant user's store is always their own: no merchant to choose.
    assert 'name="merchant"' not in response.content.decode()
    assert "Acme Outdoor" in response.content.decode()
    pages.append(response)

    start_wizard(client, name="Acme main")
    assert client.session["store_wizard"] == {
        "name": "Acme main",
        "merchant_id": merchant.pk,
        "new_merchant": "",
    }
    pages.append(client.get(reverse("stores:new_credentials")))

    response = client.post(reverse("stores:new_credentials"), credentials_for(sandbox), follow=True)
    store = StoreConnection.objects.get(name="Acme main")
    assert store.merchant == merchant and store.status == StoreStatus.DRAFT
    assert store_has_secrets(store)["client_secret"] and store_has_secrets(store)["password"]
    assert client.session["store_wizard"] == {"store_id": store.pk}
    assert_no_secret_in_session(client, sandbox)
    # Step 3 shows the documented defaults, each with its help text.
    text = response.content.decode()
    for value in ("Default", "24.200.001", "SO", "api offline_access"):
        assert f'value="{value}"' in text
    assert (
        "SM207060" in text and "IN204000" in text and "offline_access gives a refresh token" in text
    )
    pages.append(response)

    response = save_settings(client, store)
    assert_no_secret_in_session(client, sandbox)
    response = client.get(reverse("stores:setup_test", args=[store.pk]))
    assert "has not been run yet" in response.content.decode()
    pages.append(response)

    response = run_test_step(client, store)
    assert store.last_test_passed is True
    assert "Connection test passed." in response.content.decode()
    for check in store.last_test_result:
        assert html.escape(check["title"]) in response.content.decode()
    assert "Next: review and activate" in response.content.decode()
    assert len(sandbox.sessions) == 0, "the connection test must sign out"
    assert_no_secret_in_session(client, sandbox)
    pages.append(response)

    response = client.get(reverse("stores:setup_review", args=[store.pk]))
    text = response.content.decode()
    assert "stored (encrypted)" in text and sandbox.base_url in text
    assert response.context["can_activate"] is True
    assert '<button type="submit">Activate</button>' in text
    pages.append(response)

    response = client.post(reverse("stores:activate", args=[store.pk]), follow=True)
    store.refresh_from_db()
    assert store.status == StoreStatus.ACTIVE
    assert f"{store.name} is active" in response.content.decode()
    pages.append(response)
    pages.append(client.get(reverse("stores:list")))

    assert len(sandbox.sessions) == 0
    assert_no_secret_in_session(client, sandbox)
    for page in pages:
        assert page.status_code == 200
        assert_no_secret_in(page, sandbox)


def test_3pl_staff_choose_an_existing_merchant_or_add_one(operator_client, sandbox, merchant):
    client = operator_client
    response = client.get(reverse("stores:new"))
    assert 'name="merchant"' in response.content.decode()
    assert "Acme Outdoor" in response.content.decode()

    create_draft(client, sandbox, name="Existing one", basics={"merchant": merchant.pk})
    assert StoreConnection.objects.get(name="Existing one").merchant == merchant

    create_draft(client, sandbox, name="New one", basics={"new_merchant": "Brand New Co"})
    assert StoreConnection.objects.get(name="New one").merchant.name == "Brand New Co"


@pytest.mark.parametrize(
    ("basics", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "X"}, "merchant", "Choose the merchant, or type a new merchant"),
        (
            {"name": "X", "merchant": "MERCHANT", "new_merchant": "Other"},
            "new_merchant",
            "Choose a merchant or type a new one, not both.",
        ),
        ({"name": "Taken", "merchant": "MERCHANT"}, "name", "already has a store named"),
    ],
)
def test_store_basics_errors_are_shown_next_to_the_field(
    operator_client, sandbox, store_factory, merchant, basics, field, message
):
    store_factory(sandbox, merchant=merchant, name="Taken")
    data = {k: merchant.pk if v == "MERCHANT" else v for k, v in basics.items()}
    response = operator_client.post(reverse("stores:new"), data)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert response.context["form"].errors[field]
    assert "store_wizard" not in operator_client.session


def test_going_back_shows_what_was_entered_and_loses_nothing(
    merchant_client, sandbox, jobs_run_here
):
    client = merchant_client
    start_wizard(client, name="Back and forth")
    # Back to step 1 before the draft exists: the session kept name and merchant.
    response = client.get(reverse("stores:new"))
    assert response.context["form"]["name"].value() == "Back and forth"

    store = create_draft(client, sandbox, name="Back and forth", tenant="Company")
    save_settings(client, store, order_type="so", default_warehouse="wholesale", shipment_mode="on")

    response = client.get(reverse("stores:setup_settings", args=[store.pk]))
    form = response.context["form"]
    assert form["order_type"].value() == "SO" and form["default_warehouse"].value() == "WHOLESALE"
    assert form["shipment_mode"].value() is True

    response = client.get(reverse("stores:setup_credentials", args=[store.pk]))
    text = response.content.decode()
    form = response.context["form"]
    assert form["instance_url"].value() == sandbox.base_url
    assert form["client_id"].value() == sandbox.config.client_id
    assert form["username"].value() == sandbox.config.username
    assert form["tenant"].value() == "Company"
    assert text.count("Stored — leave blank to keep it.") == 2
    assert_no_secret_in(response, sandbox)

    response = client.get(reverse("stores:setup_basics", args=[store.pk]))
    assert response.context["form"]["name"].value() == "Back and forth"

    # Re-submitting the sign-in step with blank secrets keeps them: the test still passes.
    values = credentials_for(sandbox, client_secret="", password="", tenant="Company")
    response = client.post(reverse("stores:setup_credentials", args=[store.pk]), values)
    assert response.status_code == 302
    save_settings(client, store)
    run_test_step(client, store)
    assert store.last_test_passed is True
    assert_no_secret_in_session(client, sandbox)

    # Reloading step 2 of a new store after its draft exists continues with that draft.
    response = client.get(reverse("stores:new_credentials"))
    assert response["Location"] == reverse("stores:setup_credentials", args=[store.pk])
    assert StoreConnection.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"instance_url": "ftp://erp.example.com"}, "instance_url", "must start with https://"),
        ({"instance_url": "https://"}, "instance_url", "has no host name"),
        (
            {"instance_url": "https://erp.example.com/AcumaticaERP?x=1"},
            "instance_url",
            "without ?query or #fragment",
        ),
        ({"client_id": "not-a-guid"}, "client_id", "A Client ID looks like"),
        (
            {"client_id": "B5D1E5A2-7C1F-4E36-9A0B-1F2E3D4C5B6A"},
            "client_id",
            "missing its @Tenant suffix",
        ),
        ({"tenant": "Other"}, "tenant", "belongs to tenant 'Company' but Tenant says 'Other'"),
        ({"client_secret": ""}, "client_secret", "This field is required."),
        ({"password": ""}, "password", "This field is required."),
        ({"username": ""}, "username", "This field is required."),
    ],
)
def test_sign_in_errors_are_shown_next_to_the_field(
    merchant_client, sandbox, overrides, field, message
):
    start_wizard(merchant_client, name="Typo store")
    response = merchant_client.post(
        reverse("stores:new_credentials"), credentials_for(sandbox, **overrides)
    )
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert response.context["form"].errors[field]
    assert not StoreConnection.objects.exists()
    # What was typed comes back, except the secrets.
    assert_no_secret_in(response, sandbox)
    assert_no_secret_in_session(merchant_client, sandbox)


def test_a_private_instance_address_is_refused_in_production(merchant_client, sandbox, settings):
    settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = False
    start_wizard(merchant_client, name="Sneaky")
    response = merchant_client.post(reverse("stores:new_credentials"), credentials_for(sandbox))
    assert response.status_code == 200
    assert "private, loopback or link-local address" in response.content.decode()
    assert not StoreConnection.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"endpoint_name": "1 bad"}, "endpoint_name", "An endpoint name is letters"),
        ({"endpoint_version": "24.2"}, "endpoint_version", "An endpoint version looks like"),
        ({"endpoint_version": ""}, "endpoint_version", "This field is required."),
        ({"order_type": "S-O"}, "order_type", "An order type is two capital letters"),
        ({"default_warehouse": "MAIN WH"}, "default_warehouse", "A warehouse ID is up to 30"),
        ({"oauth_scope": "offline_access"}, "oauth_scope", 'must include "api"'),
    ],
)
def test_settings_errors_are_shown_next_to_the_field(
    merchant_client, sandbox, overrides, field, message
):
    store = create_draft(merchant_client, sandbox)
    response = merchant_client.post(
        reverse("stores:setup_settings", args=[store.pk]), {**SETTINGS_DEFAULTS, **overrides}
    )
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert response.context["form"].errors[field]
    store.refresh_from_db()
    assert store.endpoint_version == "24.200.001" and store.order_type == "SO"


def test_a_failing_test_names_the_cause_and_activation_is_refused(
    merchant_client, sandbox, jobs_run_here
):
    client = merchant_client
    store = create_draft(client, sandbox, password="not-the-password", sign_in_fails=True)
    save_settings(client, store)
    response = run_test_step(client, store)

    assert store.last_test_passed is False
    text = response.content.decode()
    assert "Connection test failed" in text
    failed = [check for check in store.last_test_result if check["status"] == "fail"]
    assert failed
    assert html.escape(failed[0]["message"]) in text
    assert "Next: review and activate" not in text
    assert len(sandbox.sessions) == 0

    review = client.get(reverse("stores:setup_review", args=[store.pk]))
    assert '<button type="submit" disabled' in review.content.decode()
    assert "activate without a passing test" not in review.content.decode()  # staff only

    response = client.post(reverse("stores:activate", args=[store.pk]), follow=True)
    store.refresh_from_db()
    assert store.status == StoreStatus.DRAFT
    assert "has not passed with the current settings" in response.content.decode()

    # A merchant user cannot force it either, even with a hand-made request.
    response = client.post(
        reverse("stores:activate", args=[store.pk]),
        {"force": "True", "force_reason": "trust me"},
        follow=True,
    )
    store.refresh_from_db()
    assert store.status == StoreStatus.DRAFT and not store.forced_activation_reason
    assert "Only 3PL staff" in response.content.decode()

    # Fixing the password on the sign-in step makes the next test pass.
    values = credentials_for(sandbox, client_secret="")
    client.post(reverse("stores:setup_credentials", args=[store.pk]), values)
    run_test_step(client, store)
    assert store.last_test_passed is True


def test_an_operator_may_force_activation_with_a_reason(
    operator_client, sandbox, merchant, jobs_run_here
):
    client = operator_client
    store = create_draft(
        client, sandbox, basics={"merchant": merchant.pk}, password="wrong", sign_in_fails=True
    )
    run_test_step(client, store)
    assert store.last_test_passed is False

    review = client.get(reverse("stores:setup_review", args=[store.pk]))
    assert "activate without a passing test" in review.content.decode()

    response = client.post(
        reverse("stores:activate", args=[store.pk]), {"force": "True", "force_reason": "  "}
    )
    assert response.status_code == 200
    assert "Say why the store should run without a passing test." in response.content.decode()
    store.refresh_from_db()
    assert store.status == StoreStatus.DRAFT

    response = client.post(
        reverse("stores:activate", args=[store.pk]),
        {"force": "True", "force_reason": "Partner is fixing the role today"},
        follow=True,
    )
    store.refresh_from_db()
    assert store.status == StoreStatus.ACTIVE
    assert "Partner is fixing the role today" in store.forced_activation_reason
    assert "tpl-operator" in store.forced_activation_reason
    assert "Partner is fixing the role today" in response.content.decode()


def test_a_new_merchant_is_not_created_when_the_sign_in_step_fails(operator_client, sandbox):
    start_wizard(operator_client, name="Shop", new_merchant="Maybe Co")
    response = operator_client.post(
        reverse("stores:new_credentials"), credentials_for(sandbox, client_id="bad")
    )
    assert response.status_code == 200
    assert not Merchant.objects.filter(name="Maybe Co").exists()


def test_step_two_without_step_one_starts_over(merchant_client):
    response = merchant_client.get(reverse("stores:new_credentials"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("stores:new")
    assert "Start with the store&#x27;s name." in response.content.decode()

"""The store list, a store's page, editing it, and pause / resume / delete / test again."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from stores import crypto
from stores.models import Role, StoreConnection, StoreSecrets, StoreStatus
from stores.services import store_activate, store_record_test

from .pages import SETTINGS_DEFAULTS, assert_no_secret_in, credentials_for


@pytest.fixture
def merchant_user(user_factory, merchant):
    return user_factory(Role.MERCHANT_USER, merchant=merchant, username="acme-user")


@pytest.fixture
def active_store(sandbox, store_factory, merchant):
    store = store_factory(sandbox, merchant=merchant, name="Acme main")
    store_record_test(
        store=store,
        passed=True,
        checks=[
            {
                "key": "sign_in",
                "title": "Sign in",
                "status": "pass",
                "message": "Signed in as admin.",
                "fix": "",
            }
        ],
    )
    return store_activate(store=store)


def edit_values(sandbox, store, **overrides) -> dict:
    values = {
        "name": store.name,
        "import_interval_minutes": store.import_interval_minutes,
        **credentials_for(sandbox, client_secret="", password=""),
        **SETTINGS_DEFAULTS,
    }
    values.update(overrides)
    return values


def stored_secret(store, name: str) -> str:
    return crypto.decrypt(getattr(StoreSecrets.objects.get(store=store), name))


# --------------------------------------------------------------------------- who sees what
def test_pages_need_signing_in(client, db):
    for url in (reverse("home"), reverse("stores:list"), reverse("stores:new")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_home_goes_to_the_dashboard(client, merchant_user):
    client.force_login(merchant_user)
    assert client.get(reverse("home"))["Location"] == reverse("console:dashboard")


def test_a_user_without_a_role_gets_an_explanation_not_an_error(client, db):
    user = get_user_model().objects.create_user(username="nobody", password="x")
    client.force_login(user)
    for url in (reverse("stores:list"), reverse("stores:new")):
        response = client.get(url)
        assert response.status_code == 200
        assert "Your account has no access yet" in response.content.decode()


def test_the_list_shows_each_store_with_status_mode_version_and_last_test(
    client, sandbox, store_factory, merchant, merchant_factory, merchant_user, operator_user
):
    store_factory(sandbox, merchant=merchant, name="Acme draft")
    store_factory(sandbox, merchant=merchant, name="Acme shipments", shipment_mode=True)
    store_factory(sandbox, merchant=merchant_factory("Globex"), name="Globex store")

    client.force_login(merchant_user)
    text = client.get(reverse("stores:list")).content.decode()
    assert "Acme draft" in text and "Acme shipments" in text and "Globex" not in text
    assert "Not tested yet." in text and "since" in text
    assert "Shipments" in text and "Sales orders" in text and "24.200.001" in text
    assert "never run" in text
    assert_no_secret_in(client.get(reverse("stores:list")), sandbox)

    client.force_login(operator_user)
    text = client.get(reverse("stores:list")).content.decode()
    assert "Globex store" in text and "Acme Outdoor" in text


def test_an_empty_list_says_what_is_needed(client, merchant_user):
    client.force_login(merchant_user)
    text = client.get(reverse("stores:list")).content.decode()
    assert "No store is connected yet." in text and "SM303010" in text


def test_the_store_page_shows_settings_status_and_each_check(
    client, sandbox, active_store, merchant_user
):
    store_record_test(
        store=active_store,
        passed=False,
        checks=[
            {
                "key": "roles",
                "title": "Access to Stock Items",
                "status": "fail",
                "message": "The user's role cannot open Stock Items.",
                "fix": "Give the role access to Stock Items (IN202500).",
            },
            {"key": "x", "title": "Package contents", "status": "skip", "message": "", "fix": ""},
        ],
    )
    client.force_login(merchant_user)
    response = client.get(reverse("stores:detail", args=[active_store.pk]))
    text = html.unescape(response.content.decode())
    assert "Needs attention" in text and "The user's role cannot open Stock Items." in text
    assert "Give the role access to Stock Items (IN202500)." in text
    assert "Skipped" in text
    assert sandbox.base_url in text and sandbox.config.client_id in text
    assert "stored (encrypted)" in text
    assert "Run connection test again" in text and "Pause imports" in text
    assert "Delete…" not in text  # merchant users cannot delete
    assert_no_secret_in(response, sandbox)


def test_running_the_test_again_from_the_store_page(
    client, sandbox, store_factory, merchant_user, jobs_run_here, django_capture_on_commit_callbacks
):
    store = store_factory(sandbox, merchant=merchant_user.connector_profile.merchant)
    client.force_login(merchant_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("stores:test", args=[store.pk]))
    detail = reverse("stores:detail", args=[store.pk])
    assert response.status_code == 302 and response["Location"] == f"{detail}#connection-test"
    response = client.get(detail)
    store.refresh_from_db()
    assert store.last_test_passed is True and store.last_test_at
    assert "Connection test passed." in response.content.decode()
    assert len(sandbox.sessions) == 0
    assert client.get(reverse("stores:test", args=[store.pk])).status_code == 405


# --------------------------------------------------------------------------- edit
def test_edit_keeps_secrets_when_blank_and_replaces_them_when_given(
    client, sandbox, store_factory, merchant_user
):
    store = store_factory(sandbox, merchant=merchant_user.connector_profile.merchant, name="Old")
    client.force_login(merchant_user)

    response = client.get(reverse("stores:edit", args=[store.pk]))
    assert response.context["form"]["name"].value() == "Old"
    assert response.content.decode().count("Stored — leave blank to keep it.") == 2
    assert_no_secret_in(response, sandbox)

    response = client.post(
        reverse("stores:edit", args=[store.pk]),
        edit_values(sandbox, store, name="New name", import_interval_minutes=15),
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.name == "New name" and store.import_interval_minutes == 15
    assert stored_secret(store, "password") == sandbox.config.password
    assert stored_secret(store, "client_secret") == sandbox.config.client_secret

    client.post(
        reverse("stores:edit", args=[store.pk]),
        edit_values(sandbox, store, password="a-new-password", client_secret="a-new-secret"),
    )
    assert stored_secret(store, "password") == "a-new-password"
    assert stored_secret(store, "client_secret") == "a-new-secret"


def test_edit_shows_every_field_error_without_saving(client, sandbox, active_store, merchant_user):
    client.force_login(merchant_user)
    response = client.post(
        reverse("stores:edit", args=[active_store.pk]),
        edit_values(
            sandbox,
            active_store,
            instance_url="mailto:x",
            client_id="nope",
            endpoint_version="1",
            order_type="SOX",
            import_interval_minutes="0",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    for field in ("instance_url", "client_id", "endpoint_version", "order_type"):
        assert field in errors
    assert "import_interval_minutes" in errors
    active_store.refresh_from_db()
    assert active_store.status == StoreStatus.ACTIVE and active_store.order_type == "SO"


def test_changing_the_connection_sends_an_active_store_back_to_draft_and_says_so(
    client, sandbox, active_store, merchant_user
):
    client.force_login(merchant_user)
    response = client.get(reverse("stores:edit", args=[active_store.pk]))
    assert "takes it back to <strong>draft</strong>" in response.content.decode()

    # The name alone does not touch the connection.
    client.post(
        reverse("stores:edit", args=[active_store.pk]),
        edit_values(sandbox, active_store, name="Renamed"),
    )
    active_store.refresh_from_db()
    assert active_store.status == StoreStatus.ACTIVE

    response = client.post(
        reverse("stores:edit", args=[active_store.pk]),
        edit_values(sandbox, active_store, endpoint_version="23.200.001"),
        follow=True,
    )
    active_store.refresh_from_db()
    assert active_store.status == StoreStatus.DRAFT
    assert "back to draft" in response.content.decode()
    assert "Continue setup" in response.content.decode()


def test_a_duplicate_name_is_refused_on_edit(client, sandbox, store_factory, merchant_user):
    merchant = merchant_user.connector_profile.merchant
    store_factory(sandbox, merchant=merchant, name="First")
    second = store_factory(sandbox, merchant=merchant, name="Second")
    client.force_login(merchant_user)
    response = client.post(
        reverse("stores:edit", args=[second.pk]), edit_values(sandbox, second, name="First")
    )
    assert response.status_code == 200
    assert "already has a store named" in html.unescape(response.content.decode())


# --------------------------------------------------------------------------- pause, resume, delete
def test_pause_and_resume(client, active_store, merchant_user):
    client.force_login(merchant_user)
    response = client.post(
        reverse("stores:pause", args=[active_store.pk]), {"reason": "stock count"}, follow=True
    )
    active_store.refresh_from_db()
    assert active_store.status == StoreStatus.PAUSED and active_store.status_reason == "stock count"
    assert "is paused" in response.content.decode() and "Resume" in response.content.decode()

    response = client.post(reverse("stores:resume", args=[active_store.pk]), follow=True)
    active_store.refresh_from_db()
    assert active_store.status == StoreStatus.ACTIVE
    assert "is active again" in response.content.decode()

    # Resuming what is not paused says why instead of failing.
    response = client.post(reverse("stores:resume", args=[active_store.pk]), follow=True)
    assert "Only a paused store can be resumed." in response.content.decode()
    # A GET only asks for confirmation.
    response = client.get(reverse("stores:pause", args=[active_store.pk]))
    assert response.status_code == 200 and "Pause imports" in response.content.decode()


def test_only_a_3pl_admin_deletes_and_only_after_confirming(
    client, sandbox, active_store, admin_user, operator_user, merchant_user
):
    url = reverse("stores:delete", args=[active_store.pk])
    for user in (operator_user, merchant_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
        assert (
            "Delete…"
            not in client.get(reverse("stores:detail", args=[active_store.pk])).content.decode()
        )
    assert StoreConnection.objects.filter(pk=active_store.pk).exists()

    client.force_login(admin_user)
    assert (
        "Delete…" in client.get(reverse("stores:detail", args=[active_store.pk])).content.decode()
    )
    response = client.get(url)
    assert response.status_code == 200 and "Delete Acme main?" in response.content.decode()
    assert StoreConnection.objects.filter(pk=active_store.pk).exists()

    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("stores:list")
    assert not StoreConnection.objects.filter(pk=active_store.pk).exists()
    assert not StoreSecrets.objects.filter(store_id=active_store.pk).exists()


def test_state_changes_need_the_csrf_token(sandbox, active_store, merchant_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(merchant_user)
    for name in ("pause", "activate", "test", "edit", "setup_test"):
        assert client.post(reverse(f"stores:{name}", args=[active_store.pk])).status_code == 403
    active_store.refresh_from_db()
    assert active_store.status == StoreStatus.ACTIVE

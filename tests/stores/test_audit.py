"""Every store action and configuration change leaves exactly one audit entry saying who, how,
what and before → after; a secret shows only as "(changed)", never its value."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from stores.audit import CHANGED
from stores.models import AuditEntry, Role, StoreConnection, StoreStatus
from stores.services import (
    store_activate,
    store_connection_test,
    store_create,
    store_delete,
    store_mark_needs_attention,
    store_pause,
    store_record_test,
    store_resume,
    store_update,
)

NEW_SECRET = "brand-new-client-secret-4711"
NEW_PASSWORD = "brand-new-password-0815"


@pytest.fixture
def staff(operator_user):
    return operator_user


@pytest.fixture
def admin(admin_user):
    return admin_user


@pytest.fixture
def store(sandbox, store_factory, merchant):
    return store_factory(sandbox, merchant=merchant, name="Acme main")


def only_entry(action: str) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action))
    assert len(entries) == 1, [e.summary for e in entries]
    return entries[0]


def audit_dump() -> str:
    """Every column of every audit row, as text."""
    return json.dumps(list(AuditEntry.objects.values()), default=str)


def test_create_records_the_settings_and_marks_the_secrets(sandbox, merchant, staff):
    config = sandbox.config
    store = store_create(
        merchant=merchant,
        name="New store",
        instance_url=sandbox.base_url,
        client_id=config.client_id,
        username=config.username,
        client_secret=config.client_secret,
        password=config.password,
        licence_api_users=2,
        actor=staff,
    )
    entry = only_entry("store.create")
    assert entry.actor == staff and entry.actor_label == "tpl-operator"
    assert entry.via == AuditEntry.Via.CONSOLE
    assert entry.store == store and entry.merchant == merchant
    assert entry.target_type == "storeconnection" and entry.target_id == str(store.pk)
    assert entry.after["instance_url"] == sandbox.base_url
    assert entry.after["licence_api_users"] == 2
    assert entry.after["client_secret"] == CHANGED and entry.after["password"] == CHANGED
    for secret in (config.client_secret, config.password):
        assert secret not in audit_dump()


def test_update_records_exactly_the_changed_fields(store, staff):
    AuditEntry.objects.all().delete()
    store_update(store=store, actor=staff, name="Renamed", import_interval_minutes=10)
    entry = only_entry("store.update")
    assert entry.before == {"name": "Acme main", "import_interval_minutes": 5}
    assert entry.after == {"name": "Renamed", "import_interval_minutes": 10}
    assert entry.actor == staff and entry.via == "console"

    # Saving the same values again is no change and records nothing.
    store_update(store=store, actor=staff, name="Renamed", import_interval_minutes=10)
    assert AuditEntry.objects.filter(action="store.update").count() == 1


def test_a_new_secret_is_changed_and_its_value_is_nowhere_in_the_audit(store, staff):
    AuditEntry.objects.all().delete()
    store_update(store=store, actor=staff, client_secret=NEW_SECRET, password=NEW_PASSWORD)
    entry = only_entry("store.update")
    assert entry.after["client_secret"] == CHANGED and entry.after["password"] == CHANGED
    assert entry.before["client_secret"] == "" and entry.before["password"] == ""
    dump = audit_dump()
    assert NEW_SECRET not in dump and NEW_PASSWORD not in dump


def test_changing_the_connection_of_an_active_store_records_the_way_back_to_draft(
    sandbox, store_factory, merchant, staff
):
    store = store_factory(sandbox, merchant=merchant, active=True)
    AuditEntry.objects.all().delete()
    store_update(store=store, actor=staff, order_type="IN")
    entry = only_entry("store.update")
    assert entry.before["order_type"] == "SO" and entry.after["order_type"] == "IN"
    assert entry.before["status"] == "active" and entry.after["status"] == "draft"
    assert "back to draft" in entry.summary


def test_licence_limits_are_audited_but_keep_the_connection_test(sandbox, store, staff):
    store_record_test(store=store, passed=True, checks=[])
    store_activate(store=store, actor=staff)
    AuditEntry.objects.all().delete()
    store_update(store=store, actor=staff, licence_requests_per_minute=60)
    store.refresh_from_db()
    assert store.status == StoreStatus.ACTIVE and store.last_test_passed
    entry = only_entry("store.update")
    assert entry.before == {"licence_requests_per_minute": None}
    assert entry.after == {"licence_requests_per_minute": 60}


def test_activate_pause_resume_and_forced_activation(store, staff):
    store_activate(store=store, actor=staff, force_reason="partner confirmed the role")
    entry = only_entry("store.activate")
    assert entry.reason == "partner confirmed the role" and "forced" in entry.summary
    assert entry.before["status"] == "draft" and entry.after["status"] == "active"

    store_pause(store=store, actor=staff, reason="stock count")
    entry = only_entry("store.pause")
    assert entry.reason == "stock count"
    assert entry.before == {"status": "active", "status_reason": ""}
    assert entry.after == {"status": "paused", "status_reason": "stock count"}

    store_resume(store=store, actor=staff)
    entry = only_entry("store.resume")
    assert entry.after["status"] == "active" and entry.actor == staff


def test_a_connection_test_is_an_audited_action(sandbox, store_factory, merchant, staff):
    good = store_factory(sandbox, merchant=merchant, name="Good")
    bad = store_factory(sandbox, merchant=merchant, name="Bad", password="wrong-password")
    AuditEntry.objects.all().delete()

    assert store_connection_test(store=good, actor=staff).passed
    assert not store_connection_test(store=bad, actor=None, via="cli").passed

    passed = AuditEntry.objects.get(action="store.test", store=good)
    assert passed.summary == "Connection test passed." and passed.after == {"passed": True}
    assert passed.actor == staff
    failed = AuditEntry.objects.get(action="store.test", store=bad)
    assert failed.summary.startswith("Connection test failed: ") and len(failed.summary) > 25
    assert failed.after == {"passed": False} and failed.via == "cli"
    assert "wrong-password" not in audit_dump()


def test_needs_attention_is_recorded_once_per_change(sandbox, store_factory, merchant):
    store = store_factory(sandbox, merchant=merchant, active=True)
    for _ in range(3):
        store_mark_needs_attention(store=store, reason="Acumatica refused the credentials.")
    entry = only_entry("store.needs_attention")
    assert entry.actor is None and entry.actor_label == "system" and entry.via == "system"
    assert entry.after["status"] == "needs_attention"

    store_mark_needs_attention(store=store, reason="The user lost its Sales Orders rights.")
    assert AuditEntry.objects.filter(action="store.needs_attention").count() == 2


def test_delete_keeps_the_label_of_the_gone_store(store, admin):
    label = str(store)
    store_delete(store=store, actor=admin, via="admin")
    entry = only_entry("store.delete")
    assert not StoreConnection.objects.filter(pk=store.pk).exists()
    assert entry.store is None and entry.store_label == label
    assert entry.target_label == label and entry.via == "admin" and entry.actor == admin
    assert entry.before["name"] == "Acme main"


# --------------------------------------------------------------------------- console pages
@pytest.fixture
def merchant_user(user_factory, merchant):
    return user_factory(Role.MERCHANT_USER, merchant=merchant, username="acme-user")


@pytest.fixture
def active_store(sandbox, store_factory, merchant):
    return store_factory(sandbox, merchant=merchant, name="Acme active", active=True)


def test_pause_asks_first_and_changes_nothing_until_confirmed(client, active_store, merchant_user):
    client.force_login(merchant_user)
    AuditEntry.objects.all().delete()
    url = reverse("stores:pause", args=[active_store.pk])

    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pause Acme active?" in text and 'name="reason"' in text
    active_store.refresh_from_db()
    assert active_store.status == StoreStatus.ACTIVE and not AuditEntry.objects.exists()

    response = client.post(url, {"reason": "stock count"})
    assert response.status_code == 302
    active_store.refresh_from_db()
    assert active_store.status == StoreStatus.PAUSED
    entry = only_entry("store.pause")
    assert entry.actor == merchant_user and entry.via == "console"
    assert entry.reason == "stock count"


def test_a_too_long_pause_reason_is_a_field_error_not_a_500(client, active_store, merchant_user):
    client.force_login(merchant_user)
    response = client.post(reverse("stores:pause", args=[active_store.pk]), {"reason": "x" * 600})
    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    active_store.refresh_from_db()
    assert active_store.status == StoreStatus.ACTIVE


def test_resume_asks_first_and_says_what_will_happen(client, active_store, merchant_user):
    client.force_login(merchant_user)
    store_pause(store=active_store, reason="holiday")
    url = reverse("stores:resume", args=[active_store.pk])

    page = client.get(url)
    assert page.status_code == 200 and "becomes <strong>active</strong>" in page.content.decode()
    active_store.refresh_from_db()
    assert active_store.status == StoreStatus.PAUSED

    client.post(url)
    active_store.refresh_from_db()
    assert active_store.status == StoreStatus.ACTIVE
    assert only_entry("store.resume").actor == merchant_user

    # Not paused any more: the page says so and offers no button.
    page = client.get(url).content.decode()
    assert "there is nothing to resume" in page and ">Resume</button>" not in page


def test_the_detail_page_links_to_confirmation_pages_not_to_forms_that_act(
    client, active_store, merchant_user
):
    client.force_login(merchant_user)
    text = client.get(reverse("stores:detail", args=[active_store.pk])).content.decode()
    assert f'href="{reverse("stores:pause", args=[active_store.pk])}"' in text
    assert f'action="{reverse("stores:pause", args=[active_store.pk])}"' not in text
    assert f"{reverse('console:audit_log')}?store={active_store.pk}" in text
    assert reverse("fulfillment:store_import_now", args=[active_store.pk]) in text
    assert reverse("fulfillment:store_rescan", args=[active_store.pk]) in text
    assert f"{reverse('fulfillment:import_run_list')}?store={active_store.pk}" in text
    assert f"{reverse('fulfillment:order_list')}?store={active_store.pk}" in text


@pytest.mark.parametrize("name", ["pause", "resume"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_merchants_store_cannot_be_paused_or_resumed(
    client, sandbox, store_factory, merchant_factory, merchant_user, name, method
):
    other = store_factory(sandbox, merchant=merchant_factory("Globex"), name="Globex", active=True)
    if name == "resume":
        store_pause(store=other)
    AuditEntry.objects.all().delete()
    before = other.status
    client.force_login(merchant_user)
    response = getattr(client, method)(reverse(f"stores:{name}", args=[other.pk]))
    assert response.status_code == 404 and "Globex" not in response.content.decode()
    other.refresh_from_db()
    assert other.status == before and not AuditEntry.objects.exists()


def test_the_edit_page_records_who_changed_what(client, sandbox, active_store, merchant_user):
    from .pages import SETTINGS_DEFAULTS, credentials_for

    client.force_login(merchant_user)
    AuditEntry.objects.all().delete()
    values = {
        "name": "Acme renamed",
        "import_interval_minutes": 5,
        **credentials_for(sandbox, client_secret=NEW_SECRET, password=""),
        **SETTINGS_DEFAULTS,
    }
    response = client.post(reverse("stores:edit", args=[active_store.pk]), values)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = only_entry("store.update")
    assert entry.actor == merchant_user
    assert entry.after["name"] == "Acme renamed" and entry.after["client_secret"] == CHANGED
    assert "password" not in entry.after
    assert NEW_SECRET not in audit_dump()


# --------------------------------------------------------------------------- command line, demo
def test_the_store_test_command_is_audited_via_cli(sandbox, store):
    from io import StringIO

    from django.core.management import call_command

    AuditEntry.objects.all().delete()
    call_command("store_test", str(store.pk), stdout=StringIO())
    entry = only_entry("store.test")
    assert entry.via == "cli" and entry.actor is None and entry.after == {"passed": True}


def test_the_demo_store_mirrors_the_sandbox_licence_and_is_audited_as_system(sandbox, db):
    from connector.demo_setup import demo_store_ensure

    outcome = demo_store_ensure(instance_url=sandbox.base_url, config=sandbox.config)
    store = outcome.store
    assert store.licence_api_users == sandbox.config.max_sessions == 2
    # The sandbox's 0 means "no limit": left blank rather than a limit of 0.
    assert store.licence_requests_per_minute is None
    actions = set(AuditEntry.objects.filter(store=store).values_list("action", flat=True))
    assert {"store.create", "store.test", "store.activate"} <= actions
    assert set(AuditEntry.objects.values_list("via", flat=True)) == {"system"}

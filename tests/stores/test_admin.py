"""The admin for support: finds everything, changes state only through the services, and never
shows a secret."""

from __future__ import annotations

import contextlib

import pytest
from celery import current_app
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from connector.acumatica import AcumaticaError
from stores import crypto
from stores import jobs as store_jobs
from stores import tasks as store_tasks  # noqa: F401  (registers the job)
from stores.admin.connections import MAX_TESTS_PER_ACTION
from stores.credentials import acumatica_client_for
from stores.models import (
    AcumaticaCall,
    AuditEntry,
    ConnectionTestRun,
    ConnectionTestRunStatus,
    Role,
    StoreConnection,
    StoreSecrets,
    StoreStatus,
    UserProfile,
)
from stores.services import EDITABLE_FIELDS, store_record_test


@pytest.fixture
def support_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "support", "support@example.com", "pw-for-tests-1"
    )
    client.force_login(user)
    return client


@pytest.fixture
def store(sandbox, store_factory, merchant):
    store = store_factory(sandbox, merchant=merchant, name="Main")
    with acumatica_client_for(store) as client:  # stores the OAuth tokens too
        client.list("SalesOrder", top=1)
    return store


def _secret_values(sandbox, store) -> list[str]:
    secrets = StoreSecrets.objects.get(store=store)
    values = [sandbox.config.password, sandbox.config.client_secret]
    values += [crypto.decrypt(secrets.refresh_token), crypto.decrypt(secrets.access_token)]
    # Ciphertext is no more for a page than the secret itself.
    values += [secrets.password, secrets.client_secret, secrets.refresh_token]
    return values


def _change_url(store) -> str:
    return reverse("admin:stores_storeconnection_change", args=[store.pk])


def _form_data(store, **changes) -> dict:
    data = {name: getattr(store, name) for name in EDITABLE_FIELDS}
    data.update({"new_client_secret": "", "new_password": "", **changes})
    # Unchecked checkboxes are not sent at all; a blank number is sent empty.
    data = {name: "" if value is None else value for name, value in data.items()}
    return {name: value for name, value in data.items() if value is not False}


def test_secrets_are_never_shown(support_client, sandbox, store):
    store_record_test(
        store=store,
        passed=True,
        checks=[{"key": "auth", "title": "Sign-in", "status": "pass", "message": "Signed in."}],
    )
    pages = [
        support_client.get(reverse("admin:stores_storeconnection_changelist")),
        support_client.get(_change_url(store)),
        support_client.get(reverse("admin:stores_storeconnection_add")),
        support_client.get(reverse("admin:index")),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        for secret in _secret_values(sandbox, store):
            assert secret not in text
    change_page = pages[1].content.decode()
    assert "Client secret: stored; Password: stored; OAuth refresh token: stored" in change_page
    assert 'name="new_password"' in change_page and 'name="new_client_secret"' in change_page


def test_store_secrets_have_no_admin_page(support_client):
    assert not admin.site.is_registered(StoreSecrets)
    assert support_client.get("/admin/stores/storesecrets/").status_code == 404


def test_changelist_columns_search_and_filters(support_client, sandbox, store_factory, merchant):
    store_factory(sandbox, merchant=merchant, name="Orders store")
    store_factory(sandbox, merchant=merchant, name="Shipments store", shipment_mode=True)
    url = reverse("admin:stores_storeconnection_changelist")

    page = support_client.get(url).content.decode()
    for text in (
        "Orders store",
        "Acme Outdoor",
        "Draft",
        "Sales orders",
        "Shipments",
        "24.200.001",
    ):
        assert text in page

    def names(**query) -> set[str]:
        result = support_client.get(url, query).context["cl"].result_list
        return {store.name for store in result}

    # The field's own filter, with its choice labels.
    assert "By shipment mode" in page
    assert names(shipment_mode__exact=1) == {"Shipments store"}
    assert names(shipment_mode__exact=0) == {"Orders store"}
    assert names(status__exact="draft") == {"Orders store", "Shipments store"}
    assert names(endpoint_version__exact="23.200.001") == set()
    assert names(merchant__id__exact=merchant.pk) == {"Orders store", "Shipments store"}
    assert names(q="Shipments") == {"Shipments store"}
    assert names(q="acme") == {"Orders store", "Shipments store"}
    assert names(q=sandbox.config.client_id.split("@")[0]) == {"Orders store", "Shipments store"}
    assert names(q="nothing-like-this") == set()


def test_a_new_secret_replaces_the_stored_one_and_blank_keeps_it(support_client, sandbox, store):
    before = StoreSecrets.objects.get(store=store)

    response = support_client.post(_change_url(store), _form_data(store))
    assert response.status_code == 302
    kept = StoreSecrets.objects.get(store=store)
    assert (kept.password, kept.client_secret) == (before.password, before.client_secret)

    response = support_client.post(_change_url(store), _form_data(store, new_password="n3w-pw"))
    assert response.status_code == 302
    changed = StoreSecrets.objects.get(store=store)
    assert crypto.decrypt(changed.password) == "n3w-pw"
    assert changed.client_secret == before.client_secret
    # store_secrets_set drops the tokens of the old credentials.
    assert changed.refresh_token == "" and changed.access_token == ""
    history = LogEntry.objects.filter(object_id=str(store.pk)).first().get_change_message()
    assert "n3w-pw" not in history


def test_saving_goes_through_the_services(support_client, sandbox, store):
    store.last_test_passed = True
    store.save()
    store.status = StoreStatus.ACTIVE
    store.save()

    response = support_client.post(
        _change_url(store), _form_data(store, endpoint_version="23.200.001")
    )

    assert response.status_code == 302
    store.refresh_from_db()
    assert store.endpoint_version == "23.200.001"
    # store_update: the last test says nothing about the new settings.
    assert store.status == StoreStatus.DRAFT and store.last_test_passed is None


def test_bad_values_are_refused_with_the_validators_messages(support_client, sandbox, store):
    response = support_client.post(
        _change_url(store),
        _form_data(
            store,
            client_id="B5D1E5A2-7C1F-4E36-9A0B-1F2E3D4C5B6A",
            order_type="S-",
            tenant="Other",
            instance_url="ftp://erp.example.com/",
        ),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "missing its @Tenant suffix" in " ".join(errors["client_id"])
    assert "two capital letters" in " ".join(errors["order_type"])
    assert "instance_url" in errors
    store.refresh_from_db()
    assert store.order_type == "SO"


def test_a_store_added_in_the_admin_is_a_draft_with_encrypted_secrets(
    support_client, sandbox, merchant
):
    data = {
        "merchant": merchant.pk,
        "name": "From the admin",
        "instance_url": sandbox.base_url,
        "client_id": sandbox.config.client_id,
        "username": sandbox.config.username,
        "endpoint_name": "Default",
        "endpoint_version": "24.200.001",
        "order_type": "SO",
        "oauth_scope": "api offline_access",
        "import_interval_minutes": 5,
        "new_client_secret": sandbox.config.client_secret,
        "new_password": sandbox.config.password,
    }
    missing_secret = support_client.post(
        reverse("admin:stores_storeconnection_add"), {**data, "new_password": ""}
    )
    assert missing_secret.status_code == 200
    assert "new_password" in missing_secret.context["adminform"].form.errors

    response = support_client.post(reverse("admin:stores_storeconnection_add"), data)

    assert response.status_code == 302
    store = StoreConnection.objects.get(name="From the admin")
    assert store.status == StoreStatus.DRAFT
    with acumatica_client_for(store) as client:
        assert client.list("SalesOrder", top=1)


def test_pause_and_resume_actions(support_client, sandbox, store):
    url = reverse("admin:stores_storeconnection_changelist")
    store.last_test_passed = True
    store.status = StoreStatus.ACTIVE
    store.save()

    support_client.post(url, {"action": "pause", "_selected_action": [store.pk]})
    store.refresh_from_db()
    assert store.status == StoreStatus.PAUSED
    assert "in the admin" in store.status_reason

    support_client.post(url, {"action": "resume", "_selected_action": [store.pk]})
    store.refresh_from_db()
    assert store.status == StoreStatus.ACTIVE

    response = support_client.post(
        url, {"action": "resume", "_selected_action": [store.pk]}, follow=True
    )
    assert "Only a paused store can be resumed." in response.content.decode()
    messages = [entry.get_change_message() for entry in LogEntry.objects.all()]
    assert "Paused" in messages and "Resumed (Active)" in messages


def test_run_connection_test_action_queues_the_test_in_the_background(
    support_client, sandbox, store, queued_jobs, django_capture_on_commit_callbacks
):
    """Before: the action ran each test inside the admin request. Now it queues a run as the
    store's page does, answers at once, and says where to follow it."""
    url = reverse("admin:stores_storeconnection_changelist")
    requests_before = len(sandbox.request_log)

    with django_capture_on_commit_callbacks(execute=True):
        response = support_client.post(
            url, {"action": "run_connection_test", "_selected_action": [store.pk]}, follow=True
        )

    assert len(sandbox.request_log) == requests_before, "the request called Acumatica"
    run = ConnectionTestRun.objects.get(store=store)
    assert run.status == ConnectionTestRunStatus.QUEUED
    assert run.requested_by.username == "support" and run.via == "admin"
    assert queued_jobs[store_jobs.RUN_CONNECTION_TEST] == [(run.pk,)]
    store.refresh_from_db()
    assert store.last_test_at is None
    page = response.content.decode()
    assert "Main: connection test queued; it runs in the background." in page
    assert f'href="{reverse("stores:detail", args=[store.pk])}"' in page
    assert f'href="{_change_url(store)}"' in page
    assert LogEntry.objects.get(object_id=str(store.pk)).change_message == (
        f"Queued the connection test (run {run.pk})"
    )
    assert "Waiting to start" in support_client.get(_change_url(store)).content.decode()

    # The worker runs it: the result lands on the store and on its admin page.
    current_app.tasks[store_jobs.RUN_CONNECTION_TEST].apply(args=(run.pk,))
    store.refresh_from_db()
    assert store.last_test_passed is True and store.last_test_at is not None
    page = support_client.get(_change_url(store)).content.decode()
    assert "<li><strong>PASS</strong>" in page and "Passed (queued " in page
    for secret in _secret_values(sandbox, store):
        assert secret not in page


def test_run_connection_test_action_keeps_one_test_in_flight_per_store(
    support_client,
    sandbox,
    store,
    store_factory,
    merchant,
    queued_jobs,
    django_capture_on_commit_callbacks,
):
    other = store_factory(sandbox, merchant=merchant, name="Second")
    url = reverse("admin:stores_storeconnection_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        support_client.post(url, {"action": "run_connection_test", "_selected_action": [store.pk]})
        response = support_client.post(
            url,
            {"action": "run_connection_test", "_selected_action": [store.pk, other.pk]},
            follow=True,
        )

    first = ConnectionTestRun.objects.get(store=store)
    second = ConnectionTestRun.objects.get(store=other)
    assert queued_jobs[store_jobs.RUN_CONNECTION_TEST] == [(first.pk,), (second.pk,)]
    page = response.content.decode()
    assert "Main: a connection test is already waiting to start;" in page
    assert "Second: connection test queued;" in page

    # Finished: the next action is a new test.
    current_app.tasks[store_jobs.RUN_CONNECTION_TEST].apply(args=(first.pk,))
    with django_capture_on_commit_callbacks(execute=True):
        support_client.post(url, {"action": "run_connection_test", "_selected_action": [store.pk]})
    assert ConnectionTestRun.objects.filter(store=store).count() == 2


def test_run_connection_test_action_refuses_too_many_stores(
    support_client, sandbox, store_factory, merchant, queued_jobs
):
    stores = [
        store_factory(sandbox, merchant=merchant, name=f"Store {n}")
        for n in range(MAX_TESTS_PER_ACTION + 1)
    ]
    response = support_client.post(
        reverse("admin:stores_storeconnection_changelist"),
        {"action": "run_connection_test", "_selected_action": [s.pk for s in stores]},
        follow=True,
    )
    assert f"Select at most {MAX_TESTS_PER_ACTION} stores" in response.content.decode()
    assert not ConnectionTestRun.objects.exists()


def test_merchant_admin_counts_users_and_stores(
    support_client, sandbox, store_factory, merchant, user_factory
):
    store_factory(sandbox, merchant=merchant)
    store_factory(sandbox, merchant=merchant)
    user_factory(Role.MERCHANT_USER, merchant=merchant)

    response = support_client.get(reverse("admin:stores_merchant_changelist"), {"q": "acme"})

    merchant_row = response.context["cl"].result_list.get()
    assert (merchant_row.user_count, merchant_row.store_count) == (1, 2)


def test_user_admin_edits_the_role_inline(support_client, merchant, django_user_model):
    user = django_user_model.objects.create_user("packer", password="pw-for-tests-1")
    url = reverse("admin:auth_user_change", args=[user.pk])
    page = support_client.get(url)
    assert page.status_code == 200
    assert 'name="connector_profile-0-role"' in page.content.decode()

    data = {
        "username": "packer",
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "connector_profile-TOTAL_FORMS": "1",
        "connector_profile-INITIAL_FORMS": "0",
        "connector_profile-MIN_NUM_FORMS": "0",
        "connector_profile-MAX_NUM_FORMS": "1",
        "connector_profile-0-role": Role.MERCHANT_USER,
        "connector_profile-0-merchant": merchant.pk,
        "connector_profile-0-user": user.pk,
    }
    response = support_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    profile = UserProfile.objects.get(user=user)
    assert (profile.role, profile.merchant) == (Role.MERCHANT_USER, merchant)
    listing = support_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Merchant user of Acme Outdoor" in listing


# --------------------------------------------------------------------------- audit from the admin
def test_admin_actions_and_edits_are_audited_via_admin(
    support_client, sandbox, store, jobs_run_here, django_capture_on_commit_callbacks
):
    AuditEntry.objects.all().delete()
    store.last_test_passed = True
    store.status = StoreStatus.ACTIVE
    store.save()
    url = reverse("admin:stores_storeconnection_changelist")

    support_client.post(url, {"action": "pause", "_selected_action": [store.pk]})
    pause = AuditEntry.objects.get(action="store.pause")
    assert pause.via == "admin" and pause.actor_label == "support"
    assert pause.before["status"] == "active" and pause.after["status"] == "paused"

    # Queued as from the store's page; its job, run when the request commits, audits the result
    # as the admin user, via the admin.
    with django_capture_on_commit_callbacks(execute=True):
        support_client.post(url, {"action": "run_connection_test", "_selected_action": [store.pk]})
    test = AuditEntry.objects.get(action="store.test")
    assert test.via == "admin" and test.actor_label == "support" and test.after["passed"] is True

    response = support_client.post(
        _change_url(store),
        _form_data(store, name="Renamed in admin", licence_requests_per_minute=30),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    update = AuditEntry.objects.get(action="store.update")
    assert update.via == "admin" and update.actor_label == "support"
    assert update.before == {"name": "Main", "licence_requests_per_minute": None}
    assert update.after == {"name": "Renamed in admin", "licence_requests_per_minute": 30}


def test_a_licence_limit_below_one_is_refused_in_the_admin(support_client, sandbox, store):
    response = support_client.post(_change_url(store), _form_data(store, licence_api_users=0))
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()
    store.refresh_from_db()
    assert store.licence_api_users is None


def test_audit_and_call_pages_are_read_only_and_show_no_secret(support_client, sandbox, store):
    sandbox.faults.add(kind="error500", match="GET */SalesOrder", times=1)
    with (
        acumatica_client_for(store, purpose="import") as client,
        contextlib.suppress(AcumaticaError),
    ):
        client.list("SalesOrder", top=1)
    new_secret = "admin-typed-secret-31337"
    secrets = [new_secret, *_secret_values(sandbox, store)]
    support_client.post(_change_url(store), _form_data(store, new_client_secret=new_secret))
    entry = AuditEntry.objects.get(action="store.update")
    failed_call = AcumaticaCall.objects.filter(store=store, status=500).get()
    assert failed_call.response_excerpt

    pages = [
        reverse("admin:stores_auditentry_changelist"),
        reverse("admin:stores_auditentry_changelist") + "?via__exact=admin&q=secret",
        reverse("admin:stores_auditentry_change", args=[entry.pk]),
        reverse("admin:stores_acumaticacall_changelist"),
        reverse("admin:stores_acumaticacall_changelist") + "?status=500&q=SalesOrder",
        reverse("admin:stores_acumaticacall_change", args=[failed_call.pk]),
    ]
    for url in pages:
        response = support_client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for secret in secrets:
            assert secret not in text, url
    detail = support_client.get(pages[2]).content.decode()
    assert "<pre>" in detail and "(changed)" in detail
    call_page = support_client.get(pages[5]).content.decode()
    assert "<pre>" in call_page and "Operation failed" in call_page

    # Nobody adds or edits either; only a superuser deletes calls, and nobody audit entries.
    assert support_client.get(reverse("admin:stores_auditentry_add")).status_code == 403
    assert support_client.get(reverse("admin:stores_acumaticacall_add")).status_code == 403
    assert (
        support_client.get(reverse("admin:stores_auditentry_delete", args=[entry.pk])).status_code
        == 403
    )
    delete_call = reverse("admin:stores_acumaticacall_delete", args=[failed_call.pk])
    assert support_client.get(delete_call).status_code == 200
    support_client.post(delete_call, {"post": "yes"})
    assert not AcumaticaCall.objects.filter(pk=failed_call.pk).exists()


def test_a_staff_user_who_is_not_superuser_cannot_delete_calls(client, django_user_model, store):
    from django.contrib.auth.models import Permission

    staff = django_user_model.objects.create_user("staffer", password="pw-for-tests-1")
    staff.is_staff = True
    staff.save()
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_acumaticacall", "delete_acumaticacall"])
    )
    client.force_login(staff)
    with acumatica_client_for(store) as acumatica:
        acumatica.list("SalesOrder", top=1)
    call = AcumaticaCall.objects.filter(store=store).first()
    assert client.get(reverse("admin:stores_acumaticacall_changelist")).status_code == 200
    url = reverse("admin:stores_acumaticacall_delete", args=[call.pk])
    assert client.get(url).status_code == 403

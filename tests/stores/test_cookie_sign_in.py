"""Cookie sign-in (``auth_method`` cookie), against the sandbox over real HTTP: chosen in the
wizard and on the edit page without a Client ID or Secret, the connection test and the import
sign in with ``/entity/auth/login`` (never the token endpoint) and sign out, and the test tells
a wrong tenant from a wrong password, as Acumatica's answers differ (API.md §1.1)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stores.credentials import store_has_secrets
from stores.models import AcumaticaCall, AuthMethod, Role, StoreConnection
from stores.services import store_connection_test

from .pages import credentials_for, start_wizard

pytestmark = pytest.mark.django_db


def _cookie_store(store_factory, sandbox, **overrides):
    return store_factory(
        sandbox,
        auth_method=AuthMethod.COOKIE,
        client_id="",
        client_secret=None,
        **overrides,
    )


def _check(result, key):
    return next(c for c in result.checks if c.key == key)


def test_the_connection_test_signs_in_with_a_cookie_session_and_out_again(sandbox, store_factory):
    store = _cookie_store(store_factory, sandbox)
    result = store_connection_test(store=store)
    assert result.passed, result.to_dicts()
    assert _check(result, "client_id").status == "skip"
    assert "cookie sign-in" in _check(result, "sign_in").message
    paths = list(AcumaticaCall.objects.filter(store=store).values_list("path", flat=True))
    assert any(p.endswith("/entity/auth/login") for p in paths)
    assert any(p.endswith("/entity/auth/logout") for p in paths)
    assert not any("/identity/connect/token" in p for p in paths)
    assert len(sandbox.sessions) == 0


def test_a_wrong_password_and_a_wrong_tenant_get_different_messages(sandbox_factory, store_factory):
    sandbox = sandbox_factory(tenants=["Company", "Retail"])
    wrong_password = _cookie_store(store_factory, sandbox, password="not-it", tenant="Retail")
    wrong_tenant = _cookie_store(store_factory, sandbox, tenant="Nowhere")
    right_tenant = _cookie_store(store_factory, sandbox, tenant="Retail")

    password_check = _check(store_connection_test(store=wrong_password), "sign_in")
    tenant_check = _check(store_connection_test(store=wrong_tenant), "sign_in")
    assert password_check.status == tenant_check.status == "fail"
    assert "rejected the username" in password_check.message
    assert "tenant “Retail”" in password_check.message
    assert "has no tenant “Nowhere” (the Tenant field)" in tenant_check.message
    assert "not-it" not in password_check.message + password_check.fix
    assert store_connection_test(store=right_tenant).passed


def test_imports_use_the_cookie_session(sandbox, store_factory, run_import):
    store = _cookie_store(store_factory, sandbox, active=True)
    run = run_import(store)
    assert run.status == "succeeded", run.error if hasattr(run, "error") else run
    paths = list(AcumaticaCall.objects.filter(store=store).values_list("path", flat=True))
    assert any(p.endswith("/entity/auth/login") for p in paths)
    assert not any("/identity/connect/token" in p for p in paths)
    assert len(sandbox.sessions) == 0


def test_the_wizard_takes_cookie_sign_in_without_client_id_or_secret(
    client, sandbox, user_factory, merchant
):
    client.force_login(user_factory(Role.MERCHANT_USER, merchant=merchant))
    start_wizard(client, name="Cookie store")
    values = credentials_for(sandbox, client_id="", client_secret="", auth_method="cookie")
    response = client.post(reverse("stores:new_credentials"), values)
    assert response.status_code == 302, response.content.decode()[:2000]
    store = StoreConnection.objects.get(name="Cookie store")
    assert store.auth_method == AuthMethod.COOKIE and store.client_id == ""
    assert store_has_secrets(store)["password"] and not store_has_secrets(store)["client_secret"]


def test_oauth_still_needs_the_client_id_and_secret(client, sandbox, user_factory, merchant):
    client.force_login(user_factory(Role.MERCHANT_USER, merchant=merchant))
    start_wizard(client, name="OAuth store")
    values = credentials_for(sandbox, client_id="", client_secret="", auth_method="oauth")
    response = client.post(reverse("stores:new_credentials"), values)
    text = response.content.decode()
    assert response.status_code == 200
    assert "A Client ID looks like" in text and "This field is required." in text
    assert not StoreConnection.objects.filter(name="OAuth store").exists()


def test_the_edit_page_switches_a_store_to_cookie_sign_in(
    client, sandbox, store_factory, user_factory, merchant
):
    store = store_factory(sandbox, merchant=merchant)
    client.force_login(user_factory(Role.MERCHANT_USER, merchant=merchant))
    page = client.get(reverse("stores:edit", args=[store.pk])).content.decode()
    assert 'name="auth_method"' in page and 'value="cookie"' in page
    data = {
        **credentials_for(sandbox, client_secret="", password="", auth_method="cookie"),
        "name": store.name,
        "import_interval_minutes": 5,
        "endpoint_name": "Default",
        "endpoint_version": store.endpoint_version,
        "order_type": "SO",
        "oauth_scope": "api offline_access",
        "licence_api_users_reserved": 0,
    }
    response = client.post(reverse("stores:edit", args=[store.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    store.refresh_from_db()
    assert store.auth_method == AuthMethod.COOKIE
    detail = client.get(reverse("stores:detail", args=[store.pk])).content.decode()
    assert "Cookie sign-in" in detail
    assert store_connection_test(store=store).passed

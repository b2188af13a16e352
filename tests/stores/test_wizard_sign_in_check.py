"""The wizard checks the credentials when the credential step is saved (sign in once against the
sandbox, and out again), naming the cause as the connection test does; and what Acumatica
answers a wrong tenant and a wrong secret decides whether the message can tell them apart."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stores.models import Role, StoreConnection
from stores.services import store_connection_test

from .pages import credentials_for, start_wizard


@pytest.fixture
def merchant_client(client, user_factory, merchant):
    client.force_login(user_factory(Role.MERCHANT_USER, merchant=merchant))
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_a_wrong_password_is_named_at_the_credential_step(merchant_client, sandbox):
    client = merchant_client
    start_wizard(client, name="Checked early")
    response = client.post(
        reverse("stores:new_credentials"),
        credentials_for(sandbox, password="not-the-password"),
        follow=True,
    )
    store = StoreConnection.objects.get(name="Checked early")
    assert response.redirect_chain[-1][0] == reverse("stores:setup_credentials", args=[store.pk])
    said = _messages(response)
    assert "Sign-in: Acumatica rejected the username “admin” or its password" in said
    assert "How to fix it:" in said
    assert "not-the-password" not in response.content.decode()
    assert len(sandbox.sessions) == 0
    # Nothing recorded as the store's connection test: that is step 4's.
    assert store.last_test_at is None

    # Fixing the password on the same step goes on to the settings.
    fixed = client.post(
        reverse("stores:setup_credentials", args=[store.pk]),
        credentials_for(sandbox),
        follow=True,
    )
    assert fixed.redirect_chain[-1][0] == reverse("stores:setup_settings", args=[store.pk])
    assert "Acumatica accepted the sign-in" in _messages(fixed)
    assert len(sandbox.sessions) == 0


def test_an_unreachable_instance_is_named_at_the_credential_step(merchant_client, sandbox):
    client = merchant_client
    start_wizard(client, name="Nobody home")
    url = sandbox.base_url.replace(f":{sandbox.port}", ":9")
    response = client.post(
        reverse("stores:new_credentials"), credentials_for(sandbox, instance_url=url), follow=True
    )
    assert "Acumatica site:" in _messages(response) and "refused the connection" in _messages(
        response
    )
    # One may still go on (e.g. the site is down for maintenance).
    assert "Continue without a working sign-in" in response.content.decode()


def _sign_in(store):
    return next(c for c in store_connection_test(store=store).checks if c.key == "sign_in")


def test_wrong_tenant_and_wrong_secret_messages_follow_what_acumatica_answers(
    sandbox_factory, store_factory
):
    """Multi-tenant site: a tenant the instance lacks gets its own answer (500
    PXUndefinedCompanyException), so its own message; a tenant that exists but where the
    application is not registered gets invalid_client, as a wrong secret does, so the message
    says it is one or the other."""
    sandbox = sandbox_factory(tenants=["Company", "Retail"])
    guid = sandbox.config.client_id.split("@")[0]
    unknown = store_factory(sandbox, client_id=f"{guid}@Nowhere")
    other_tenant = store_factory(sandbox, client_id=f"{guid}@Retail")
    wrong_secret = store_factory(sandbox, client_secret="not-the-secret")

    unknown_check = _sign_in(unknown)
    assert "has no tenant “Nowhere”" in unknown_check.message
    assert "wrong secret" not in unknown_check.message

    for store in (other_tenant, wrong_secret):
        check = _sign_in(store)
        assert check.status == "fail"
        assert "wrong secret, or wrong tenant after the @" in check.message
        assert "not-the-secret" not in check.message + check.fix


def test_on_a_single_tenant_site_a_wrong_tenant_suffix_reads_as_wrong_secret_or_tenant(
    sandbox, store_factory
):
    guid = sandbox.config.client_id.split("@")[0]
    check = _sign_in(store_factory(sandbox, client_id=f"{guid}@Elsewhere"))
    assert "wrong secret, or wrong tenant after the @" in check.message

"""Secrets typed into the pages go to the encrypted store and nowhere else: not into error
reports, not back into a page, not into a redirect URL or the session."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.log import AdminEmailHandler

from stores import services
from stores.models import Role

from .pages import assert_no_secret_in, credentials_for, start_wizard


@pytest.fixture
def merchant_client(client, user_factory, merchant):
    client.force_login(user_factory(Role.MERCHANT_USER, merchant=merchant))
    return client


@pytest.fixture
def error_mails(settings):
    """What Django would e-mail the admins about a 500, in full (HTML with local variables)."""
    settings.ADMINS = [("Support", "support@example.com")]
    handler = AdminEmailHandler(include_html=True)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield mail.outbox
    logger.removeHandler(handler)


def report_texts(outbox) -> list[str]:
    texts = []
    for message in outbox:
        texts.append(message.body)
        texts.extend(content for content, _type in getattr(message, "alternatives", []))
    return texts


def explode(**kwargs):
    client_secret = kwargs.get("client_secret")  # a local the report would otherwise show
    raise RuntimeError(f"database went away ({len(client_secret or '')})")


@pytest.mark.parametrize("where", ["new_credentials", "setup_credentials", "edit"])
def test_an_error_report_never_contains_a_secret(
    merchant_client, sandbox, store_factory, merchant, error_mails, monkeypatch, where
):
    if where == "new_credentials":
        start_wizard(merchant_client, name="Boom")
        monkeypatch.setattr(services, "store_create", explode)
        url = reverse("stores:new_credentials")
        data = credentials_for(sandbox)
    else:
        store = store_factory(sandbox, merchant=merchant)
        monkeypatch.setattr(services, "store_update", explode)
        url = reverse(f"stores:{where}", args=[store.pk])
        data = {
            **credentials_for(sandbox),
            "name": store.name,
            "import_interval_minutes": 5,
            "endpoint_name": "Default",
            "endpoint_version": "24.200.001",
            "order_type": "SO",
            "oauth_scope": "api offline_access",
        }

    merchant_client.raise_request_exception = False
    response = merchant_client.post(url, data)
    assert response.status_code == 500

    texts = report_texts(error_mails)
    assert texts, "the 500 was reported"
    assert any("database went away" in text for text in texts)
    for text in texts:
        assert sandbox.config.client_secret not in text
        assert sandbox.config.password not in text
    assert any(
        "client_secret = &#x27;********************&#x27;" in t
        or "client_secret = '********************'" in t
        for t in texts
    )


def test_secret_inputs_never_render_a_value(merchant_client, sandbox):
    start_wizard(merchant_client, name="Shop")
    # A failed submission re-renders the form: the secrets typed are not sent back.
    response = merchant_client.post(
        reverse("stores:new_credentials"), credentials_for(sandbox, client_id="nope")
    )
    text = response.content.decode()
    assert 'type="password" name="client_secret"' in text
    assert 'type="password" name="password"' in text
    assert_no_secret_in(response, sandbox)
    assert "type them once more" in text


def test_redirects_carry_no_secret(merchant_client, sandbox):
    start_wizard(merchant_client, name="Shop")
    response = merchant_client.post(reverse("stores:new_credentials"), credentials_for(sandbox))
    assert response.status_code == 302
    for secret in (sandbox.config.client_secret, sandbox.config.password):
        assert secret not in response["Location"]


def test_login_page_renders(db):
    response = Client().get(reverse("login"))
    assert response.status_code == 200 and "Sign in" in response.content.decode()

"""The API tokens page: 3PL staff make tokens (the key shown once, never again, never stored)
with an explicit scope (merchants ticked, or every merchant for 3PL admins only) and revoke
them (POST, audited); the key works against /api/v1/ at once and is refused after revoking.
Merchant users see, read-only, the tokens that serve their merchant and nothing else."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from fulfillment.models import ApiToken
from stores.models import AuditEntry, Role

pytestmark = pytest.mark.django_db

URL = "/api-tokens/"


@pytest.fixture
def world(merchant_factory, user_factory):
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    return {
        "acme": acme,
        "globex": globex,
        "admin": user_factory(Role.THREEPL_ADMIN, username="ada"),
        "operator": user_factory(Role.THREEPL_OPERATOR, username="olga"),
        "acme_user": user_factory(Role.MERCHANT_USER, merchant=acme, username="ann"),
        "globex_user": user_factory(Role.MERCHANT_USER, merchant=globex, username="gus"),
    }


def _signed_in(client, user):
    client.force_login(user)
    return client


def _key_of(page: str) -> str:
    match = re.search(r'id="api-token-key" value="(a3pl_[^"]+)"', page)
    assert match, page[:2000]
    return match.group(1)


def test_a_token_made_on_the_page_works_until_it_is_revoked(
    client, world, api_client, sandbox, store_factory, run_import
):
    store = store_factory(sandbox, merchant=world["acme"], active=True)
    run_import(store)
    _signed_in(client, world["operator"])

    made = client.post(
        URL, {"name": "WMS acme", "scope": "merchants", "merchants": [world["acme"].pk]}
    )
    assert made.status_code == 200
    assert "no-store" in made.headers["Cache-Control"]
    key = _key_of(made.content.decode())
    token = ApiToken.objects.get(name="WMS acme")
    assert list(token.merchants.all()) == [world["acme"]] and not token.all_merchants
    assert key not in str(AuditEntry.objects.get(action="api_token.create").__dict__)
    assert AuditEntry.objects.get(action="api_token.create").actor == world["operator"]

    orders = api_client(key).get("/api/v1/orders")
    assert orders.status_code == 200 and orders.json()["results"]

    # The list never shows the key again.
    listing = client.get(URL).content.decode()
    assert "WMS acme" in listing and key not in listing and token.prefix in listing

    revoked = client.post(reverse("api_tokens:revoke", args=[token.pk]), follow=True)
    assert "revoked" in revoked.content.decode()
    assert api_client(key).get("/api/v1/orders").status_code == 401
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert entry.actor == world["operator"] and entry.via == "console"


def test_the_scope_is_always_said_and_every_merchant_is_for_admins_only(client, world):
    _signed_in(client, world["operator"])
    for data, problem in (
        ({"name": "no scope", "merchants": [world["acme"].pk]}, "This field is required"),
        ({"name": "none ticked", "scope": "merchants"}, "Tick the merchants this token serves"),
        ({"name": "all", "scope": "all"}, "Only a 3PL admin may make a token for every merchant"),
    ):
        answer = client.post(URL, data)
        assert answer.status_code == 400 and problem in answer.content.decode(), data
    assert not ApiToken.objects.exists()

    _signed_in(client, world["admin"])
    both = client.post(URL, {"name": "both", "scope": "all", "merchants": [world["acme"].pk]})
    assert both.status_code == 400 and "untick them" in both.content.decode()
    made = client.post(URL, {"name": "WMS all", "scope": "all"})
    assert made.status_code == 200 and _key_of(made.content.decode())
    assert ApiToken.objects.get(name="WMS all").all_merchants


def test_a_name_taken_is_reported_on_the_form(client, world, api_token):
    api_token(world["acme"], name="WMS")
    _signed_in(client, world["admin"])
    answer = client.post(
        URL, {"name": "WMS", "scope": "merchants", "merchants": [world["acme"].pk]}
    )
    assert answer.status_code == 400 and "exists already" in answer.content.decode()


def test_an_operator_cannot_revoke_a_token_for_every_merchant(client, world, api_token):
    token, _ = api_token(name="3PL wide")
    _signed_in(client, world["operator"])
    assert reverse("api_tokens:revoke", args=[token.pk]) not in client.get(URL).content.decode()
    answer = client.post(reverse("api_tokens:revoke", args=[token.pk]), follow=True)
    assert "Only a 3PL admin may revoke" in answer.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_merchant_users_see_their_merchants_tokens_only_and_change_nothing(
    client, world, api_token
):
    acme_token, _ = api_token(world["acme"], name="Acme WMS")
    globex_token, _ = api_token(world["globex"], name="Globex WMS")
    api_token(name="3PL wide")
    _signed_in(client, world["acme_user"])

    page = client.get(URL)
    body = page.content.decode()
    assert page.status_code == 200 and "Acme WMS" in body
    assert "Globex WMS" not in body and "3PL wide" not in body
    assert "Make a token" not in body and "/revoke/" not in body

    made = client.post(URL, {"name": "mine", "scope": "merchants", "merchants": [world["acme"].pk]})
    assert made.status_code == 404 and not ApiToken.objects.filter(name="mine").exists()
    for token in (acme_token, globex_token):
        url = reverse("api_tokens:revoke", args=[token.pk])
        assert client.post(url).status_code == 404 and client.get(url).status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None


def test_an_operator_cannot_tick_a_merchant_that_does_not_exist(client, world):
    _signed_in(client, world["operator"])
    answer = client.post(URL, {"name": "ghost", "scope": "merchants", "merchants": [999999]})
    assert answer.status_code == 400 and not ApiToken.objects.exists()


def test_revoking_needs_post_and_the_csrf_token(world, api_token):
    token, _ = api_token(world["acme"], name="Acme WMS")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world["admin"])
    url = reverse("api_tokens:revoke", args=[token.pk])
    assert csrf_client.get(url).status_code == 405
    assert csrf_client.post(url).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None

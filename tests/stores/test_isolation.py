"""One merchant never sees or touches another merchant's stores: every store URL answers 404
(not 403, which would confirm the store exists), whatever the method, and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stores.models import Role, StoreConnection, StoreStatus
from stores.services import store_record_test

from .pages import credentials_for

STORE_URL_NAMES = [
    "detail",
    "setup_basics",
    "setup_credentials",
    "setup_settings",
    "setup_test",
    "setup_review",
    "edit",
    "test",
    "activate",
    "pause",
    "resume",
    "delete",
    "handoff",
    "handoff_revoke",
    "discard_draft",
]


@pytest.fixture
def other_store(sandbox, store_factory, merchant_factory):
    store = store_factory(sandbox, merchant=merchant_factory("Globex"), name="Globex store")
    store_record_test(store=store, passed=True, checks=[])
    return store


@pytest.fixture
def acme_client(client, user_factory, merchant):
    client.force_login(user_factory(Role.MERCHANT_USER, merchant=merchant))
    return client


# Pages of one thing of a store (the store's id and the thing's): tested in their own files.
STORE_THING_URL_NAMES = {"test_run": "tests/stores/test_connection_test_runs.py"}


def test_every_store_url_is_listed_here():
    from stores.urls import urlpatterns

    with_store = {p.name for p in urlpatterns if "<int:store_id>" in str(p.pattern)}
    assert with_store == set(STORE_URL_NAMES) | set(STORE_THING_URL_NAMES)


@pytest.mark.parametrize("name", STORE_URL_NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_merchants_store_is_not_found(acme_client, sandbox, other_store, name, method):
    url = reverse(f"stores:{name}", args=[other_store.pk])
    data = {
        **credentials_for(sandbox),
        "name": "Hijacked",
        "force": "True",
        "force_reason": "mine now",
    }
    response = getattr(acme_client, method)(url, data if method == "post" else None)
    assert response.status_code == 404
    assert "Globex" not in response.content.decode()

    other_store.refresh_from_db()
    assert other_store.name == "Globex store"
    assert other_store.status == StoreStatus.DRAFT and not other_store.forced_activation_reason


def test_a_store_that_does_not_exist_is_also_not_found(acme_client):
    assert acme_client.get(reverse("stores:detail", args=[999999])).status_code == 404


def test_the_list_shows_only_the_merchants_own_stores(
    acme_client, sandbox, store_factory, merchant, other_store
):
    store_factory(sandbox, merchant=merchant, name="Acme store")
    text = acme_client.get(reverse("stores:list")).content.decode()
    assert "Acme store" in text and "Globex" not in text


def test_a_merchant_user_cannot_create_a_store_for_another_merchant(
    acme_client, sandbox, merchant, other_store
):
    acme_client.post(
        reverse("stores:new"),
        {"name": "Sneaky", "merchant": other_store.merchant_id, "new_merchant": "Evil Co"},
    )
    acme_client.post(reverse("stores:new_credentials"), credentials_for(sandbox))
    assert StoreConnection.objects.get(name="Sneaky").merchant == merchant
    assert not StoreConnection.objects.filter(merchant__name="Evil Co").exists()


def test_a_user_without_a_role_sees_no_store(client, django_user_model, other_store):
    client.force_login(django_user_model.objects.create_user(username="nobody", password="x"))
    response = client.get(reverse("stores:detail", args=[other_store.pk]))
    assert "Globex" not in response.content.decode()
    assert "Your account has no access yet" in response.content.decode()

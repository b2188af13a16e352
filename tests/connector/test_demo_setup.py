"""The demo's data: one merchant, its two logins and an active store on the sandbox, however
often the demo starts."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from connector.demo_setup import (
    ADMIN_LOGIN,
    DEMO_MERCHANT,
    DEMO_STORE,
    MERCHANT_LOGIN,
    demo_setup_run,
    sandbox_wait,
)
from stores import access
from stores.models import Merchant, Role, StoreConnection, StoreStatus, UserProfile


def _counts() -> tuple[int, int, int, int]:
    return (
        Merchant.objects.count(),
        get_user_model().objects.count(),
        UserProfile.objects.count(),
        StoreConnection.objects.count(),
    )


@pytest.mark.django_db
def test_sets_up_the_merchant_logins_and_an_active_store(sandbox, client):
    outcome = demo_setup_run(instance_url=sandbox.base_url)

    store = outcome.store
    assert outcome.test is not None and outcome.test.passed
    assert store.status == StoreStatus.ACTIVE
    assert (store.name, store.merchant.name) == (DEMO_STORE, DEMO_MERCHANT)
    assert store.instance_url == sandbox.base_url

    users = get_user_model().objects
    admin = users.get(username=ADMIN_LOGIN.username)
    assert admin.is_superuser and admin.connector_profile.role == Role.THREEPL_ADMIN
    merchant_user = users.get(username=MERCHANT_LOGIN.username)
    assert not merchant_user.is_staff
    assert merchant_user.connector_profile.role == Role.MERCHANT_USER
    assert list(access.stores_for(merchant_user)) == [store]
    for login in (ADMIN_LOGIN, MERCHANT_LOGIN):
        assert client.login(username=login.username, password=login.password)


@pytest.mark.django_db
def test_is_idempotent(sandbox):
    demo_setup_run(instance_url=sandbox.base_url)
    first = _counts()

    outcome = demo_setup_run(instance_url=sandbox.base_url)

    assert _counts() == first == (1, 2, 2, 1)
    assert outcome.store.status == StoreStatus.ACTIVE


@pytest.mark.django_db
def test_follows_the_sandbox_to_another_port_and_respects_a_pause(sandbox_factory):
    first, second = sandbox_factory(), sandbox_factory()
    demo_setup_run(instance_url=first.base_url)

    outcome = demo_setup_run(instance_url=second.base_url)
    assert outcome.store.instance_url == second.base_url
    assert outcome.store.status == StoreStatus.ACTIVE

    StoreConnection.objects.update(status=StoreStatus.PAUSED)
    outcome = demo_setup_run(instance_url=second.base_url)
    assert outcome.test is None and outcome.store.status == StoreStatus.PAUSED


@pytest.mark.django_db
def test_a_failing_test_leaves_a_draft_and_the_command_says_why(sandbox_factory):
    broken = sandbox_factory(password="another-password")  # not the default the demo uses
    out = io.StringIO()

    call_command("demo_setup", "--sandbox-url", broken.base_url, stdout=out)

    assert StoreConnection.objects.get().status == StoreStatus.DRAFT
    text = out.getvalue()
    assert "[FAIL]" in text and "failed its connection test" in text


@pytest.mark.django_db
def test_the_command_prints_the_outcome_and_the_logins(sandbox):
    out = io.StringIO()
    call_command("demo_setup", "--sandbox-url", sandbox.base_url, stdout=out)
    text = out.getvalue()
    assert "is connected and active" in text
    assert "demo / demo-password" in text and "merchant / merchant-password" in text


@pytest.mark.django_db
def test_the_command_needs_private_urls_allowed(sandbox, settings):
    settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = False
    with pytest.raises(CommandError, match="CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS=true"):
        call_command("demo_setup", "--sandbox-url", sandbox.base_url)
    assert not StoreConnection.objects.exists()


def test_sandbox_wait(sandbox):
    assert sandbox_wait(sandbox.base_url, timeout=5)
    sandbox.stop()
    assert not sandbox_wait(sandbox.base_url, timeout=0.5)


def test_the_demo_banner_says_when_it_overrides_the_private_url_setting():
    from connector.management.commands.demo import private_urls_line

    overridden = private_urls_line(False)
    assert "in this demo only" in overridden
    assert "CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS=false" in overridden
    assert "every other\n                command (runserver" in overridden
    assert "in this demo only" not in private_urls_line(True)

"""Helpers for the tests of the stores pages: what a person types into the wizard, and the checks
that no secret reaches a page or the session."""

from __future__ import annotations

import json

from django.urls import reverse

from stores.models import StoreConnection

SETTINGS_DEFAULTS = {
    "endpoint_name": "Default",
    "endpoint_version": "24.200.001",
    "order_type": "SO",
    "default_warehouse": "",
    "oauth_scope": "api offline_access",
}


def credentials_for(sandbox, **overrides) -> dict:
    config = sandbox.config
    values = {
        "instance_url": sandbox.base_url,
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "username": config.username,
        "password": config.password,
        "tenant": "",
    }
    values.update(overrides)
    return values


def secrets_of(sandbox) -> tuple[str, str]:
    return sandbox.config.client_secret, sandbox.config.password


def assert_no_secret_in(response, sandbox) -> None:
    text = response.content.decode()
    for secret in secrets_of(sandbox):
        assert secret not in text, f"a secret is on the page {response.request['PATH_INFO']}"


def assert_no_secret_in_session(client, sandbox) -> None:
    stored = json.dumps(dict(client.session.items()), default=str)
    for secret in secrets_of(sandbox):
        assert secret not in stored


def start_wizard(client, *, name="Main store", **basics) -> None:
    response = client.post(reverse("stores:new"), {"name": name, **basics})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("stores:new_credentials")


def create_draft(
    client, sandbox, *, name="Main store", basics=None, sign_in_fails=False, **credentials
):
    """Steps 1 and 2: the draft store exists afterwards. Saving the credentials signs in once:
    on to the settings when that works, back to the credentials (``sign_in_fails``) when not."""
    start_wizard(client, name=name, **(basics or {}))
    response = client.post(
        reverse("stores:new_credentials"), credentials_for(sandbox, **credentials)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    store = StoreConnection.objects.get(name=name)
    next_step = "setup_credentials" if sign_in_fails else "setup_settings"
    assert response["Location"] == reverse(f"stores:{next_step}", args=[store.pk])
    return store


def save_settings(client, store, **overrides):
    response = client.post(
        reverse("stores:setup_settings", args=[store.pk]), {**SETTINGS_DEFAULTS, **overrides}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("stores:setup_test", args=[store.pk])
    return response


def run_test_step(client, store):
    """Step 4: start the connection test (the POST answers with a redirect at once), let its
    queued job run when the request commits (the test asks for ``jobs_run_here``), and follow
    to the page that shows its checks."""
    from django.test import TestCase

    url = reverse("stores:setup_test", args=[store.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    run = store.connection_test_runs.first()
    assert run is not None and run.finished, "the test's job did not run: use jobs_run_here"
    response = client.get(url)
    assert response.status_code == 200
    store.refresh_from_db()
    return response

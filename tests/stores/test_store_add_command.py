"""``manage.py store_add``: the wizard's checks from a shell, secrets from the environment."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from stores import crypto
from stores.models import Merchant, StoreConnection, StoreSecrets, StoreStatus

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def sandbox_secrets(sandbox, monkeypatch):
    monkeypatch.setenv("ACUMATICA_CLIENT_SECRET", sandbox.config.client_secret)
    monkeypatch.setenv("ACUMATICA_PASSWORD", sandbox.config.password)


def _args(sandbox, **overrides) -> list[str]:
    options = {
        "merchant": "Acme Outdoor",
        "name": "Main",
        "instance-url": sandbox.base_url,
        "client-id": sandbox.config.client_id,
        "username": sandbox.config.username,
        **overrides,
    }
    return [part for name, value in options.items() for part in (f"--{name}", value)]


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("store_add", *args, stdout=out, stderr=err)
    except CommandError as exc:
        exc.stdout, exc.stderr = out.getvalue(), err.getvalue()
        raise
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
@pytest.mark.usefixtures("sandbox_secrets")
def test_adds_a_draft_store_and_prints_its_id_last(sandbox):
    out, _ = _run(*_args(sandbox, tenant="Company", warehouse="WHOLESALE"), "--shipment-mode")

    store = StoreConnection.objects.get()
    assert out.splitlines()[-1] == str(store.pk)
    assert store.merchant.name == "Acme Outdoor"
    assert store.status == StoreStatus.DRAFT
    assert (store.instance_url, store.client_id, store.username, store.tenant) == (
        sandbox.base_url,
        sandbox.config.client_id,
        sandbox.config.username,
        "Company",
    )
    assert store.default_warehouse == "WHOLESALE" and store.shipment_mode
    assert (store.endpoint_name, store.endpoint_version, store.order_type) == (
        "Default",
        "24.200.001",
        "SO",
    )
    assert store.oauth_scope == "api offline_access" and not store.include_package_contents
    secrets = StoreSecrets.objects.get(store=store)
    assert crypto.decrypt(secrets.password) == sandbox.config.password
    assert crypto.decrypt(secrets.client_secret) == sandbox.config.client_secret
    assert sandbox.config.password not in out


@pytest.mark.usefixtures("sandbox_secrets")
def test_an_existing_merchant_is_reused(sandbox, merchant_factory):
    merchant = merchant_factory("Acme Outdoor")
    _run(*_args(sandbox, merchant="acme outdoor"))
    assert StoreConnection.objects.get().merchant == merchant
    assert Merchant.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["ACUMATICA_CLIENT_SECRET", "ACUMATICA_PASSWORD"])
def test_a_missing_secret_in_the_environment_is_an_error(sandbox, monkeypatch, missing):
    monkeypatch.setenv("ACUMATICA_CLIENT_SECRET", "x")
    monkeypatch.setenv("ACUMATICA_PASSWORD", "y")
    monkeypatch.delenv(missing)
    with pytest.raises(CommandError, match=f"Set {missing} in the environment"):
        _run(*_args(sandbox))
    assert not Merchant.objects.exists() and not StoreConnection.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("sandbox_secrets")
def test_each_bad_value_is_reported_against_its_option(sandbox):
    bad = _args(
        sandbox,
        **{
            "client-id": "B5D1E5A2-7C1F-4E36-9A0B-1F2E3D4C5B6A",
            "endpoint-version": "24.2",
            "order-type": "sales",
            "scope": "offline_access",
        },
    )
    with pytest.raises(CommandError, match="The store was not created") as caught:
        _run(*bad)
    errors = caught.value.stderr
    assert "--client-id: The Client ID is missing its @Tenant suffix" in errors
    assert "--endpoint-version: An endpoint version looks like 24.200.001" in errors
    assert "--order-type: An order type is two capital letters" in errors
    assert '--scope: The OAuth scope must include "api"' in errors
    assert "Traceback" not in errors
    # The merchant is created only together with a store.
    assert not Merchant.objects.exists() and not StoreConnection.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("sandbox_secrets")
def test_tenant_mismatch_and_duplicate_names_are_reported(sandbox):
    with pytest.raises(CommandError) as caught:
        _run(*_args(sandbox, tenant="Other"))
    assert "--tenant: The Client ID belongs to tenant 'Company'" in caught.value.stderr

    _run(*_args(sandbox))
    with pytest.raises(CommandError) as caught:
        _run(*_args(sandbox))
    assert "already exists" in caught.value.stderr
    assert StoreConnection.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("sandbox_secrets")
@pytest.mark.parametrize(
    "option", ["--password", "--client-secret", "--secret", "--pass", "--client"]
)
def test_secrets_are_not_accepted_on_the_command_line(sandbox, option):
    with pytest.raises(CommandError, match="unrecognized arguments"):
        _run(*_args(sandbox), option, "typed-on-argv")
    assert not StoreConnection.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("sandbox_secrets")
def test_activate_tests_the_connection_and_activates_it(sandbox):
    out, _ = _run(*_args(sandbox), "--activate")

    store = StoreConnection.objects.get()
    assert store.status == StoreStatus.ACTIVE and store.last_test_passed
    lines = out.splitlines()
    assert lines[-1] == str(store.pk)
    assert any(line.strip().startswith("[PASS]") for line in lines)
    assert not any(line.strip().startswith("[FAIL]") for line in lines)


@pytest.mark.django_db
def test_activate_refuses_when_the_test_fails(sandbox, monkeypatch):
    monkeypatch.setenv("ACUMATICA_CLIENT_SECRET", sandbox.config.client_secret)
    monkeypatch.setenv("ACUMATICA_PASSWORD", "not-the-password")

    with pytest.raises(CommandError, match="connection test failed") as caught:
        _run(*_args(sandbox), "--activate")

    store = StoreConnection.objects.get()
    assert store.status == StoreStatus.DRAFT and store.last_test_passed is False
    lines = caught.value.stdout.splitlines()
    assert lines[-1] == str(store.pk)
    assert any(line.strip().startswith("[FAIL]") for line in lines)
    assert "not-the-password" not in caught.value.stdout + caught.value.stderr


def test_from_a_shell_errors_exit_non_zero_without_a_traceback(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("ACUMATICA_CLIENT_SECRET", "ACUMATICA_PASSWORD", "DATABASE_URL")
    }
    env["CONNECTOR_VAR_DIR"] = str(tmp_path)  # never the demo's database
    # A fresh clone has no .env: give the child the suite's key, as a deployment would.
    env["CONNECTOR_CREDENTIALS_KEYS"] = ",".join(settings.CONNECTOR_CREDENTIALS_KEYS)
    argv = [sys.executable, "manage.py", "store_add", "--merchant", "M", "--name", "S"]
    argv += ["--instance-url", "https://8.8.8.8/AcumaticaERP", "--client-id", "nope"]
    argv += ["--username", "u"]

    def run(extra_env):
        return subprocess.run(
            argv,
            cwd=PROJECT_DIR,
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    missing = run({})
    assert missing.returncode == 1
    assert "ACUMATICA_CLIENT_SECRET and ACUMATICA_PASSWORD" in missing.stderr
    invalid = run({"ACUMATICA_CLIENT_SECRET": "s", "ACUMATICA_PASSWORD": "p"})
    assert invalid.returncode == 1
    assert "--client-id: A Client ID looks like" in invalid.stderr
    for result in (missing, invalid):
        assert "Traceback" not in result.stderr

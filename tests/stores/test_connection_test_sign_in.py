"""The connection test's sign-in check against the sandbox: every way signing in fails (secret,
client, password, forced change, the licence's login limit, tenant) says what to fix."""

from __future__ import annotations

import requests

from .connection_test_support import OTHER_GUID, check, failing, run

# --- signing in -----------------------------------------------------------------------------------


def test_wrong_shared_secret_is_an_unknown_client(sandbox, store_factory):
    store = store_factory(sandbox, client_secret="not-the-secret")

    result = run(store, sandbox)

    failed = failing(result, "sign_in")
    assert "(invalid_client)" in failed.message
    assert "Shared Secret is wrong or has expired" in failed.message
    assert "Secrets tab" in failed.fix and "SM303010" in failed.fix
    assert check(result, "endpoint").status == "skip"


def test_unknown_client_id(sandbox, store_factory):
    store = store_factory(sandbox, client_id=f"{OTHER_GUID}@Company")

    result = run(store, sandbox)

    assert "(invalid_client)" in check(result, "sign_in").message
    assert OTHER_GUID in check(result, "sign_in").message


def test_wrong_password(sandbox, store_factory):
    store = store_factory(sandbox, password="not-the-password")

    result = run(store, sandbox)

    failed = failing(result, "sign_in")
    assert "rejected the username “admin” or its password" in failed.message
    assert "SM201010" in failed.fix


def test_password_change_forced(sandbox_factory, store_factory):
    sandbox = sandbox_factory(password_change_required=True)
    store = store_factory(sandbox)

    result = run(store, sandbox)

    failed = failing(result, "sign_in")
    assert "requires user “admin” to change its password" in failed.message
    assert "Sign in to Acumatica once in a browser" in failed.fix


def test_licence_api_login_limit_reached(sandbox_factory, store_factory):
    sandbox = sandbox_factory(max_sessions=1)
    holder = requests.Session()
    config = sandbox.config
    signed_in = holder.post(
        f"{sandbox.base_url}/entity/auth/login",
        json={"name": config.username, "password": config.password},
        timeout=10,
    )
    assert signed_in.status_code == 204
    store = store_factory(sandbox)

    result = run(store)  # the seat check comes below: one seat is the other integration's

    failed = failing(result, "sign_in")
    assert "“API Login Limit”" in failed.message
    assert "other integrations" in failed.message
    assert "wait up to 10 minutes" in failed.fix and "SM604000" in failed.fix
    assert len(sandbox.sessions) == 1  # the other integration's seat, not ours
    holder.post(f"{sandbox.base_url}/entity/auth/logout", data=b"", timeout=10)
    assert len(sandbox.sessions) == 0


def test_unknown_tenant(sandbox_factory, store_factory):
    sandbox = sandbox_factory(tenants=["Company", "Retail"])
    guid = sandbox.config.client_id.split("@")[0]
    store = store_factory(sandbox, client_id=f"{guid}@Nowhere")

    result = run(store, sandbox)

    failed = failing(result, "sign_in")
    assert "has no tenant “Nowhere”" in failed.message
    assert "SM203520" in failed.fix

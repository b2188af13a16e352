"""The control endpoint /_sandbox/... and the request log it exposes."""

from __future__ import annotations

import json
import uuid

import requests

from tests.sandbox.transport_support import (
    bearer,
    control,
    echo_entities,
    entity_url,
    login,
    password_grant,
)


def test_state_summarises_without_secrets(sandbox):
    login(sandbox)

    reply = control(sandbox, "GET", "state")

    assert reply.status_code == 200
    state = reply.json()
    assert state["sessions"] == {"open": 1, "max": 2, "peak": 1, "refused": 0}
    assert state["config"]["max_sessions"] == 2
    assert state["base_url"] == sandbox.base_url
    text = reply.text
    for secret in ("password", "client_secret", "control_token"):
        assert secret not in state["config"]
    assert sandbox.config.password not in text
    assert sandbox.config.client_secret not in text


def test_sessions_list_and_expire(sandbox_factory):
    sandbox = sandbox_factory(max_sessions=3, session_idle_timeout=600)
    first = login(sandbox)
    sandbox.clock.advance(400)
    login(sandbox)
    password_grant(sandbox)

    listed = control(sandbox, "GET", "sessions").json()
    assert listed["count"] == 3
    assert [s["kind"] for s in listed["sessions"]] == ["cookie", "cookie", "oauth"]
    assert listed["sessions"][0]["id"] == first.cookies["ASP.NET_SessionId"]
    assert listed["sessions"][0]["user"] == "admin"
    assert listed["sessions"][0]["idle_seconds"] >= 400

    sandbox.clock.advance(300)  # only the first session is now idle past 600 s
    assert control(sandbox, "POST", "sessions/expire", json={"idle_only": True}).json() == {
        "expired": 1,
        "open": 2,
    }
    one = listed["sessions"][1]["id"]
    assert (
        control(sandbox, "POST", "sessions/expire", json={"session_id": one}).json()["expired"] == 1
    )
    assert control(sandbox, "POST", "sessions/expire").json() == {"expired": 1, "open": 0}


def test_request_log_read_and_clear(sandbox):
    echo_entities(sandbox)
    client = login(sandbox)
    client.get(entity_url(sandbox, "SalesOrder"), params={"$top": "5"}, timeout=5)

    log = control(sandbox, "GET", "requests").json()

    assert log["count"] == 2
    last = log["requests"][-1]
    assert last["method"] == "GET"
    assert last["path"] == "/AcumaticaERP/entity/Default/24.200.001/SalesOrder"
    assert last["query"] == {"$top": "5"}
    assert last["status"] == 200
    assert last["auth"] == "cookie"
    assert last["user"] == "admin"
    assert last["session_id"] == client.cookies["ASP.NET_SessionId"]
    assert last["duration_ms"] >= 0
    assert control(sandbox, "GET", "requests", params={"limit": 1}).json()["count"] == 1
    assert control(sandbox, "DELETE", "requests").json() == {"cleared": 2}
    assert control(sandbox, "GET", "requests").json()["count"] == 0


def test_request_log_holds_no_secrets(sandbox):
    echo_entities(sandbox)
    client = login(sandbox)
    tokens = password_grant(sandbox).json()
    # Values no other test sends to the shared sandbox, so only this request can put them there.
    query_password = f"pw-{uuid.uuid4().hex}"
    query_token = f"tok-{uuid.uuid4().hex}"
    requests.get(
        entity_url(sandbox, "SalesOrder"), headers=bearer(tokens["access_token"]), timeout=5
    )
    client.get(
        entity_url(sandbox, "SalesOrder"),
        params={"password": query_password, "api_token": query_token},
        timeout=5,
    )
    requests.get(
        f"{sandbox.base_url}/identity/connect/authorize",
        params={"client_id": sandbox.config.client_id, "code_challenge": "c"},
        timeout=5,
    )

    text = json.dumps(control(sandbox, "GET", "requests").json())

    for secret in (
        sandbox.config.password,
        sandbox.config.client_secret,
        tokens["access_token"],
        tokens["refresh_token"],
        client.cookies[".ASPXAUTH"],
        query_password,
        query_token,
    ):
        assert secret not in text
    assert '"auth": "bearer"' in text


def test_faults_over_http(sandbox):
    echo_entities(sandbox)
    client = login(sandbox)

    added = control(
        sandbox,
        "POST",
        "faults",
        json={"match": "GET */SalesOrder", "kind": "error500", "times": 2},
    )
    assert added.status_code == 201
    rule = added.json()["faults"][0]
    assert (rule["method"], rule["path"], rule["times"]) == ("GET", "*/SalesOrder", 2)

    assert client.get(entity_url(sandbox, "SalesOrder"), timeout=5).status_code == 500
    listed = control(sandbox, "GET", "faults").json()["faults"]
    assert listed[0]["fired"] == 1

    assert control(sandbox, "DELETE", f"faults/{rule['id']}").status_code == 200
    assert control(sandbox, "DELETE", f"faults/{rule['id']}").status_code == 404
    assert client.get(entity_url(sandbox, "SalesOrder"), timeout=5).status_code == 200

    control(sandbox, "POST", "faults", json=[{"kind": "drop"}, {"kind": "slow", "delay": 0.1}])
    assert len(sandbox.faults.rules()) == 2
    assert control(sandbox, "DELETE", "faults").json() == {"faults": []}
    assert sandbox.faults.rules() == []

    refused = control(sandbox, "POST", "faults", json={"kind": "explode"})
    assert refused.status_code == 400
    assert "kind must be one of" in refused.json()["error"]


def test_patch_config_changes_run_time_settings(sandbox):
    echo_entities(sandbox)
    client = login(sandbox)

    reply = control(
        sandbox,
        "PATCH",
        "config",
        json={"denied_entities": ["SalesOrder"], "max_sessions": 5, "password": "rotated"},
    )

    assert reply.status_code == 200
    assert reply.json()["config"]["max_sessions"] == 5
    assert "password" not in reply.json()["config"]
    assert client.get(entity_url(sandbox, "SalesOrder"), timeout=5).status_code == 403
    assert sandbox.config.password == "rotated"
    login(sandbox)  # with the new password


def test_patch_config_refuses_unknown_fixed_or_mistyped_settings(sandbox):
    for body in (
        {"port": 1},
        {"site": "/x"},
        {"max_sessions": "3"},
        {"max_sessions": True},
        {"nope": 1},
    ):
        reply = control(sandbox, "PATCH", "config", json=body)
        assert reply.status_code == 400, body
    assert sandbox.config.max_sessions == 2


def test_clock_advance_expires_sessions(sandbox):
    echo_entities(sandbox)
    client = login(sandbox)

    reply = control(sandbox, "POST", "clock/advance", json={"seconds": 601})

    assert reply.status_code == 200
    assert reply.json()["offset_seconds"] == 601
    assert client.get(entity_url(sandbox, "SalesOrder"), timeout=5).status_code == 401
    assert control(sandbox, "POST", "clock/advance", json={"seconds": -5}).status_code == 400
    assert control(sandbox, "POST", "clock/advance", json={}).status_code == 400


def test_control_token_protects_the_endpoint(sandbox_factory):
    sandbox = sandbox_factory(control_token="let-me-in")

    assert control(sandbox, "GET", "state").status_code == 401
    assert control(sandbox, "GET", "state", headers={"X-Sandbox-Token": "wrong"}).status_code == 401
    assert (
        control(sandbox, "GET", "state", headers={"X-Sandbox-Token": "let-me-in"}).status_code
        == 200
    )


def test_control_calls_are_not_logged_and_unknown_ones_are_404(sandbox):
    assert control(sandbox, "GET", "nothing-here").status_code == 404
    assert control(sandbox, "POST", "state").status_code == 404
    assert control(sandbox, "POST", "sessions/expire", data=b"{broken").status_code == 400

    assert len(sandbox.request_log) == 0

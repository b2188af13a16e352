"""Cookie sign-in, sign-out, seats and idle expiry (API.md §1.1, §1.2, §7)."""

from __future__ import annotations

import http.client

import pytest
import requests

from tests.sandbox.transport_support import control, echo_entities, entity_url, login

NOT_LOGGED_IN = {"message": "The user is not logged in to the system."}


@pytest.fixture
def echo(sandbox):
    return echo_entities(sandbox)


def test_login_answers_204_with_the_session_cookies(sandbox, echo):
    reply = requests.post(
        f"{sandbox.base_url}/entity/auth/login",
        json={"name": "admin", "password": "sandbox-password", "tenant": "Company", "branch": "HQ"},
        timeout=5,
    )

    assert reply.status_code == 204
    assert reply.content == b""
    assert {"ASP.NET_SessionId", ".ASPXAUTH", "UserBranch"} <= set(reply.cookies.keys())
    set_cookie = reply.raw.headers.getlist("Set-Cookie")
    assert any(c.startswith("ASP.NET_SessionId=") and "HttpOnly" in c for c in set_cookie)

    data = requests.get(entity_url(sandbox, "SalesOrder"), cookies=reply.cookies, timeout=5)
    assert data.status_code == 200
    assert data.json()["session_id"] == reply.cookies["ASP.NET_SessionId"]


def test_login_accepts_a_form_encoded_body_and_the_legacy_company_key(sandbox, echo):
    reply = requests.post(
        f"{sandbox.base_url}/entity/auth/login",
        data={"name": "ADMIN", "password": "sandbox-password", "company": "Company"},
        timeout=5,
    )

    assert reply.status_code == 204
    assert "ASP.NET_SessionId" in reply.cookies


def test_wrong_password_is_a_500_px_exception(sandbox):
    reply = requests.post(
        f"{sandbox.base_url}/entity/auth/login",
        json={"name": "admin", "password": "wrong", "tenant": "Company"},
        timeout=5,
    )

    assert reply.status_code == 500
    body = reply.json()
    assert body["message"] == "An error has occurred."
    assert body["exceptionMessage"] == "Error: Invalid credentials. Please try again."
    assert body["exceptionType"] == "PX.Data.PXException"
    assert "AuthController.Login" in body["stackTrace"]
    assert "Set-Cookie" not in reply.headers


def test_unknown_tenant_on_a_multi_tenant_site_is_undefined_company(sandbox_factory):
    sandbox = sandbox_factory(tenants=["Company", "Sandbox"])

    reply = requests.post(
        f"{sandbox.base_url}/entity/auth/login",
        json={"name": "admin", "password": "sandbox-password", "tenant": "Elsewhere"},
        timeout=5,
    )

    assert reply.status_code == 500
    assert reply.json()["exceptionType"] == "PX.Data.PXUndefinedCompanyException"
    assert reply.json()["exceptionMessage"] == "A proper company ID cannot be determined"


def test_omitted_tenant_signs_in_to_the_default_tenant(sandbox_factory):
    sandbox = sandbox_factory(tenants=["Company", "Sandbox"])

    login(sandbox)
    login(sandbox, tenant="sandbox")

    tenants = [s["tenant"] for s in control(sandbox, "GET", "sessions").json()["sessions"]]
    assert tenants == ["Company", "Sandbox"]


def test_single_tenant_site_accepts_any_tenant_name(sandbox):
    login(sandbox, tenant="WhateverTheClientThinks")

    sessions = control(sandbox, "GET", "sessions").json()["sessions"]
    assert [s["tenant"] for s in sessions] == ["Company"]


def test_password_change_required_refuses_the_sign_in(sandbox_factory):
    sandbox = sandbox_factory(password_change_required=True)

    reply = requests.post(
        f"{sandbox.base_url}/entity/auth/login",
        json={"name": "admin", "password": "sandbox-password"},
        timeout=5,
    )

    assert reply.status_code == 500
    assert reply.json()["exceptionMessage"] == (
        "You need to change your password. Sign in by using your browser to set a new password."
    )


@pytest.mark.parametrize("status", [500, 429])
def test_sign_in_beyond_the_licence_is_api_login_limit(sandbox_factory, status):
    sandbox = sandbox_factory(max_sessions=2, login_limit_status=status)
    login(sandbox)
    login(sandbox)

    reply = requests.post(
        f"{sandbox.base_url}/entity/auth/login",
        json={"name": "admin", "password": "sandbox-password"},
        timeout=5,
    )

    assert reply.status_code == status
    assert reply.json()["exceptionMessage"] == "API Login Limit"
    assert len(sandbox.sessions) == 2


def test_logout_frees_the_seat_and_ends_the_session(sandbox_factory):
    sandbox = sandbox_factory(max_sessions=1)
    echo_entities(sandbox)
    first = login(sandbox)
    signed_in_cookies = dict(first.cookies)

    reply = first.post(f"{sandbox.base_url}/entity/auth/logout", timeout=5)

    assert reply.status_code == 204
    assert reply.content == b""
    assert ".ASPXAUTH" not in first.cookies  # the sign-out cleared the forms ticket
    after = requests.get(entity_url(sandbox, "SalesOrder"), cookies=signed_in_cookies, timeout=5)
    assert after.status_code == 401
    login(sandbox)  # the seat is free again


def test_logout_without_a_session_is_still_204(sandbox):
    reply = requests.post(f"{sandbox.base_url}/entity/auth/logout", timeout=5)

    assert reply.status_code == 204


def test_bodiless_post_without_content_length_gets_iis_411(sandbox):
    connection = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    connection.putrequest("POST", f"{sandbox.config.site}/entity/auth/logout")
    connection.endheaders()

    reply = connection.getresponse()

    assert reply.status == 411
    assert "text/html" in reply.getheader("Content-Type")
    assert b"HTTP Error 411" in reply.read()


def test_data_call_without_a_session_is_401(sandbox, echo):
    reply = requests.get(entity_url(sandbox, "SalesOrder"), timeout=5)

    assert reply.status_code == 401
    assert reply.json() == NOT_LOGGED_IN
    assert echo.requests == []


def test_the_session_id_alone_does_not_authenticate(sandbox, echo):
    client = login(sandbox)

    reply = requests.get(
        entity_url(sandbox, "SalesOrder"),
        cookies={"ASP.NET_SessionId": client.cookies["ASP.NET_SessionId"]},
        timeout=5,
    )

    assert reply.status_code == 401


def test_idle_session_expires_and_frees_its_seat(sandbox_factory):
    sandbox = sandbox_factory(max_sessions=1, session_idle_timeout=600)
    echo = echo_entities(sandbox)
    client = login(sandbox)
    sandbox.clock.advance(599)
    assert client.get(entity_url(sandbox, "SalesOrder"), timeout=5).status_code == 200

    sandbox.clock.advance(599)  # activity above reset the idle timer
    assert client.get(entity_url(sandbox, "SalesOrder"), timeout=5).status_code == 200
    sandbox.clock.advance(600)

    reply = client.get(entity_url(sandbox, "SalesOrder"), timeout=5)
    assert reply.status_code == 401
    assert reply.json() == NOT_LOGGED_IN
    assert echo.closed_sessions == [client.cookies["ASP.NET_SessionId"]]
    login(sandbox)  # the expired session no longer holds the only seat


def test_signing_in_again_with_the_session_cookie_reuses_the_seat(sandbox_factory):
    sandbox = sandbox_factory(max_sessions=1)
    client = login(sandbox)
    session_id = client.cookies["ASP.NET_SessionId"]

    login(sandbox, client)

    assert [s.id for s in sandbox.sessions.open_sessions()] == [session_id]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"", "application/json", 400),
        (b"[]", "application/json", 400),
        (b"<Credentials/>", "application/xml", 415),
    ],
)
def test_unreadable_sign_in_bodies(sandbox, body, content_type, status):
    reply = requests.post(
        f"{sandbox.base_url}/entity/auth/login",
        data=body,
        headers={"Content-Type": content_type},
        timeout=5,
    )

    assert reply.status_code == status
    assert "message" in reply.json()


def test_sign_in_with_get_is_405(sandbox):
    reply = requests.get(f"{sandbox.base_url}/entity/auth/login", timeout=5)

    assert reply.status_code == 405
    assert reply.json() == {"message": "The requested resource does not support http method 'GET'."}
    assert reply.headers["Allow"] == "POST"

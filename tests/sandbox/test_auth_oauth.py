"""OAuth 2.0 token endpoint, bearer calls and their sessions (API.md §1.3, §7)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.sandbox.transport_support import (
    bearer,
    echo_entities,
    entity_url,
    login,
    password_grant,
    token_request,
)


@pytest.fixture
def echo(sandbox):
    return echo_entities(sandbox)


def refresh(sandbox, refresh_token: str) -> requests.Response:
    return token_request(
        sandbox,
        grant_type="refresh_token",
        client_id=sandbox.config.client_id,
        client_secret=sandbox.config.client_secret,
        refresh_token=refresh_token,
    )


def test_password_grant_issues_a_bearer_token_and_a_refresh_token(sandbox, echo):
    reply = password_grant(sandbox, scope="api offline_access")

    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope", "refresh_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "api offline_access"
    assert reply.headers["Cache-Control"].startswith("no-store")

    data = requests.get(
        entity_url(sandbox, "SalesOrder"), headers=bearer(body["access_token"]), timeout=5
    )
    assert data.status_code == 200
    assert len(sandbox.sessions) == 1
    assert data.json()["session_id"] == sandbox.sessions.open_sessions()[0].id


def test_api_scope_alone_gets_no_refresh_token(sandbox):
    body = password_grant(sandbox, scope="api").json()

    assert "refresh_token" not in body
    assert body["scope"] == "api"


def test_refresh_rotates_the_refresh_token_and_keeps_the_session(sandbox, echo):
    first = password_grant(sandbox).json()
    session_id = sandbox.sessions.open_sessions()[0].id

    second = refresh(sandbox, first["refresh_token"])

    assert second.status_code == 200
    renewed = second.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    assert renewed["access_token"] != first["access_token"]
    assert [s.id for s in sandbox.sessions.open_sessions()] == [session_id]
    data = requests.get(
        entity_url(sandbox, "SalesOrder"), headers=bearer(renewed["access_token"]), timeout=5
    )
    assert data.json()["session_id"] == session_id

    reused = refresh(sandbox, first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant"}


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_id": "B5D1E5A2-7C1F-4E36-9A0B-1F2E3D4C5B6A"},  # no @Tenant
        {"client_id": "00000000-0000-0000-0000-000000000000@Company"},
        {"client_secret": "not-the-secret"},
        {"client_secret": ""},
    ],
)
def test_bad_client_is_invalid_client(sandbox, overrides):
    reply = password_grant(sandbox, **overrides)

    assert reply.status_code == 400
    assert reply.json() == {"error": "invalid_client"}


def test_client_may_authenticate_with_http_basic(sandbox):
    form = {
        "grant_type": "password",
        "username": "admin",
        "password": "sandbox-password",
        "scope": "api",
    }
    reply = requests.post(
        f"{sandbox.base_url}/identity/connect/token",
        data=form,
        auth=(sandbox.config.client_id, sandbox.config.client_secret),
        timeout=5,
    )

    assert reply.status_code == 200


def test_wrong_user_password_is_invalid_grant(sandbox):
    reply = password_grant(sandbox, password="wrong")

    assert reply.status_code == 400
    assert reply.json() == {
        "error": "invalid_grant",
        "error_description": "invalid_username_or_password",
    }
    assert len(sandbox.sessions) == 0


@pytest.mark.parametrize("scope", ["offline_access", "api telepathy", ""])
def test_scope_must_be_known_and_include_api(sandbox, scope):
    reply = password_grant(sandbox, scope=scope)

    assert reply.status_code == 400
    assert reply.json() == {"error": "invalid_scope"}


@pytest.mark.parametrize(
    "grant_type", ["client_credentials", "", "urn:ietf:params:oauth:grant-type:device_code"]
)
def test_unsupported_grant_types(sandbox, grant_type):
    reply = password_grant(sandbox, grant_type=grant_type)

    assert reply.status_code == 400
    assert reply.json() == {"error": "unsupported_grant_type"}


def test_token_request_must_be_form_encoded(sandbox):
    reply = requests.post(
        f"{sandbox.base_url}/identity/connect/token",
        json={"grant_type": "password"},
        timeout=5,
    )

    assert reply.status_code == 400
    assert reply.json() == {"error": "invalid_request"}


def test_unknown_and_expired_bearer_tokens_are_401(sandbox, echo):
    token = password_grant(sandbox).json()["access_token"]

    unknown = requests.get(entity_url(sandbox, "SalesOrder"), headers=bearer("forged"), timeout=5)
    sandbox.clock.advance(3600)
    expired = requests.get(entity_url(sandbox, "SalesOrder"), headers=bearer(token), timeout=5)

    assert unknown.status_code == 401
    assert expired.status_code == 401
    assert expired.json() == {"message": "The user is not logged in to the system."}


def test_password_grant_beyond_the_licence_is_api_login_limit(sandbox_factory):
    sandbox = sandbox_factory(max_sessions=1)
    login(sandbox)

    reply = password_grant(sandbox)

    assert reply.status_code == 400
    assert reply.json() == {"error": "invalid_grant", "error_description": "API Login Limit"}


def test_bearer_sign_out_frees_the_seat_and_revokes_that_token_only(sandbox_factory):
    sandbox = sandbox_factory(max_sessions=1)
    echo_entities(sandbox)
    tokens = password_grant(sandbox).json()

    out = requests.post(
        f"{sandbox.base_url}/entity/auth/logout", headers=bearer(tokens["access_token"]), timeout=5
    )

    assert out.status_code == 204
    assert len(sandbox.sessions) == 0
    revoked = requests.get(
        entity_url(sandbox, "SalesOrder"), headers=bearer(tokens["access_token"]), timeout=5
    )
    assert revoked.status_code == 401
    # The refresh token survives sign-out; refreshing opens a new session on the free seat.
    renewed = refresh(sandbox, tokens["refresh_token"])
    assert renewed.status_code == 200
    assert len(sandbox.sessions) == 1


def test_idle_grant_session_reopens_on_the_next_bearer_call_if_a_seat_is_free(sandbox_factory):
    sandbox = sandbox_factory(max_sessions=1, session_idle_timeout=600)
    echo_entities(sandbox)
    token = password_grant(sandbox).json()["access_token"]
    first_session = sandbox.sessions.open_sessions()[0].id
    sandbox.clock.advance(601)
    assert len(sandbox.sessions) == 0
    other = login(sandbox)  # someone else takes the only seat meanwhile

    refused = requests.get(entity_url(sandbox, "SalesOrder"), headers=bearer(token), timeout=5)
    assert refused.status_code == 500
    assert refused.json()["exceptionMessage"] == "API Login Limit"

    other.post(f"{sandbox.base_url}/entity/auth/logout", timeout=5)
    reopened = requests.get(entity_url(sandbox, "SalesOrder"), headers=bearer(token), timeout=5)
    assert reopened.status_code == 200
    assert reopened.json()["session_id"] not in (first_session, None)


def test_refresh_on_a_closed_session_needs_a_free_seat_and_keeps_the_token_on_refusal(
    sandbox_factory,
):
    sandbox = sandbox_factory(max_sessions=1)
    tokens = password_grant(sandbox).json()
    sandbox.sessions.close_all()
    other = login(sandbox)

    refused = refresh(sandbox, tokens["refresh_token"])
    assert refused.status_code == 400
    assert refused.json() == {"error": "invalid_grant", "error_description": "API Login Limit"}

    other.post(f"{sandbox.base_url}/entity/auth/logout", timeout=5)
    assert refresh(sandbox, tokens["refresh_token"]).status_code == 200


def test_api_only_grant_session_closes_with_its_token(sandbox_factory):
    sandbox = sandbox_factory(session_idle_timeout=7200)
    password_grant(sandbox, scope="api")
    assert len(sandbox.sessions) == 1

    sandbox.clock.advance(3600)

    assert len(sandbox.sessions) == 0


def test_refresh_token_expires_thirty_days_after_sign_in(sandbox_factory):
    sandbox = sandbox_factory(session_idle_timeout=10**9)
    tokens = password_grant(sandbox).json()
    sandbox.clock.advance(30 * 24 * 3600)

    assert refresh(sandbox, tokens["refresh_token"]).json() == {"error": "invalid_grant"}


def test_concurrent_access_sessions_are_managed_by_cookies(sandbox_factory):
    sandbox = sandbox_factory(max_sessions=2)
    echo_entities(sandbox)
    token = password_grant(sandbox, scope="api api:concurrent_access").json()["access_token"]
    assert len(sandbox.sessions) == 0  # no session until a call opens one

    worker_a, worker_b = requests.Session(), requests.Session()
    worker_a.headers.update(bearer(token))
    worker_b.headers.update(bearer(token))
    first = worker_a.get(entity_url(sandbox, "SalesOrder"), timeout=5)
    again = worker_a.get(entity_url(sandbox, "SalesOrder"), timeout=5)
    other = worker_b.get(entity_url(sandbox, "SalesOrder"), timeout=5)

    assert "ASP.NET_SessionId" in first.cookies
    assert again.json()["session_id"] == first.json()["session_id"]
    assert other.json()["session_id"] != first.json()["session_id"]
    assert len(sandbox.sessions) == 2
    third = requests.get(entity_url(sandbox, "SalesOrder"), headers=bearer(token), timeout=5)
    assert third.status_code == 500
    assert third.json()["exceptionMessage"] == "API Login Limit"

    worker_a.post(f"{sandbox.base_url}/entity/auth/logout", timeout=5)
    assert [s.id for s in sandbox.sessions.open_sessions()] == [other.json()["session_id"]]


def pkce_pair() -> tuple[str, str]:
    verifier = "a-sufficiently-long-code-verifier-with-more-than-43-characters"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def test_authorization_code_flow_with_pkce(sandbox, echo):
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": sandbox.config.client_id,
        "redirect_uri": "http://localhost:8000/acumatica/callback",
        "scope": "api offline_access",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    authorize = f"{sandbox.base_url}/identity/connect/authorize"
    page = requests.get(authorize, params=params, timeout=5)
    assert page.status_code == 200
    assert 'name="password"' in page.text

    wrong = requests.post(
        authorize, data={**params, "username": "admin", "password": "x"}, timeout=5
    )
    assert "Invalid credentials" in wrong.text

    signed_in = requests.post(
        authorize,
        data={**params, "username": "admin", "password": "sandbox-password"},
        allow_redirects=False,
        timeout=5,
    )
    assert signed_in.status_code == 302
    location = urlsplit(signed_in.headers["Location"])
    assert location.path == "/acumatica/callback"
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]

    exchange = {
        "grant_type": "authorization_code",
        "client_id": sandbox.config.client_id,
        "client_secret": sandbox.config.client_secret,
        "code": query["code"][0],
        "redirect_uri": params["redirect_uri"],
    }
    assert token_request(sandbox, **exchange, code_verifier="wrong").json() == {
        "error": "invalid_grant"
    }
    # The failed attempt spent the code: codes are single-use.
    signed_in = requests.post(
        authorize,
        data={**params, "username": "admin", "password": "sandbox-password"},
        allow_redirects=False,
        timeout=5,
    )
    exchange["code"] = parse_qs(urlsplit(signed_in.headers["Location"]).query)["code"][0]
    tokens = token_request(sandbox, **exchange, code_verifier=verifier)
    assert tokens.status_code == 200
    assert "refresh_token" in tokens.json()
    assert token_request(sandbox, **exchange, code_verifier=verifier).json() == {
        "error": "invalid_grant"
    }
    data = requests.get(
        entity_url(sandbox, "SalesOrder"), headers=bearer(tokens.json()["access_token"]), timeout=5
    )
    assert data.status_code == 200


def test_authorize_rejects_unregistered_redirect_uri(sandbox_factory):
    sandbox = sandbox_factory(redirect_uris=["https://connector.example/callback"])

    reply = requests.get(
        f"{sandbox.base_url}/identity/connect/authorize",
        params={
            "response_type": "code",
            "client_id": sandbox.config.client_id,
            "redirect_uri": "https://evil.example/callback",
            "scope": "api",
        },
        allow_redirects=False,
        timeout=5,
    )

    assert reply.status_code == 400
    assert "Location" not in reply.headers


def test_openid_configuration_points_at_the_sites_identity_endpoints(sandbox):
    reply = requests.get(f"{sandbox.base_url}/identity/.well-known/openid-configuration", timeout=5)

    assert reply.status_code == 200
    document = reply.json()
    assert document["token_endpoint"] == f"{sandbox.base_url}/identity/connect/token"
    assert document["authorization_endpoint"] == f"{sandbox.base_url}/identity/connect/authorize"
    assert "client_credentials" not in document["grant_types_supported"]

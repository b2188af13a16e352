"""Sign-in flows against the sandbox over real HTTP: OAuth password/refresh/reuse, cookie
login/logout, every sign-in failure, and that no path leaves a session open."""

from __future__ import annotations

import dataclasses
import logging

import pytest
import requests

from connector.acumatica import (
    InvalidClient,
    InvalidCredentials,
    InvalidGrant,
    InvalidScope,
    LoginLimitReached,
    NotLoggedIn,
    PasswordChangeRequired,
    TokenState,
    UnknownTenant,
)
from connector.acumatica.recording import contains_secret

from .conftest import cookie_credentials, oauth_credentials, open_sessions, requests_to

TOKEN = "/identity/connect/token"


def _secrets(server, client=None) -> list[str]:
    values = [server.config.password, server.config.client_secret]
    if client is not None and client.token_state is not None:
        values += [client.token_state.access_token or "", client.token_state.refresh_token or ""]
    return [v for v in values if v]


# --- OAuth ---------------------------------------------------------------------------------


def test_password_grant_then_token_reused(sandbox, make_client):
    changes: list[TokenState] = []
    client = make_client(sandbox, on_token_change=changes.append)
    for _ in range(3):
        client.discover(refresh=True)
    assert client.stats.token_requests == 1
    assert requests_to(sandbox, TOKEN) == 1
    assert client.request_count == 4
    assert len(changes) == 1
    state = changes[0]
    assert state.access_token and state.refresh_token
    assert state.scope == "api offline_access"
    assert state == client.token_state


def test_persisted_tokens_reused_by_the_next_client(sandbox, make_client):
    saved: list[TokenState] = []
    with make_client(sandbox, on_token_change=saved.append) as first:
        first.discover()
    # The caller keeps the tokens, so close leaves the grant's session for the next job.
    assert open_sessions(sandbox) == 1
    stored = TokenState.from_dict(saved[-1].to_dict())
    with make_client(sandbox, token_state=stored, on_token_change=saved.append) as second:
        second.discover()
        assert second.stats.token_requests == 0
    assert requests_to(sandbox, TOKEN) == 1
    assert open_sessions(sandbox) == 1


def test_refresh_rotates_the_refresh_token(sandbox, make_client):
    saved: list[TokenState] = []
    with make_client(sandbox, on_token_change=saved.append) as first:
        first.discover()
    old = saved[-1]
    expired = dataclasses.replace(old, expires_at=0.0)
    with make_client(sandbox, token_state=expired, on_token_change=saved.append) as second:
        second.discover()
        assert second.stats.token_requests == 1
        new = second.token_state
    assert new.access_token != old.access_token
    assert new.refresh_token and new.refresh_token != old.refresh_token
    assert saved[-1] == new
    # The old refresh token was retired by the server: rotation, not reuse.
    refused = requests.post(
        sandbox.base_url + TOKEN,
        data={
            "grant_type": "refresh_token",
            "client_id": sandbox.config.client_id,
            "client_secret": sandbox.config.client_secret,
            "refresh_token": old.refresh_token,
        },
        timeout=5,
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    # Same grant, same session: the refresh did not take a second seat.
    assert open_sessions(sandbox) == 1


def test_refused_refresh_token_falls_back_to_password_grant(sandbox, make_client):
    stale = TokenState(refresh_token="NOT-A-REAL-REFRESH-TOKEN", expires_at=0.0)
    with make_client(sandbox, token_state=stale, sign_out_on_close=True) as client:
        client.discover()
        assert client.stats.token_requests == 2
        assert client.token_state.refresh_token != stale.refresh_token
    assert open_sessions(sandbox) == 0


def test_oauth_without_kept_tokens_signs_out_on_close(sandbox, make_client):
    with make_client(sandbox) as client:
        client.discover()
        assert open_sessions(sandbox) == 1
    assert open_sessions(sandbox) == 0
    assert requests_to(sandbox, "/entity/auth/logout") == 1


def test_explicit_oauth_sign_out_keeps_the_refresh_token(sandbox, make_client):
    saved: list[TokenState] = []
    client = make_client(sandbox, on_token_change=saved.append)
    client.discover()
    refresh_token = client.token_state.refresh_token
    client.sign_out()
    assert open_sessions(sandbox) == 0
    assert client.token_state.access_token is None
    assert client.token_state.refresh_token == refresh_token
    # Coming back needs no password: the refresh grant opens a new session.
    client.discover(refresh=True)
    assert client.stats.token_requests == 2
    client.sign_out()
    assert open_sessions(sandbox) == 0


def test_concurrent_access_scope_signs_out_each_session(sandbox, make_client):
    creds = oauth_credentials(sandbox, scope="api offline_access api:concurrent_access")
    with make_client(sandbox, creds, on_token_change=lambda s: None) as client:
        client.discover()
        client.discover(refresh=True)
    assert open_sessions(sandbox) == 0


def test_expired_access_token_reauthenticates_once(sandbox, make_client):
    with make_client(sandbox, sign_out_on_close=True) as client:
        client.list("SalesOrder", top=1)
        # Server-side expiry the client cannot know about: the next call answers 401.
        sandbox.clock.advance(3700)
        client.list("SalesOrder", top=1)
        assert client.stats.reauthentications == 1
        assert client.stats.by_status.get(401) == 1
    assert open_sessions(sandbox) == 0


def test_second_401_raises_not_logged_in(sandbox_factory, make_client):
    # Tokens that die the moment they are issued: the retry after re-authentication 401s too.
    server = sandbox_factory(access_token_lifetime=0)
    client = make_client(server, sign_out_on_close=True)
    with pytest.raises(NotLoggedIn) as info:
        client.list("SalesOrder", top=1)
    assert info.value.status_code == 401
    assert client.stats.by_status.get(401) == 2
    client.close()
    # The client still tries to release the grant's session, but only a live token can close
    # it; this pathological server leaves it to the idle timeout.
    assert requests_to(server, "/entity/auth/logout") == 1


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"password": "Wr0ng-Passw0rd"}, InvalidGrant),
        ({"client_secret": "Wr0ng-Secr3t"}, InvalidClient),
        ({"client_id": "B5D1E5A2-7C1F-4E36-9A0B-1F2E3D4C5B6A"}, InvalidClient),
        ({"scope": "offline_access bogus"}, InvalidScope),
    ],
)
def test_oauth_sign_in_failures(sandbox, make_client, caplog, overrides, error):
    caplog.set_level(logging.DEBUG, logger="connector.acumatica")
    client = make_client(sandbox, oauth_credentials(sandbox, **overrides))
    with pytest.raises(error) as info:
        client.discover()
    assert not info.value.retryable
    client.close()
    assert open_sessions(sandbox) == 0
    secrets = [
        *_secrets(sandbox),
        overrides.get("password", ""),
        overrides.get("client_secret", ""),
    ]
    for text in (str(info.value), repr(info.value), caplog.text):
        assert not any(s and s in text for s in secrets)


def test_wrong_oauth_password_is_invalid_credentials(sandbox, make_client):
    with pytest.raises(InvalidCredentials):
        make_client(sandbox, oauth_credentials(sandbox, password="nope")).sign_in()


def test_oauth_password_change_required(sandbox_factory, make_client):
    server = sandbox_factory(password_change_required=True)
    with pytest.raises(PasswordChangeRequired):
        make_client(server).sign_in()
    assert open_sessions(server) == 0


def test_oauth_login_limit(sandbox_factory, make_client):
    server = sandbox_factory(max_sessions=1)
    holder = make_client(server, "cookie")
    holder.sign_in()
    with pytest.raises(LoginLimitReached) as info:
        make_client(server).sign_in()
    assert info.value.retryable
    holder.close()
    assert open_sessions(server) == 0


# --- cookie sessions -----------------------------------------------------------------------


def test_cookie_login_and_logout(sandbox, make_client):
    with make_client(sandbox, "cookie") as client:
        client.discover()
        client.discover(refresh=True)
        assert client.stats.logins == 1
        assert open_sessions(sandbox) == 1
    assert open_sessions(sandbox) == 0
    assert client.stats.logouts == 1
    # The sandbox answers 411 to a bodiless POST without Content-Length, as IIS does: a 204
    # proves the client sent "Content-Length: 0".
    logout = [r for r in sandbox.request_log.as_json() if r["path"].endswith("/auth/logout")]
    assert [r["status"] for r in logout] == [204]


def test_cookie_session_signed_out_when_the_body_raises(sandbox, make_client):
    with pytest.raises(RuntimeError), make_client(sandbox, "cookie") as client:
        client.sign_in()
        assert open_sessions(sandbox) == 1
        raise RuntimeError("job failed")
    assert open_sessions(sandbox) == 0


def test_cookie_session_expired_reauthenticates_once(sandbox, make_client):
    with make_client(sandbox, "cookie") as client:
        client.list("SalesOrder", top=1)
        sandbox.sessions.close_all()
        client.list("SalesOrder", top=1)
        assert client.stats.reauthentications == 1
        assert client.stats.logins == 2
    assert open_sessions(sandbox) == 0


def test_cookie_close_cannot_be_turned_off(sandbox, make_client):
    with pytest.raises(ValueError):
        make_client(sandbox, "cookie", sign_out_on_close=False)


@pytest.mark.parametrize("status", [500, 429])
def test_cookie_login_limit(sandbox_factory, make_client, status):
    server = sandbox_factory(max_sessions=2, login_limit_status=status)
    first, second = make_client(server, "cookie"), make_client(server, "cookie")
    first.sign_in()
    second.sign_in()
    third = make_client(server, "cookie")
    with pytest.raises(LoginLimitReached) as info:
        third.sign_in()
    assert info.value.status_code == status
    assert info.value.retryable
    for client in (first, second, third):
        client.close()
    assert open_sessions(server) == 0


def test_cookie_bad_password(sandbox, make_client, caplog):
    caplog.set_level(logging.DEBUG, logger="connector.acumatica")
    client = make_client(sandbox, cookie_credentials(sandbox, password="hunter2-wrong"))
    with pytest.raises(InvalidCredentials) as info:
        client.discover()
    assert info.value.status_code == 500
    assert "Invalid credentials" in info.value.exception_message
    assert not info.value.retryable
    client.close()
    assert open_sessions(sandbox) == 0
    assert "hunter2-wrong" not in caplog.text + str(info.value)


def test_cookie_unknown_tenant(sandbox_factory, make_client):
    server = sandbox_factory(tenants=["Company", "Other"])
    client = make_client(server, cookie_credentials(server, tenant="Nope"))
    with pytest.raises(UnknownTenant):
        client.sign_in()
    # The settings' tenant is the fallback when the credentials name none.
    with make_client(server, "cookie", settings={"tenant": "Other"}) as ok:
        ok.sign_in()
        assert server.sessions.open_sessions()[0].tenant == "Other"
    client.close()
    assert open_sessions(server) == 0


def test_cookie_password_change_required(sandbox_factory, make_client):
    server = sandbox_factory(password_change_required=True)
    with pytest.raises(PasswordChangeRequired):
        make_client(server, "cookie").sign_in()
    assert open_sessions(server) == 0


# --- secrets ---------------------------------------------------------------------------------


def test_no_secret_in_recordings_logs_or_reprs(sandbox, make_client, recorder, caplog):
    caplog.set_level(logging.DEBUG, logger="connector.acumatica")
    with make_client(sandbox, on_token_change=lambda s: None, sign_out_on_close=True) as oauth:
        oauth.discover()
        secrets = _secrets(sandbox, oauth)
        texts = [repr(oauth), repr(oauth.token_state), repr(oauth._auth.credentials)]
    with make_client(sandbox, "cookie") as cookie:
        cookie.discover()
        jar = cookie._transport.session.cookies
        cookies = [c.value for c in jar if c.name in ("ASP.NET_SessionId", ".ASPXAUTH")]
        assert len(cookies) == 2
    assert recorder.exchanges
    assert not contains_secret(recorder.exchanges, secrets + cookies)
    assert not any(s in caplog.text for s in secrets + cookies)
    assert not any(s in t for s in secrets for t in texts)
    token_call = next(e for e in recorder.exchanges if e.url.endswith(TOKEN))
    assert "grant_type=password" in token_call.request_body
    assert token_call.request_headers.get("Content-Type") == "application/x-www-form-urlencoded"

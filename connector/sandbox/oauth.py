"""OAuth 2.0 token endpoint and bearer-token sessions (API.md §1.3).

One Connected Application is registered: ``config.client_id`` (``<GUID>@<Tenant>``) with
``config.client_secret``. Error bodies follow RFC 6749 §5.2 with HTTP 400, as IdentityServer (which
Acumatica's ``/identity`` is built on) answers; Acumatica documents none of them.

Seats: without ``api:concurrent_access`` each grant (password or authorization code) opens one
session at token time and every token of the grant (refreshes included) runs in it. When that
session ends (idle timeout, sign-out) the next refresh or bearer call on the grant opens a new one,
which needs a free seat. With ``api:concurrent_access`` no session is opened at token time: each
bearer call without the session cookies opens a new cookie-managed session and answers with its
cookies; the client must sign out of each.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import threading
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote_plus

from .clock import SandboxClock
from .config import SandboxConfig
from .http import Reply, SandboxHttpError
from .incoming import IncomingRequest
from .px_errors import (
    API_LOGIN_LIMIT,
    PASSWORD_CHANGE_REQUIRED,
    api_login_limit,
    undefined_company,
)
from .sessions import (
    OAUTH_SESSION,
    Caller,
    LoginLimitReached,
    Session,
    SessionRegistry,
    session_cookies,
)

API_SCOPE = "api"
OFFLINE_SCOPE = "offline_access"
CONCURRENT_SCOPE = "api:concurrent_access"
SUPPORTED_SCOPES = (
    API_SCOPE,
    OFFLINE_SCOPE,
    CONCURRENT_SCOPE,
    "openid",
    "email",
    "profile",
    "phone",
)
# IdentityServer's description for a failed resource-owner password check.
BAD_USER_OR_PASSWORD = "invalid_username_or_password"


@dataclass(frozen=True)
class SignIn:
    """A user proven to the token endpoint, by password or by an authorization code."""

    user: str
    tenant: str
    scopes: tuple[str, ...]


class AuthorizationCodes(Protocol):
    def redeem(
        self, code: str, *, client_id: str, redirect_uri: str, code_verifier: str
    ) -> SignIn | None: ...


@dataclass
class Grant:
    id: str
    user: str
    tenant: str
    scopes: tuple[str, ...]
    authenticated_at: float
    refresh_token: str | None = None
    session_id: str | None = None
    # Expiry of the newest access token: an "api"-only grant's session ends with it.
    access_expires_at: float | None = None

    @property
    def concurrent(self) -> bool:
        return CONCURRENT_SCOPE in self.scopes

    @property
    def offline(self) -> bool:
        return OFFLINE_SCOPE in self.scopes


@dataclass
class AccessToken:
    grant_id: str
    expires_at: float


class TokenError(Exception):
    def __init__(self, error: str, description: str | None = None):
        super().__init__(error)
        self.error, self.description = error, description

    def reply(self) -> Reply:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return Reply(400, body, headers=_NO_STORE)


_NO_STORE = {"Cache-Control": "no-store, no-cache, max-age=0", "Pragma": "no-cache"}


class OAuthServer:
    def __init__(
        self,
        config: SandboxConfig,
        clock: SandboxClock,
        sessions: SessionRegistry,
        codes: AuthorizationCodes,
    ):
        self._config = config
        self._clock = clock
        self._sessions = sessions
        self._codes = codes
        self._grants: dict[str, Grant] = {}
        self._access_tokens: dict[str, AccessToken] = {}
        self._refresh_tokens: dict[str, str] = {}  # refresh token -> grant id
        # One lock for grants and tokens, taken before the session registry's own lock.
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- token endpoint
    def token(self, request: IncomingRequest) -> Reply:
        try:
            if request.media_type != "application/x-www-form-urlencoded":
                raise TokenError("invalid_request")
            form = request.form_body()
            client_tenant = self._authenticate_client(request, form)
            grant_type = form.get("grant_type", "")
            if grant_type == "password":
                sign_in = self._check_password(form, client_tenant)
                return self._issue(self._new_grant(sign_in))
            if grant_type == "authorization_code":
                sign_in = self._codes.redeem(
                    form.get("code", ""),
                    client_id=self._config.client_id,
                    redirect_uri=form.get("redirect_uri", ""),
                    code_verifier=form.get("code_verifier", ""),
                )
                if sign_in is None:
                    raise TokenError("invalid_grant")
                return self._issue(self._new_grant(sign_in))
            if grant_type == "refresh_token":
                return self._refresh(form)
            raise TokenError("unsupported_grant_type")
        except TokenError as refused:
            return refused.reply()

    def _authenticate_client(self, request: IncomingRequest, form: dict[str, str]) -> str:
        """Check client id and secret (form fields or HTTP Basic); return the client's tenant."""
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = _basic_credentials(request.header("authorization"))
        if basic is not None:
            client_id, secret = basic
        if form.get("client_assertion"):
            # JWT client assertions are documented but not simulated: the secret is required.
            raise TokenError("invalid_client")
        known = {t.lower(): t for t in self._config.tenants}
        suffix = client_id.rpartition("@")[2] if "@" in client_id else ""
        if self._config.multi_tenant and suffix and suffix.lower() not in known:
            # The tenant after "@" is resolved before the client is looked up in it, and an
            # unknown one fails as cookie sign-in does (API.md §1.1): the sandbox's choice.
            raise SandboxHttpError(undefined_company())
        expected = self._config.client_id
        if (
            "@" not in client_id
            or client_id.lower() != expected.lower()
            or not hmac.compare_digest(secret.encode(), self._config.client_secret.encode())
        ):
            raise TokenError("invalid_client")
        tenant = client_id.split("@", 1)[1]
        if tenant.lower() in known:
            return known[tenant.lower()]
        if self._config.multi_tenant:
            raise TokenError("invalid_client")
        return self._config.default_tenant

    def _check_password(self, form: dict[str, str], tenant: str) -> SignIn:
        scopes = requested_scopes(form.get("scope"))
        user = form.get("username", "")
        if user.lower() != self._config.username.lower() or not hmac.compare_digest(
            form.get("password", "").encode(), self._config.password.encode()
        ):
            raise TokenError("invalid_grant", BAD_USER_OR_PASSWORD)
        if self._config.password_change_required:
            raise TokenError("invalid_grant", PASSWORD_CHANGE_REQUIRED)
        return SignIn(self._config.username, tenant, scopes)

    def _new_grant(self, sign_in: SignIn) -> Grant:
        grant = Grant(
            id=secrets.token_hex(8),
            user=sign_in.user,
            tenant=sign_in.tenant,
            scopes=sign_in.scopes,
            authenticated_at=self._clock.now(),
        )
        with self._lock:
            if not grant.concurrent:
                try:
                    grant.session_id = self._open_session(grant).id
                except LoginLimitReached:
                    raise TokenError("invalid_grant", API_LOGIN_LIMIT) from None
            self._grants[grant.id] = grant
        return grant

    def _refresh(self, form: dict[str, str]) -> Reply:
        now = self._clock.now()
        with self._lock:
            grant = self._grants.get(self._refresh_tokens.get(form.get("refresh_token", ""), ""))
            if grant is None or now >= grant.authenticated_at + self._config.refresh_token_lifetime:
                raise TokenError("invalid_grant")
            narrowed = form.get("scope")
            if narrowed and not set(requested_scopes(narrowed)) <= set(grant.scopes):
                raise TokenError("invalid_scope")
            if not grant.concurrent:
                session = self._sessions.get(grant.session_id)
                if session is None:
                    # Checked before rotating so a refused refresh leaves the old token usable.
                    try:
                        grant.session_id = self._open_session(grant).id
                    except LoginLimitReached:
                        raise TokenError("invalid_grant", API_LOGIN_LIMIT) from None
                else:
                    self._sessions.touch(session)
            del self._refresh_tokens[grant.refresh_token]
            grant.refresh_token = None
            return self._issue(grant)

    def _issue(self, grant: Grant) -> Reply:
        now = self._clock.now()
        lifetime = self._config.access_token_lifetime
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._forget_expired(now)
            self._access_tokens[access_token] = AccessToken(grant.id, now + lifetime)
            grant.access_expires_at = now + lifetime
            body: dict = {
                "access_token": access_token,
                "expires_in": lifetime,
                "token_type": "Bearer",
            }
            if grant.offline:
                grant.refresh_token = secrets.token_hex(32).upper()
                self._refresh_tokens[grant.refresh_token] = grant.id
                body["refresh_token"] = grant.refresh_token
            else:
                session = self._sessions.get(grant.session_id)
                if session is not None:
                    session.closes_at = grant.access_expires_at
        body["scope"] = " ".join(grant.scopes)
        return Reply(200, body, headers=_NO_STORE)

    # ----------------------------------------------------------------- bearer calls
    def caller_for_bearer(self, request: IncomingRequest) -> Caller | None:
        """The session a bearer request runs in; None when the token is unknown or expired."""
        with self._lock:
            grant = self._grant_of(request.bearer_token)
            if grant is None:
                return None
            if grant.concurrent:
                session = self._sessions.by_cookies(request.cookies)
                if session is not None and session.grant_id == grant.id:
                    self._sessions.touch(session)
                    return Caller(session, "bearer")
                session = self._open_session_or_refuse(grant)
                return Caller(session, "bearer", session_cookies(session))
            session = self._sessions.get(grant.session_id)
            if session is None:
                session = self._open_session_or_refuse(grant)
                grant.session_id = session.id
            else:
                self._sessions.touch(session)
            return Caller(session, "bearer")

    def sign_out(self, request: IncomingRequest) -> Session | None:
        """Sign-out with a bearer token: close the grant's session and revoke this access token;
        returns the closed session. The refresh token stays valid, so the client can come back
        without a password."""
        with self._lock:
            token = request.bearer_token or ""
            grant = self._grant_of(token)
            if grant is None:
                return None
            session = None
            if grant.concurrent:
                session = self._sessions.by_cookies(request.cookies)
                if session is not None and session.grant_id != grant.id:
                    session = None
            else:
                session = self._sessions.get(grant.session_id)
                grant.session_id = None
            if session is not None:
                self._sessions.close(session.id)
            self._access_tokens.pop(token, None)
            return session

    def summary(self) -> dict:
        now = self._clock.now()
        with self._lock:
            return {
                "grants": len(self._grants),
                "live_access_tokens": sum(t.expires_at > now for t in self._access_tokens.values()),
            }

    def _grant_of(self, access_token: str | None) -> Grant | None:
        record = self._access_tokens.get(access_token or "")
        if record is None or record.expires_at <= self._clock.now():
            return None
        return self._grants.get(record.grant_id)

    def _open_session(self, grant: Grant) -> Session:
        return self._sessions.open(
            kind=OAUTH_SESSION,
            user=grant.user,
            tenant=grant.tenant,
            grant_id=grant.id,
            # "api" alone: the session closes with the token (API.md §1.3 session management).
            closes_at=None if grant.offline else grant.access_expires_at,
            cookie_managed=grant.concurrent,
        )

    def _open_session_or_refuse(self, grant: Grant) -> Session:
        try:
            return self._open_session(grant)
        except LoginLimitReached:
            raise SandboxHttpError(api_login_limit(self._config)) from None

    def _forget_expired(self, now: float) -> None:
        expired = [value for value, t in self._access_tokens.items() if t.expires_at <= now]
        for value in expired:
            del self._access_tokens[value]


def requested_scopes(scope: str | None) -> tuple[str, ...]:
    """Validate a space-delimited scope list: known scopes only, ``api`` required."""
    scopes = tuple(dict.fromkeys((scope or "").split()))
    if not scopes or any(s not in SUPPORTED_SCOPES for s in scopes) or API_SCOPE not in scopes:
        raise TokenError("invalid_scope")
    return scopes


def _basic_credentials(authorization: str) -> tuple[str, str] | None:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return unquote_plus(client_id), unquote_plus(secret)

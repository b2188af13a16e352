"""Signing in to Acumatica: OAuth 2.0 password grant with refresh, or a cookie session.

OAuth (preferred, API.md §1.3): ``POST <instance>/identity/connect/token``. With scope
``api offline_access`` Acumatica keeps one session per grant; the access token (1 hour) is reused
until shortly before it expires, then renewed with the refresh token, whose replacement is kept
and the old one dropped. When the refresh token is refused (expired, or rotated by another
worker that shared it) the password grant starts a new grant. :class:`TokenState` is what the
caller persists (encrypted) between jobs; ``on_token_change`` fires whenever it changes.

Cookie session (fallback, §1.1-1.2): ``POST <instance>/entity/auth/login`` then
``POST <instance>/entity/auth/logout``. Every cookie session holds a licence seat until it signs
out or idles out after 10 minutes, so the client always signs it out.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .classify import error_from_response
from .config import ConnectionSettings
from .errors import InvalidGrant, UnexpectedResponse
from .responses import loads
from .transport import Transport

logger = logging.getLogger("connector.acumatica")

DEFAULT_SCOPE = "api offline_access"
# Renew the access token this many seconds before Acumatica says it expires, so a request is
# never sent with a token that dies in flight.
DEFAULT_REFRESH_MARGIN = 60.0


@dataclass(frozen=True)
class OAuthCredentials:
    """A Connected Application (SM303010) plus the integration user, for the password grant.

    ``client_id`` is ``<GUID>@<TenantLoginName>``: the tenant after ``@`` is the one the tokens
    work in.
    """

    client_id: str
    client_secret: str = field(repr=False)
    username: str
    password: str = field(repr=False)
    scope: str = DEFAULT_SCOPE

    @property
    def tenant(self) -> str | None:
        """The tenant named by the client id, None when the id lacks its ``@Tenant`` suffix."""
        _, at, tenant = self.client_id.rpartition("@")
        return tenant if at and tenant else None


@dataclass(frozen=True)
class CookieCredentials:
    """Username/password for ``/entity/auth/login``. ``tenant`` falls back to the settings';
    ``branch`` is a Branch ID (CS102000)."""

    username: str
    password: str = field(repr=False)
    tenant: str | None = None
    branch: str | None = None
    locale: str | None = None


@dataclass(frozen=True, repr=False)
class TokenState:
    """OAuth tokens as the caller persists them (encrypted). ``expires_at`` is a UNIX time."""

    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: float | None = None
    scope: str | None = None
    token_type: str = "Bearer"

    def __repr__(self) -> str:
        return (
            f"TokenState(access_token={'<set>' if self.access_token else None}, "
            f"refresh_token={'<set>' if self.refresh_token else None}, "
            f"expires_at={self.expires_at!r}, scope={self.scope!r})"
        )

    def access_valid(self, *, now: float, margin: float = DEFAULT_REFRESH_MARGIN) -> bool:
        return bool(self.access_token) and (self.expires_at or 0.0) - margin > now

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TokenState:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


class Authenticator(ABC):
    """How the client proves who it is. The client calls :meth:`ensure` before each request,
    adds :meth:`headers`, and on a 401 calls :meth:`reauthenticate` once."""

    #: What ``AcumaticaClient.close()`` does unless told otherwise.
    sign_out_on_close: bool = True

    @property
    @abstractmethod
    def signed_in(self) -> bool:
        """Whether a request can go out now without signing in first."""

    @property
    def holds_session(self) -> bool:
        """Whether there may be an Acumatica session to sign out of."""
        return self.signed_in

    @abstractmethod
    def ensure(self, transport: Transport) -> None: ...

    @abstractmethod
    def headers(self) -> dict[str, str]: ...

    @abstractmethod
    def reauthenticate(self, transport: Transport) -> None: ...

    @abstractmethod
    def sign_out(self, transport: Transport) -> None: ...


def _logout(transport: Transport, headers: Mapping[str, str]) -> None:
    settings = transport.settings
    transport.stats.logouts += 1
    # An empty body with an explicit length: IIS answers 411 to a bodiless POST without one.
    response = transport.send(
        "POST",
        f"{settings.instance_url}/entity/auth/logout",
        data=b"",
        headers={**headers, "Content-Length": "0"},
        limited=False,
    )
    # 401: the session was already gone (expired or closed by the server); nothing to release.
    if response.status_code not in (200, 204, 401):
        raise error_from_response(response, during="sign-out")


class OAuthAuthenticator(Authenticator):
    def __init__(
        self,
        credentials: OAuthCredentials,
        *,
        token_state: TokenState | None = None,
        on_token_change: Callable[[TokenState], None] | None = None,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.tokens = token_state or TokenState()
        self._on_token_change = on_token_change
        self._margin = refresh_margin
        self._clock = clock
        self._lock = threading.RLock()
        # With api:concurrent_access every session is cookie-managed and must be closed (API.md
        # §1.3). Otherwise the session belongs to the grant: worth keeping only when the caller
        # keeps the tokens (on_token_change) so the next job reuses it; tokens dropped with the
        # client would leave a seat taken for up to 10 minutes by a grant nobody can use.
        concurrent = "api:concurrent_access" in credentials.scope.split()
        self.sign_out_on_close = concurrent or on_token_change is None

    @property
    def signed_in(self) -> bool:
        return self.tokens.access_valid(now=self._clock(), margin=self._margin)

    @property
    def holds_session(self) -> bool:
        # An expired token may still name an open session; trying to close it costs one request.
        return bool(self.tokens.access_token)

    def headers(self) -> dict[str, str]:
        if not self.tokens.access_token:
            return {}
        return {"Authorization": f"{self.tokens.token_type or 'Bearer'} {self.tokens.access_token}"}

    def ensure(self, transport: Transport) -> None:
        with self._lock:
            if self.signed_in:
                return
            if self.tokens.refresh_token:
                try:
                    self._refresh(transport)
                    return
                except InvalidGrant:
                    logger.info("Acumatica refresh token refused; starting a new password grant")
                    self._set(TokenState())
            self._password_grant(transport)

    def reauthenticate(self, transport: Transport) -> None:
        with self._lock:
            self._set(replace(self.tokens, access_token=None, expires_at=None))
            self.ensure(transport)

    def sign_out(self, transport: Transport) -> None:
        """Close the session behind the access token (``POST /entity/auth/logout`` with the
        Bearer token). The refresh token is kept: it may start a new session later."""
        with self._lock:
            if not self.tokens.access_token:
                return
            headers = self.headers()
            self._set(replace(self.tokens, access_token=None, expires_at=None))
            _logout(transport, headers)

    def _password_grant(self, transport: Transport) -> None:
        c = self.credentials
        self._token_request(
            transport,
            {
                "grant_type": "password",
                "client_id": c.client_id,
                "client_secret": c.client_secret,
                "username": c.username,
                "password": c.password,
                "scope": c.scope,
            },
        )

    def _refresh(self, transport: Transport) -> None:
        c = self.credentials
        self._token_request(
            transport,
            {
                "grant_type": "refresh_token",
                "client_id": c.client_id,
                "client_secret": c.client_secret,
                "refresh_token": self.tokens.refresh_token or "",
            },
        )

    def _token_request(self, transport: Transport, form: dict[str, str]) -> None:
        transport.stats.token_requests += 1
        requested_at = self._clock()
        response = transport.send(
            "POST",
            f"{transport.settings.instance_url}/identity/connect/token",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if response.status_code != 200:
            raise error_from_response(response, during="token")
        try:
            body = loads(response.content)
            access_token = str(body["access_token"])
            # Acumatica's own C# model reads expires_in as a string: accept both.
            expires_in = float(body.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError):
            raise UnexpectedResponse(
                "Acumatica's token endpoint answered 200 without an access token",
                status_code=200,
                method="POST",
                url=response.url,
            ) from None
        self._set(
            TokenState(
                access_token=access_token,
                # A refresh answer without a new refresh token leaves the old one valid (RFC 6749
                # §6); a password grant without one (no offline_access) starts a grant without.
                refresh_token=body.get("refresh_token")
                or (self.tokens.refresh_token if form["grant_type"] == "refresh_token" else None),
                expires_at=requested_at + expires_in,
                scope=body.get("scope") or self.credentials.scope,
                token_type=body.get("token_type") or "Bearer",
            )
        )

    def _set(self, tokens: TokenState) -> None:
        if tokens == self.tokens:
            return
        self.tokens = tokens
        if self._on_token_change:
            try:
                self._on_token_change(tokens)
            except Exception:
                # Failing to persist is bad but must not fail the call that just succeeded;
                # the worst case is one extra password grant next time.
                logger.exception("Acumatica token change callback failed")


class CookieAuthenticator(Authenticator):
    sign_out_on_close = True

    def __init__(self, credentials: CookieCredentials, settings: ConnectionSettings) -> None:
        self.credentials = credentials
        self.tenant = credentials.tenant or settings.tenant
        self._signed_in = False

    @property
    def signed_in(self) -> bool:
        return self._signed_in

    def headers(self) -> dict[str, str]:
        return {}  # the session's cookie jar carries .ASPXAUTH / ASP.NET_SessionId

    def ensure(self, transport: Transport) -> None:
        if self._signed_in:
            return
        c = self.credentials
        body = {"name": c.username, "password": c.password}
        for key, value in (("tenant", self.tenant), ("branch", c.branch), ("locale", c.locale)):
            if value:
                body[key] = value
        transport.session.cookies.clear()
        transport.stats.logins += 1
        response = transport.send(
            "POST", f"{transport.settings.instance_url}/entity/auth/login", json=body
        )
        if response.status_code not in (200, 204):
            transport.session.cookies.clear()
            raise error_from_response(response, during="sign-in")
        self._signed_in = True

    def reauthenticate(self, transport: Transport) -> None:
        # A 401 means the server already dropped the session (idle timeout); sign in afresh.
        self._signed_in = False
        self.ensure(transport)

    def sign_out(self, transport: Transport) -> None:
        if not self._signed_in:
            return
        self._signed_in = False
        try:
            _logout(transport, {})
        finally:
            transport.session.cookies.clear()


def authenticator_for(
    credentials: OAuthCredentials | CookieCredentials,
    settings: ConnectionSettings,
    *,
    token_state: TokenState | None = None,
    on_token_change: Callable[[TokenState], None] | None = None,
) -> Authenticator:
    if isinstance(credentials, OAuthCredentials):
        return OAuthAuthenticator(
            credentials, token_state=token_state, on_token_change=on_token_change
        )
    if isinstance(credentials, CookieCredentials):
        if token_state or on_token_change:
            raise ValueError("token_state/on_token_change only apply to OAuth credentials")
        return CookieAuthenticator(credentials, settings)
    raise TypeError(f"unsupported credentials: {type(credentials).__name__}")

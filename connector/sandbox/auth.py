"""Cookie sign-in and sign-out (API.md §1.1, §1.2), and finding the session a request runs in.

A data request is authenticated by ``Authorization: Bearer`` when present (see oauth.py), else by
the ``ASP.NET_SessionId`` + ``.ASPXAUTH`` cookie pair a sign-in returned: both must be sent.
"""

from __future__ import annotations

import hmac

from . import px_errors, webapi
from .config import SandboxConfig
from .http import Reply
from .incoming import IncomingRequest
from .oauth import OAuthServer
from .sessions import (
    COOKIE_SESSION,
    SESSION_COOKIE,
    Caller,
    LoginLimitReached,
    SessionRegistry,
    session_cookies,
    signed_out_cookies,
)

_JSON_TYPES = ("", "application/json", "text/json")
_FORM_TYPE = "application/x-www-form-urlencoded"


class Authenticator:
    def __init__(self, config: SandboxConfig, sessions: SessionRegistry, oauth: OAuthServer):
        self._config = config
        self._sessions = sessions
        self._oauth = oauth

    def login(self, request: IncomingRequest) -> Reply:
        credentials = _credentials(request)
        if isinstance(credentials, Reply):
            return credentials
        tenant = self._tenant(credentials.get("tenant") or credentials.get("company"))
        if tenant is None:
            return px_errors.undefined_company()
        if credentials.get("name", "").lower() != self._config.username.lower() or not (
            hmac.compare_digest(
                credentials.get("password", "").encode(), self._config.password.encode()
            )
        ):
            return px_errors.invalid_credentials()
        if self._config.password_change_required:
            return px_errors.password_change_required()

        user, branch = self._config.username, credentials.get("branch") or None
        session = self._sessions.get(request.cookies.get(SESSION_COOKIE))
        if session is not None and session.kind == COOKIE_SESSION:
            self._sessions.sign_in_again(session, user=user, tenant=tenant, branch=branch)
        else:
            try:
                session = self._sessions.open(
                    kind=COOKIE_SESSION, user=user, tenant=tenant, branch=branch
                )
            except LoginLimitReached:
                return px_errors.api_login_limit(self._config)
        request.notes["caller"] = Caller(session, "cookie")
        return Reply(204, None, cookies=session_cookies(session))

    def logout(self, request: IncomingRequest) -> Reply:
        """Always 204: signing out of a session that is already gone is not an error."""
        if request.bearer_token:
            closed = self._oauth.sign_out(request)
            if closed is not None:
                request.notes["caller"] = Caller(closed, "bearer")
        session = self._sessions.by_cookies(request.cookies)
        if session is not None:
            request.notes.setdefault("caller", Caller(session, "cookie"))
            self._sessions.close(session.id)
        return Reply(204, None, cookies=signed_out_cookies())

    def identify(self, request: IncomingRequest) -> Caller | None:
        """The caller of a data request, or None (answer 401). A bearer call whose grant's session
        has ended opens a new one, which raises SandboxHttpError when no seat is free."""
        if request.bearer_token:
            caller = self._oauth.caller_for_bearer(request)
        else:
            caller = self.identify_without_opening(request)
            if caller is not None:
                self._sessions.touch(caller.session)
        if caller is not None:
            request.notes["caller"] = caller
        return caller

    def identify_without_opening(self, request: IncomingRequest) -> Caller | None:
        session = self._sessions.by_cookies(request.cookies)
        return Caller(session, "cookie") if session is not None else None

    def _tenant(self, requested: str | None) -> str | None:
        """Omitted tenant: the default one; single-tenant site: any value; else it must exist."""
        requested = (requested or "").strip()
        if not requested or not self._config.multi_tenant:
            return self._config.default_tenant
        return next((t for t in self._config.tenants if t.lower() == requested.lower()), None)


def _credentials(request: IncomingRequest) -> dict[str, str] | Reply:
    """Sign-in fields from a JSON or form body, names case-insensitive as Json.NET binds them."""
    if request.media_type == _FORM_TYPE:
        fields = request.form_body()
    elif request.media_type in _JSON_TYPES:
        try:
            fields = request.json_body()
        except ValueError:
            return webapi.invalid_data()
        if not isinstance(fields, dict):
            return webapi.invalid_data()
    else:
        return webapi.unsupported_media_type(request.media_type)
    return {str(k).lower(): v if isinstance(v, str) else "" for k, v in fields.items()}

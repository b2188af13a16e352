"""API sessions: the licence's unit of "API users" (API.md §1, §7).

Every open session holds one seat, whether it came from a cookie sign-in or an OAuth grant. A
session ends on sign-out, when idle longer than ``session_idle_timeout`` (Acumatica: 10 minutes),
or, for an ``api``-only OAuth grant, when its access token expires. Expiry is checked lazily on
each request against the sandbox clock.
"""

from __future__ import annotations

import hmac
import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .clock import SandboxClock, iso
from .config import SandboxConfig

SESSION_COOKIE = "ASP.NET_SessionId"
AUTH_COOKIE = ".ASPXAUTH"
BRANCH_COOKIE = "UserBranch"
COOKIE_SESSION = "cookie"
OAUTH_SESSION = "oauth"

_SESSION_ID_ALPHABET = string.ascii_lowercase + "012345"


class LoginLimitReached(Exception):
    """Every seat of the licence is taken ("API Login Limit")."""


@dataclass
class Session:
    id: str
    kind: str  # COOKIE_SESSION or OAUTH_SESSION
    user: str
    tenant: str
    branch: str | None
    opened_at: float
    last_seen: float
    # The .ASPXAUTH ticket a cookie-managed session must present with its session id.
    auth_ticket: str | None = None
    grant_id: str | None = None
    # Hard end regardless of activity (an api-only OAuth grant ends with its access token).
    closes_at: float | None = None

    def ticket_matches(self, ticket: str | None) -> bool:
        return bool(self.auth_ticket and ticket) and hmac.compare_digest(self.auth_ticket, ticket)

    def summary(self, now: float) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "user": self.user,
            "tenant": self.tenant,
            "branch": self.branch,
            "opened": iso(self.opened_at),
            "last_seen": iso(self.last_seen),
            "idle_seconds": round(now - self.last_seen, 3),
            "oauth_grant": self.grant_id,
        }


class SessionRegistry:
    def __init__(
        self,
        config: SandboxConfig,
        clock: SandboxClock,
        on_close: Callable[[str], None] | None = None,
    ):
        self._config = config
        self._clock = clock
        self._on_close = on_close
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        # Most sessions open at once, and sign-ins refused with "API Login Limit".
        self.peak_open = 0
        self.refused = 0

    def open(
        self,
        *,
        kind: str,
        user: str,
        tenant: str,
        branch: str | None = None,
        grant_id: str | None = None,
        closes_at: float | None = None,
        cookie_managed: bool = True,
    ) -> Session:
        """Take a seat for a new session, or raise LoginLimitReached."""
        self.expire_idle()
        now = self._clock.now()
        session = Session(
            id=_new_session_id(),
            kind=kind,
            user=user,
            tenant=tenant,
            branch=branch,
            opened_at=now,
            last_seen=now,
            auth_ticket=secrets.token_hex(64).upper() if cookie_managed else None,
            grant_id=grant_id,
            closes_at=closes_at,
        )
        with self._lock:
            limit = self._config.max_sessions
            if limit and len(self._sessions) >= limit:
                self.refused += 1
                raise LoginLimitReached()
            self._sessions[session.id] = session
            self.peak_open = max(self.peak_open, len(self._sessions))
        return session

    def sign_in_again(
        self, session: Session, *, user: str, tenant: str, branch: str | None
    ) -> None:
        """A sign-in that carries an open session's cookie reuses that session (ASP.NET keeps a
        session id the client sends back), with a fresh auth ticket and no extra seat."""
        with self._lock:
            session.user, session.tenant, session.branch = user, tenant, branch
            session.auth_ticket = secrets.token_hex(64).upper()
            session.last_seen = self._clock.now()

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        self.expire_idle()
        with self._lock:
            return self._sessions.get(session_id)

    def by_cookies(self, cookies: dict[str, str]) -> Session | None:
        """The cookie-managed session named by ``ASP.NET_SessionId`` whose ``.ASPXAUTH`` matches."""
        session = self.get(cookies.get(SESSION_COOKIE))
        if session is not None and session.ticket_matches(cookies.get(AUTH_COOKIE)):
            return session
        return None

    def touch(self, session: Session) -> None:
        with self._lock:
            session.last_seen = self._clock.now()

    def close(self, session_id: str) -> bool:
        with self._lock:
            closed = self._sessions.pop(session_id, None)
        if closed is not None:
            self._notify(closed.id)
        return closed is not None

    def close_all(self) -> int:
        with self._lock:
            closed = list(self._sessions)
            self._sessions.clear()
        for session_id in closed:
            self._notify(session_id)
        return len(closed)

    def expire_idle(self) -> int:
        """Close sessions idle past the timeout or past their hard end; returns how many."""
        now = self._clock.now()
        timeout = self._config.session_idle_timeout
        with self._lock:
            expired = [
                s.id
                for s in self._sessions.values()
                if now - s.last_seen >= timeout or (s.closes_at is not None and now >= s.closes_at)
            ]
            for session_id in expired:
                del self._sessions[session_id]
        for session_id in expired:
            self._notify(session_id)
        return len(expired)

    def open_sessions(self) -> list[Session]:
        self.expire_idle()
        with self._lock:
            return sorted(self._sessions.values(), key=lambda s: s.opened_at)

    def __len__(self) -> int:
        return len(self.open_sessions())

    def _notify(self, session_id: str) -> None:
        if self._on_close is not None:
            self._on_close(session_id)


@dataclass
class Caller:
    """Who made a request: the session it runs in and how it proved it."""

    session: Session
    auth_kind: str  # "cookie" or "bearer"
    # Cookies to set on the reply: an api:concurrent_access bearer call that opened a session.
    set_cookies: list[str] = field(default_factory=list)


def session_cookies(session: Session) -> list[str]:
    """``Set-Cookie`` values of a signed-in session (examples/login_success_response.http)."""
    return [
        f"{SESSION_COOKIE}={session.id}; path=/; HttpOnly; SameSite=Lax",
        f"{AUTH_COOKIE}={session.auth_ticket}; path=/; HttpOnly",
        f"{BRANCH_COOKIE}=1; path=/; HttpOnly",
    ]


def signed_out_cookies() -> list[str]:
    """What a sign-out answers with: the forms ticket cleared the way ASP.NET clears it."""
    return [f"{AUTH_COOKIE}=; expires=Mon, 11-Oct-1999 00:00:00 GMT; path=/; HttpOnly"]


def _new_session_id() -> str:
    # ASP.NET session ids are 24 characters of lower-case letters and digits 0-5.
    return "".join(secrets.choice(_SESSION_ID_ALPHABET) for _ in range(24))

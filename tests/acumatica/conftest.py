"""Helpers for client tests against the sandbox (fixtures ``sandbox``/``sandbox_factory`` come
from tests/conftest.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from connector.acumatica import (
    AcumaticaClient,
    ConnectionSettings,
    CookieCredentials,
    InProcessLimiter,
    InstanceLimits,
    MemoryRecorder,
    OAuthCredentials,
)


def oauth_credentials(server, **overrides) -> OAuthCredentials:
    config = server.config
    fields = {
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "username": config.username,
        "password": config.password,
        **overrides,
    }
    return OAuthCredentials(**fields)


def cookie_credentials(server, **overrides) -> CookieCredentials:
    config = server.config
    fields = {"username": config.username, "password": config.password, **overrides}
    return CookieCredentials(**fields)


def open_sessions(server) -> int:
    return len(server.sessions.open_sessions())


def requests_to(server, suffix: str, method: str | None = None) -> int:
    """How many requests the sandbox logged whose path ends with ``suffix``."""
    return sum(
        1
        for r in server.request_log.as_json()
        if r["path"].endswith(suffix) and (method is None or r["method"] == method)
    )


@pytest.fixture
def limiter() -> InProcessLimiter:
    """A private limiter per test: no breaker state shared between tests."""
    return InProcessLimiter(InstanceLimits(max_concurrent=8, failure_threshold=None))


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


@pytest.fixture
def make_client(limiter, recorder) -> Iterator[Callable[..., AcumaticaClient]]:
    """``make_client(server, "oauth" | "cookie" | credentials, settings=..., **client_kwargs)``."""
    clients: list[AcumaticaClient] = []

    def make(server, credentials="oauth", *, settings: dict | None = None, **kwargs):
        if credentials == "oauth":
            credentials = oauth_credentials(server)
        elif credentials == "cookie":
            credentials = cookie_credentials(server)
        connection = ConnectionSettings(
            server.base_url, action_poll_interval=0.05, **(settings or {})
        )
        kwargs.setdefault("limiter", limiter)
        kwargs.setdefault("recorder", recorder)
        client = AcumaticaClient(connection, credentials, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["redis", "file"])
def prefix(request, tmp_path):
    """Where one test's shared limiters or seats keep their state: a key prefix on a real Redis
    (REDIS_URL, else 127.0.0.1:6379; skipped, saying so, where none answers), or a SQLite file
    of the test's own."""
    if request.param == "file":
        yield str(tmp_path / "limits.sqlite3")
        return
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis answers at {REDIS_URL}: shared limits need one (.ci/run has it)")
    name = f"test-limits-{uuid.uuid4().hex[:8]}"
    yield name
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def most_at_once(log, count: int) -> int:
    """The most "in" without their "out" at any moment, from ``count`` ("in" | "out", time)
    events on a multiprocessing queue; at one instant an "out" comes before an "in"."""
    events = sorted((log.get(timeout=5) for _ in range(count)), key=lambda e: (e[1], e[0] == "in"))
    held = peak = 0
    for kind, _ in events:
        held += 1 if kind == "in" else -1
        peak = max(peak, held)
    return peak

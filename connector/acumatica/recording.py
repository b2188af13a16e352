"""Optional recording of every request and answer, with secrets removed before anyone sees them.

Used to keep a support trail ("API calls" in the admin) and to debug against a real instance.
The transport redacts first and hands the recorder an :class:`Exchange`; a recorder therefore
never holds a password, client secret, token or session cookie.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode

from .responses import loads

REDACTED = "[redacted]"

SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
SECRET_FIELDS = frozenset(
    {
        "password",
        "client_secret",
        "access_token",
        "refresh_token",
        "id_token",
        "code",
        "code_verifier",
        "client_assertion",
    }
)
# In text that is neither JSON nor a form, these words mean a secret may be inside.
_SECRET_WORD = re.compile(
    r"password|client_secret|access_token|refresh_token|id_token|client_assertion|code_verifier",
    re.I,
)
# Request/response bodies longer than this are cut in recordings (list pages can be megabytes).
MAX_BODY_CHARS = 20_000


def redact_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {
        name: (REDACTED if name.lower() in SECRET_HEADERS else value)
        for name, value in (headers or {}).items()
    }


def redact_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if str(k).lower() in SECRET_FIELDS else redact_json(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    return value


def redact_form(body: str) -> str:
    pairs = parse_qsl(body, keep_blank_values=True)
    return urlencode([(k, REDACTED if k.lower() in SECRET_FIELDS else v) for k, v in pairs])


def redact_body(body: bytes | str | None, content_type: str = "") -> str | None:
    """A body as text with secret fields replaced, whatever its encoding. Anything that cannot be
    parsed is kept only if it cannot hold a form or JSON secret."""
    if body is None or body in (b"", ""):
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    content_type = content_type.lower()
    if "x-www-form-urlencoded" in content_type:
        text = redact_form(text)
    else:
        try:
            text = json.dumps(redact_json(loads(text)), ensure_ascii=False)
        except ValueError:
            if _SECRET_WORD.search(text):
                # Text that is neither JSON nor a form but names a secret field: keep nothing.
                return REDACTED
    return text if len(text) <= MAX_BODY_CHARS else text[:MAX_BODY_CHARS] + "…"


@dataclass(frozen=True)
class Exchange:
    """One request and what came back (``status`` None when nothing came back)."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    duration: float = 0.0
    error: str | None = None


class Recorder(Protocol):
    """Takes each exchange. A recorder that keeps exchanges to save them in batches may also
    have ``flush()``: the transport calls it when the client closes."""

    def record(self, exchange: Exchange) -> None: ...


class MemoryRecorder:
    """Keeps the last ``maxlen`` exchanges in memory (tests, a connection test's transcript)."""

    def __init__(self, maxlen: int = 1000) -> None:
        self._items: deque[Exchange] = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self._items.append(exchange)

    @property
    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class CallbackRecorder:
    """Hands each exchange to a function, e.g. one that saves an ``ApiCall`` row."""

    def __init__(self, callback: Callable[[Exchange], None]) -> None:
        self._callback = callback

    def record(self, exchange: Exchange) -> None:
        self._callback(exchange)


def contains_secret(exchanges: Iterable[Exchange], secrets: Iterable[str]) -> bool:
    """True if any secret string appears anywhere in the recorded exchanges (used by tests)."""
    blob = "\n".join(repr(e) for e in exchanges)
    return any(secret and secret in blob for secret in secrets)

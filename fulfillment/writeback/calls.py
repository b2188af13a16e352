"""Every Acumatica call of a write-back attempt, saved on its ``WriteBackAttempt``.

The client hands each request to a recorder after the transport has removed secrets (headers,
tokens, form fields); only the method, the path with its query, the status, the duration and
the error are kept. They are saved with each checkpoint of the attempt (the Shipment number
saved, the confirmation) and at its end, in the same statement as the checkpoint, so an attempt
cut off by a dead worker still shows the calls that led to what it recorded.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from connector.acumatica import Exchange

from ..models import WriteBackAttempt

MAX_PATH = 400


class AttemptLog:
    """A ``connector.acumatica`` Recorder. ``kind`` names the step the next calls belong to
    (find, put, release_hold, confirm, read_back); polls, token requests and sign-outs are
    recognised by their path."""

    def __init__(self, attempt: WriteBackAttempt) -> None:
        self.attempt_id = attempt.pk
        self.calls: list[dict[str, Any]] = list(attempt.calls or [])
        self.kind = "find"

    def record(self, exchange: Exchange) -> None:
        parts = urlsplit(exchange.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kind = self.kind
        if "/identity/" in parts.path:
            kind = "auth"
        elif parts.path.endswith("/entity/auth/logout"):
            kind = "sign_out"
        elif "/status/" in parts.path and exchange.method == "GET":
            kind = "poll"
        self.calls.append(
            {
                "kind": kind,
                "method": exchange.method,
                "path": path[:MAX_PATH],
                "status": exchange.status,
                "ms": round(exchange.duration * 1000),
                "error": exchange.error or "",
            }
        )

    def save(self) -> None:
        WriteBackAttempt.objects.filter(pk=self.attempt_id).update(calls=self.calls)


def data_calls(calls: list[dict[str, Any]]) -> int:
    """Calls on entities (find, writes, confirm, read-back), without polls, tokens, sign-outs."""
    return sum(1 for c in calls if c.get("kind") not in ("poll", "auth", "sign_out"))

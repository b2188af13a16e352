"""A bounded log of the API requests the sandbox answered, for tests and the control endpoint.

It holds what an operator needs to see what a client did (method, path, query, status, duration,
who) and never a credential: bodies are not kept, and query values whose names suggest a secret
are masked.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass

REDACTED = "[redacted]"
_SECRET_HINTS = ("password", "secret", "token", "code", "assertion", "ticket")


@dataclass(frozen=True)
class RequestRecord:
    seq: int
    time: str  # sandbox time, ISO 8601 UTC
    method: str
    path: str
    query: dict[str, str]
    status: int | None  # None: the connection was closed without a reply
    duration_ms: float
    auth: str  # "cookie", "bearer" or "anonymous"
    session_id: str | None
    user: str | None
    fault: str | None  # kind of the injected fault, if one fired


class RequestLog:
    def __init__(self, capacity: int = 1000):
        self._records: deque[RequestRecord] = deque(maxlen=max(1, capacity))
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, **fields) -> RequestRecord:
        fields["query"] = {
            name: REDACTED if any(hint in name.lower() for hint in _SECRET_HINTS) else value
            for name, value in fields.get("query", {}).items()
        }
        with self._lock:
            entry = RequestRecord(seq=next(self._seq), **fields)
            self._records.append(entry)
        return entry

    def entries(self, limit: int | None = None) -> list[RequestRecord]:
        with self._lock:
            records = list(self._records)
        return records[-limit:] if limit else records

    def as_json(self, limit: int | None = None) -> list[dict]:
        return [asdict(r) for r in self.entries(limit)]

    def clear(self) -> int:
        with self._lock:
            count = len(self._records)
            self._records.clear()
        return count

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

"""Sandbox time: wall-clock time plus an offset that tests and the control endpoint can advance.

Session idle expiry, token lifetimes and the per-minute request window all read this clock, so a
test can jump ten minutes ahead instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime


class SandboxClock:
    def __init__(self, source: Callable[[], float] = time.time):
        self._source = source
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._source() + self._offset

    def advance(self, seconds: float) -> float:
        """Move sandbox time forward (never back: sessions and tokens only age)."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds
            return self._offset

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")

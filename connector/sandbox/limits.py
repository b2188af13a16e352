"""The licence's request limits (API.md §7): concurrent requests and requests per minute.

Concurrency works like Acumatica's queue: ``max_concurrent_requests`` run at once, up to 20 more
wait in FIFO order, and a request beyond that (or one that waited 10 minutes) is declined with 429.
The per-minute limit is simpler than Acumatica's: Acumatica delays requests once half the minute's
budget is spent and declines only from its queue; the sandbox counts requests over a sliding
60-second window of sandbox time and declines the one over the limit at once with 429 and a
``Retry-After`` (seconds until the window has room), so client back-off can be tested quickly.
Both limits are read from the config on every request and so can change at run time; 0 = none.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from . import webapi
from .clock import SandboxClock
from .config import SandboxConfig
from .http import SandboxHttpError

QUEUE_SIZE = 20
QUEUE_TIMEOUT = 600.0
WINDOW = 60.0


class RequestLimiter:
    def __init__(self, config: SandboxConfig, clock: SandboxClock):
        self._config = config
        self._clock = clock
        self._condition = threading.Condition()
        self._running = 0
        self._queue: deque[object] = deque()
        self._recent: deque[float] = deque()  # sandbox times of requests admitted this window
        self._declined = 0
        # Most requests a client had at the sandbox at once (running plus queued).
        self._peak_in_flight = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the licence's processing slots for a request, or raise a 429."""
        self._count_towards_minute()
        self._acquire()
        try:
            yield
        finally:
            with self._condition:
                self._running -= 1
                self._condition.notify_all()

    def summary(self) -> dict:
        with self._condition:
            return {
                "running": self._running,
                "queued": len(self._queue),
                "requests_last_minute": len(self._recent),
                "declined": self._declined,
                "peak_in_flight": self._peak_in_flight,
            }

    def _count_towards_minute(self) -> None:
        limit = self._config.max_requests_per_minute
        now = self._clock.now()
        with self._condition:
            while self._recent and self._recent[0] <= now - WINDOW:
                self._recent.popleft()
            if limit and len(self._recent) >= limit:
                self._declined += 1
                retry_after = math.ceil(self._recent[-limit] + WINDOW - now)
                raise SandboxHttpError(webapi.too_many_requests(retry_after))
            self._recent.append(now)

    def _acquire(self) -> None:
        with self._condition:
            self._peak_in_flight = max(self._peak_in_flight, self._running + len(self._queue) + 1)
            if self._has_room() and not self._queue:
                self._running += 1
                return
            if len(self._queue) >= QUEUE_SIZE:
                self._declined += 1
                raise SandboxHttpError(webapi.too_many_requests(1))
            ticket = object()
            self._queue.append(ticket)
            admitted = self._condition.wait_for(
                lambda: self._queue[0] is ticket and self._has_room(), timeout=QUEUE_TIMEOUT
            )
            self._queue.remove(ticket)
            self._condition.notify_all()
            if not admitted:
                self._declined += 1
                raise SandboxHttpError(webapi.too_many_requests(1))
            self._running += 1

    def _has_room(self) -> bool:
        limit = self._config.max_concurrent_requests
        return not limit or self._running < limit

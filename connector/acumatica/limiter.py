"""How many requests this process sends to each Acumatica instance, and when it holds back.

Acumatica licences cap concurrent requests and requests per minute per instance and decline the
excess with 429 (API.md §7). Every client in a process shares one :class:`Limiter` keyed by
instance (``ConnectionSettings.instance_key``), so two jobs for two tenants of one instance
share its budget. The interface is small on purpose: a Redis-backed implementation shared by all
workers only has to provide :meth:`Limiter.acquire` and :meth:`Limiter.report`.

The limiter also remembers a 429's ``Retry-After`` (so every client waits, not just the one
that was told) and runs a circuit breaker: after ``failure_threshold`` transient failures in a
row the instance gets no calls for ``cooldown`` seconds, then one trial call decides.
"""

from __future__ import annotations

import enum
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

from .errors import CircuitOpen, Throttled


class Outcome(enum.Enum):
    OK = "ok"  # any answer that shows the instance is healthy, including 4xx
    FAILURE = "failure"  # 5xx, HTML error pages, transport errors
    RATE_LIMITED = "rate_limited"  # 429


class Limiter(ABC):
    @abstractmethod
    def acquire(self, instance_key: str) -> AbstractContextManager[None]:
        """Hold one request slot for the duration of the ``with`` block. Blocks while the instance
        is at its limits; raises :class:`Throttled` when the wait would be too long and
        :class:`CircuitOpen` while the breaker is open."""

    @abstractmethod
    def report(
        self, instance_key: str, outcome: Outcome, *, retry_after: float | None = None
    ) -> None:
        """Tell the limiter how a request went (feeds the 429 pause and the circuit breaker)."""


@dataclass(frozen=True)
class InstanceLimits:
    """None means unlimited. Set these from the licence (License Monitoring Console SM604000)."""

    max_concurrent: int | None = 4
    requests_per_minute: int | None = None
    # Longest a caller waits for a slot before Throttled is raised.
    max_wait: float = 60.0
    failure_threshold: int | None = 5
    cooldown: float = 30.0


@dataclass
class _State:
    in_flight: int = 0
    sent: deque[float] = field(default_factory=deque)
    paused_until: float = 0.0
    failures: int = 0
    open_until: float = 0.0
    trial_in_flight: bool = False


class InProcessLimiter(Limiter):
    """Thread-safe limiter for one process. Use :func:`default_limiter` to share it."""

    def __init__(
        self,
        default: InstanceLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._default = default or InstanceLimits()
        self._limits: dict[str, InstanceLimits] = {}
        self._states: dict[str, _State] = {}
        self._clock = clock
        self._cond = threading.Condition()

    def set_limits(self, instance_key: str, limits: InstanceLimits) -> None:
        with self._cond:
            self._limits[instance_key] = limits
            self._cond.notify_all()

    def limits_for(self, instance_key: str) -> InstanceLimits:
        return self._limits.get(instance_key, self._default)

    def _state(self, instance_key: str) -> _State:
        return self._states.setdefault(instance_key, _State())

    @contextmanager
    def _slot(self, instance_key: str) -> Iterator[None]:
        limits = self.limits_for(instance_key)
        with self._cond:
            state = self._state(instance_key)
            deadline = self._clock() + limits.max_wait
            trial = self._check_breaker(state, limits)
            while True:
                now = self._clock()
                wait = self._wait_needed(state, limits, now)
                if wait <= 0:
                    break
                if now + wait > deadline:
                    if trial:
                        state.trial_in_flight = False
                    raise Throttled(
                        f"No request slot for this Acumatica instance within {limits.max_wait:g}s",
                        retry_after=wait,
                    )
                self._cond.wait(timeout=wait)
            state.in_flight += 1
            state.sent.append(now)
        try:
            yield
        finally:
            with self._cond:
                state.in_flight -= 1
                if trial:
                    state.trial_in_flight = False
                self._cond.notify_all()

    def acquire(self, instance_key: str) -> AbstractContextManager[None]:
        return self._slot(instance_key)

    def _check_breaker(self, state: _State, limits: InstanceLimits) -> bool:
        """Raise while open; returns True when this call is the half-open trial."""
        if not limits.failure_threshold or state.failures < limits.failure_threshold:
            return False
        remaining = state.open_until - self._clock()
        if remaining > 0 or state.trial_in_flight:
            raise CircuitOpen(
                f"Acumatica instance failed {state.failures} times in a row; "
                f"calls paused for {max(remaining, 0):.0f}s",
                retry_after=max(remaining, 1.0),
            )
        state.trial_in_flight = True
        return True

    @staticmethod
    def _wait_needed(state: _State, limits: InstanceLimits, now: float) -> float:
        waits = [state.paused_until - now]
        if limits.max_concurrent and state.in_flight >= limits.max_concurrent:
            # Woken by notify when a slot frees; the timeout only bounds a lost wake-up.
            waits.append(1.0)
        if limits.requests_per_minute:
            while state.sent and state.sent[0] <= now - 60.0:
                state.sent.popleft()
            if len(state.sent) >= limits.requests_per_minute:
                waits.append(state.sent[0] + 60.0 - now)
        else:
            state.sent.clear()
        return max(waits)

    def report(
        self, instance_key: str, outcome: Outcome, *, retry_after: float | None = None
    ) -> None:
        limits = self.limits_for(instance_key)
        with self._cond:
            state = self._state(instance_key)
            now = self._clock()
            if outcome is Outcome.RATE_LIMITED:
                if retry_after:
                    state.paused_until = max(state.paused_until, now + retry_after)
            elif outcome is Outcome.FAILURE:
                state.failures += 1
                if limits.failure_threshold and state.failures >= limits.failure_threshold:
                    state.open_until = now + limits.cooldown
            else:
                state.failures = 0
                state.open_until = 0.0
            self._cond.notify_all()


_default_limiter = InProcessLimiter()


def default_limiter() -> InProcessLimiter:
    """The limiter every client in this process shares unless given another."""
    return _default_limiter

"""Licence seats: how many Acumatica sessions the connector holds on an instance at once.

Each open session takes one of the licence's "API users" (API.md §7); one more sign-in than
there are seats is refused with "API Login Limit". A :class:`SeatPool` counts the sessions of
every process for each instance (``ConnectionSettings.instance_key``) and hands a client a
seat before its first request; the client signs out when it closes and only then gives the
seat back, so the pool never counts fewer sessions than Acumatica does.

A seat is a lease: it ends ``lease`` seconds after the client's last request unless renewed,
which is when Acumatica itself closes an idle session (10 minutes unless the instance is
configured otherwise), so a killed worker's seat
comes back exactly when its session is gone. A client whose sign-out failed leaves its lease to
run out for the same reason.

Interactive work goes first: a seat asked for ``urgent`` (a connection test, "why not
imported", "run now") is noted as waiting while it waits, and until it has its seat no other
job takes one that comes free. The note is short-lived (``URGENT_NOTE``), so a waiter that died
holds nobody up for long.

The pools (:class:`~connector.acumatica.seats_redis.RedisSeats`,
:class:`~connector.acumatica.seats_file.FileSeats`) keep one set of holders per instance;
:class:`Seat` is one client's use of it: waiting with jitter for a free seat, renewing, giving
back. Django-free.
"""

from __future__ import annotations

import random
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable

from .errors import LoginLimitReached

# Acumatica closes a session idle for 10 minutes (API.md §1.2); a little margin on top.
SESSION_IDLE_SECONDS = 600.0
SEAT_LEASE_MARGIN = 30.0
DEFAULT_LEASE = SESSION_IDLE_SECONDS + SEAT_LEASE_MARGIN
# How long an urgent waiter's note lasts; each try renews it (waiters ask at least every 1.5 s).
URGENT_NOTE = 5.0
# A held seat's lease is renewed at most this often (every request would be a write each).
RENEW_EVERY = 15.0


def seat_retry_after() -> float:
    """Seconds until a job that found every seat in use tries again: soon (a job gives its seat
    back when it ends, Acumatica an idle one after 10 minutes), at a moment of its own."""
    return 5 + 25 * random.random()


class SeatPool(ABC):
    @abstractmethod
    def take(
        self, instance_key: str, holder: str, *, seats: int, lease: float, urgent: bool = False
    ) -> float:
        """Take (or renew) ``holder``'s seat: 0.0. Otherwise the seconds worth waiting before
        asking again. An urgent holder takes one when fewer than ``seats`` are held, and
        otherwise notes that it waits (for ``URGENT_NOTE`` seconds); any other only when the
        held seats plus the urgent waiters are fewer than ``seats``."""

    @abstractmethod
    def renew(self, instance_key: str, holder: str, *, lease: float) -> None:
        """Extend ``holder``'s lease (a no-op when it has none)."""

    @abstractmethod
    def give_back(self, instance_key: str, holder: str) -> None:
        """Free ``holder``'s seat (its session is closed)."""

    @abstractmethod
    def held(self, instance_key: str) -> int:
        """Seats held now on the instance, by every process (ended leases not counted)."""


class SeatsBusy(LoginLimitReached):
    """No licence seat came free in time: every seat the connector may use on this instance is
    held by another of its jobs. Nothing was sent; worth retrying soon."""

    summary = "Every licence seat the connector may use on this Acumatica instance is in use"

    def __init__(self, message: str | None = None, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class Seat:
    """One client's seat on one instance: :meth:`hold` before each request (it waits for a
    seat the first time, then renews), :meth:`give_back` once the session is closed.

    ``seats`` is how many the connector may hold on the instance (the licence's API users
    minus those kept for other programs); ``max_wait`` how long :meth:`hold` waits before it
    raises :class:`SeatsBusy`; ``urgent`` puts it ahead of every job that is not.
    """

    def __init__(
        self,
        pool: SeatPool,
        instance_key: str,
        *,
        seats: int,
        lease: float = DEFAULT_LEASE,
        max_wait: float = 120.0,
        urgent: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if seats < 1:
            raise ValueError("a seat budget needs at least one seat")
        self.pool, self.instance_key, self.seats = pool, instance_key, seats
        self.holder = uuid.uuid4().hex
        self._lease, self._max_wait, self.urgent = lease, max_wait, urgent
        self._sleep, self._clock = sleep, clock
        self._held_since: float | None = None
        self._renewed_at = 0.0
        self.waited = 0.0

    @property
    def held(self) -> bool:
        return self._held_since is not None

    def hold(self) -> None:
        now = self._clock()
        if self._held_since is not None:
            if now - self._renewed_at >= RENEW_EVERY:
                self.pool.renew(self.instance_key, self.holder, lease=self._lease)
                self._renewed_at = now
            return
        deadline = now + self._max_wait
        while True:
            wait = self.pool.take(
                self.instance_key,
                self.holder,
                seats=self.seats,
                lease=self._lease,
                urgent=self.urgent,
            )
            if wait <= 0:
                break
            if self._clock() + wait > deadline:
                raise SeatsBusy(
                    f"All {self.seats} licence seat(s) the connector may use on this Acumatica "
                    f"instance stayed in use for {self._max_wait:g}s",
                    retry_after=5 + 10 * random.random(),
                )
            # Waiters ask again at different moments, so none is always first or last.
            self._sleep(min(wait, 1.0) * (0.5 + random.random()))
        self._held_since = self._renewed_at = self._clock()
        self.waited = self._held_since - now

    def give_back(self) -> None:
        if self._held_since is not None:
            self.pool.give_back(self.instance_key, self.holder)
            self._held_since = None

"""One request budget per Acumatica instance for every process of one machine, without Redis:
the embedded default (web and worker on SQLite) keeps the limiter's state in a small SQLite file
of its own. The same rules as :class:`~connector.acumatica.shared_limiter.RedisLimiter` —
slots with an expiry (a killed process frees its slot when it passes), the per-minute budget,
the shared 429 pause and the circuit breaker — each decided in one ``BEGIN IMMEDIATE``
transaction, so two processes cannot both take the last slot. Django-free.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from .errors import CircuitOpen, Throttled
from .limiter import InstanceLimits, Limiter, Outcome
from .sqlite_file import SqliteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS slots (instance TEXT, token TEXT PRIMARY KEY, expires REAL);
CREATE TABLE IF NOT EXISTS sent (instance TEXT, token TEXT PRIMARY KEY, at REAL);
CREATE TABLE IF NOT EXISTS state (
    instance TEXT PRIMARY KEY, paused_until REAL DEFAULT 0, failures INTEGER DEFAULT 0,
    open_until REAL DEFAULT 0, trial_until REAL DEFAULT 0
);
"""


class FileLimiter(Limiter):
    def __init__(
        self,
        path: str | Path,
        *,
        default: InstanceLimits | None = None,
        slot_ttl: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._default = default or InstanceLimits()
        self._limits: dict[str, InstanceLimits] = {}
        self._slot_ttl = slot_ttl
        self._sleep = sleep
        self._clock = clock
        self._file = SqliteFile(path, _SCHEMA)

    def set_limits(self, instance_key: str, limits: InstanceLimits) -> None:
        self._limits[instance_key] = limits

    def limits_for(self, instance_key: str) -> InstanceLimits:
        return self._limits.get(instance_key, self._default)

    def acquire(self, instance_key: str) -> AbstractContextManager[None]:
        return self._slot(instance_key)

    @contextmanager
    def _slot(self, instance_key: str) -> Iterator[None]:
        limits = self.limits_for(instance_key)
        token = uuid.uuid4().hex
        deadline = self._clock() + limits.max_wait
        trial = False
        while True:
            wait, trial = self._take(instance_key, token, limits)
            if wait <= 0:
                break
            if self._clock() + wait > deadline:
                raise Throttled(
                    f"No request slot for this Acumatica instance within {limits.max_wait:g}s",
                    retry_after=wait,
                )
            self._sleep(min(wait, 0.5) * (1 + 0.25 * random.random()))
        try:
            yield
        finally:
            with self._file.transaction() as db:
                db.execute("DELETE FROM slots WHERE token = ?", (token,))
                if trial:
                    db.execute(
                        "UPDATE state SET trial_until = 0 WHERE instance = ?", (instance_key,)
                    )

    def _take(self, key: str, token: str, limits: InstanceLimits) -> tuple[float, bool]:
        with self._file.transaction() as db:
            now = self._clock()
            db.execute("INSERT OR IGNORE INTO state (instance) VALUES (?)", (key,))
            paused, failures, open_until, trial_until = db.execute(
                "SELECT paused_until, failures, open_until, trial_until FROM state "
                "WHERE instance = ?",
                (key,),
            ).fetchone()
            trial = False
            if limits.failure_threshold and failures >= limits.failure_threshold:
                if open_until > now or trial_until > now:
                    raise CircuitOpen(
                        f"Acumatica instance failed {failures} times in a row; "
                        f"calls paused for {max(open_until - now, 0):.0f}s",
                        retry_after=max(open_until - now, 1.0),
                    )
                trial = True
            if paused > now:
                return paused - now, False
            db.execute("DELETE FROM slots WHERE expires <= ?", (now,))
            db.execute("DELETE FROM sent WHERE at <= ?", (now - 60,))
            if limits.max_concurrent:
                (busy,) = db.execute(
                    "SELECT COUNT(*) FROM slots WHERE instance = ?", (key,)
                ).fetchone()
                if busy >= limits.max_concurrent:
                    return 0.05, False
            if limits.requests_per_minute:
                count, oldest = db.execute(
                    "SELECT COUNT(*), MIN(at) FROM sent WHERE instance = ?", (key,)
                ).fetchone()
                if count >= limits.requests_per_minute:
                    return max(oldest + 60 - now, 0.001), False
                db.execute("INSERT INTO sent VALUES (?, ?, ?)", (key, token, now))
            db.execute("INSERT INTO slots VALUES (?, ?, ?)", (key, token, now + self._slot_ttl))
            if trial:
                db.execute(
                    "UPDATE state SET trial_until = ? WHERE instance = ?",
                    (now + max(limits.cooldown, 1.0), key),
                )
            return 0.0, trial

    def report(
        self, instance_key: str, outcome: Outcome, *, retry_after: float | None = None
    ) -> None:
        limits = self.limits_for(instance_key)
        with self._file.transaction() as db:
            now = self._clock()
            db.execute("INSERT OR IGNORE INTO state (instance) VALUES (?)", (instance_key,))
            if outcome is Outcome.RATE_LIMITED:
                if retry_after:
                    db.execute(
                        "UPDATE state SET paused_until = MAX(paused_until, ?) WHERE instance = ?",
                        (now + retry_after, instance_key),
                    )
            elif outcome is Outcome.FAILURE:
                db.execute(
                    "UPDATE state SET failures = failures + 1 WHERE instance = ?", (instance_key,)
                )
                if limits.failure_threshold:
                    db.execute(
                        "UPDATE state SET open_until = ? WHERE instance = ? AND failures >= ?",
                        (now + limits.cooldown, instance_key, limits.failure_threshold),
                    )
            else:
                db.execute(
                    "UPDATE state SET failures = 0, open_until = 0, trial_until = 0 "
                    "WHERE instance = ?",
                    (instance_key,),
                )

    def in_flight(self, instance_key: str) -> int:
        with self._file.transaction() as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM slots WHERE instance = ? AND expires > ?",
                (instance_key, self._clock()),
            ).fetchone()
        return count

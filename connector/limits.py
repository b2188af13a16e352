"""The Acumatica request limiter and licence seats this deployment shares between its processes.

With ``REDIS_URL`` set, every process on every machine shares one budget per Acumatica
instance through Redis (``connector.acumatica.shared_limiter``, ``seats_redis``); without it
(the embedded default: web and worker on one machine) the processes share a SQLite file,
``ACUMATICA_LIMITS_FILE`` under ``CONNECTOR_VAR_DIR`` (``connector.acumatica.file_limiter``,
``seats_file``). One of each per process, made on first use.
"""

from __future__ import annotations

import threading
from pathlib import Path

import redis
from django.conf import settings

from connector.acumatica import Limiter, SeatPool
from connector.acumatica.file_limiter import FileLimiter
from connector.acumatica.seats_file import FileSeats
from connector.acumatica.seats_redis import RedisSeats
from connector.acumatica.shared_limiter import RedisLimiter

_lock = threading.Lock()
_limiter: Limiter | None = None
_seats: SeatPool | None = None


def shared_limiter() -> Limiter:
    global _limiter
    with _lock:
        if _limiter is None:
            _limiter = _make_limiter()
        return _limiter


def shared_seats() -> SeatPool:
    global _seats
    with _lock:
        if _seats is None:
            if settings.REDIS_URL:
                _seats = RedisSeats(_redis(), prefix=settings.ACUMATICA_LIMITS_PREFIX)
            else:
                _seats = FileSeats(_file())
        return _seats


def forget() -> None:
    """Drop this process's limiter and seats: the next use makes them again from the settings
    (tests give each test its own counts this way)."""
    global _limiter, _seats
    with _lock:
        _limiter = _seats = None


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _file():
    path = Path(settings.ACUMATICA_LIMITS_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _make_limiter() -> Limiter:
    # A slot outlives any request: connect plus read timeout, and a margin.
    ttl = float(settings.ACUMATICA_CONNECT_TIMEOUT) + float(settings.ACUMATICA_READ_TIMEOUT) + 30
    if settings.REDIS_URL:
        return RedisLimiter(_redis(), prefix=settings.ACUMATICA_LIMITS_PREFIX, slot_ttl=ttl)
    return FileLimiter(_file(), slot_ttl=ttl)

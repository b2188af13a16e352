"""The limiters shared by processes: one budget per Acumatica instance for every process. The
Redis one on a real Redis (REDIS_URL, else 127.0.0.1:6379; skipped, saying so, where none
answers), the SQLite-file one (the embedded default) on a file of the test's own."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from connector.acumatica import CircuitOpen, InstanceLimits, Outcome, Throttled
from connector.acumatica.file_limiter import FileLimiter
from connector.acumatica.shared_limiter import RedisLimiter

from .conftest import REDIS_URL as URL
from .conftest import most_at_once

redis = pytest.importorskip("redis")


def _limiter(prefix, **limits):
    ttl = limits.pop("ttl", 30)
    if prefix.endswith(".sqlite3"):
        limiter = FileLimiter(prefix, slot_ttl=ttl)
    else:
        limiter = RedisLimiter(redis.Redis.from_url(URL), prefix=prefix, slot_ttl=ttl)
    limiter.set_limits("erp", InstanceLimits(**limits))
    return limiter


def _worker(prefix, requests, hold, log):
    limiter = _limiter(prefix, max_concurrent=2, max_wait=30)
    for _ in range(requests):
        with limiter.acquire("erp"):
            log.put(("in", time.time()))
            time.sleep(hold)
            log.put(("out", time.time()))


def test_four_processes_never_have_more_than_the_licence_in_flight(prefix):
    log = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_worker, args=(prefix, 5, 0.05, log)) for _ in range(4)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
    assert most_at_once(log, 40) == 2
    assert all(p.exitcode == 0 for p in workers)


def test_the_per_minute_budget_is_shared_and_never_exceeded(prefix):
    first, second = (
        _limiter(prefix, max_concurrent=None, requests_per_minute=5, max_wait=0.5) for _ in range(2)
    )
    for limiter in (first, second, first, second, first):
        with limiter.acquire("erp"):
            pass
    with pytest.raises(Throttled) as raised, second.acquire("erp"):
        pass
    assert 50 < raised.value.retry_after <= 60


def _hold_forever(prefix, ready):
    limiter = _limiter(prefix, max_concurrent=1, ttl=1.0)
    with limiter.acquire("erp"):
        ready.set()
        time.sleep(60)


def test_a_killed_worker_frees_its_slot_within_the_ttl(prefix):
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_forever, args=(prefix, ready))
    holder.start()
    assert ready.wait(10)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    limiter = _limiter(prefix, max_concurrent=1, ttl=1.0, max_wait=5)
    started = time.monotonic()
    with limiter.acquire("erp"):
        waited = time.monotonic() - started
    assert waited <= 1.5


def test_a_429_pauses_every_process(prefix):
    told, other = _limiter(prefix, max_concurrent=None), _limiter(prefix, max_concurrent=None)
    told.report("erp", Outcome.RATE_LIMITED, retry_after=0.5)
    started = time.monotonic()
    with other.acquire("erp"):
        waited = time.monotonic() - started
    assert 0.4 <= waited < 2


def test_the_circuit_breaker_is_shared_with_one_trial(prefix):
    failing = _limiter(prefix, failure_threshold=3, cooldown=0.3)
    other = _limiter(prefix, failure_threshold=3, cooldown=0.3)
    for _ in range(3):
        failing.report("erp", Outcome.FAILURE)
    with pytest.raises(CircuitOpen), other.acquire("erp"):
        pass
    time.sleep(0.4)
    # The half-open trial, and only one at a time.
    with other.acquire("erp"), pytest.raises(CircuitOpen), failing.acquire("erp"):
        pass
    other.report("erp", Outcome.OK)
    with failing.acquire("erp"):
        pass

"""The in-process limiter: concurrency, requests per minute, 429 pauses, circuit breaker."""

from __future__ import annotations

import threading
import time

import pytest

from connector.acumatica import CircuitOpen, InProcessLimiter, InstanceLimits, Outcome, Throttled
from connector.acumatica.limiter import default_limiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_max_concurrent_blocks_until_a_slot_frees():
    limiter = InProcessLimiter(InstanceLimits(max_concurrent=2, max_wait=5))
    inside = 0
    peak = 0
    lock = threading.Lock()

    def work():
        nonlocal inside, peak
        with limiter.acquire("i"):
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.05)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2


def test_instances_are_independent():
    limiter = InProcessLimiter(InstanceLimits(max_concurrent=1, max_wait=0))
    with limiter.acquire("a"), limiter.acquire("b"), pytest.raises(Throttled), limiter.acquire("a"):
        pass


def test_requests_per_minute_throttles_beyond_max_wait():
    clock = FakeClock()
    limiter = InProcessLimiter(InstanceLimits(requests_per_minute=3, max_wait=10), clock=clock)
    for _ in range(3):
        with limiter.acquire("i"):
            pass
    with pytest.raises(Throttled) as info, limiter.acquire("i"):
        pass
    assert info.value.retry_after == pytest.approx(60.0)
    assert info.value.retryable
    clock.now += 61
    with limiter.acquire("i"):
        pass


def test_retry_after_pauses_every_caller():
    clock = FakeClock()
    limiter = InProcessLimiter(InstanceLimits(max_wait=1), clock=clock)
    limiter.report("i", Outcome.RATE_LIMITED, retry_after=30)
    with pytest.raises(Throttled), limiter.acquire("i"):
        pass
    clock.now += 31
    with limiter.acquire("i"):
        pass


def test_short_retry_after_is_waited_out():
    limiter = InProcessLimiter(InstanceLimits(max_wait=5))
    limiter.report("i", Outcome.RATE_LIMITED, retry_after=0.2)
    started = time.monotonic()
    with limiter.acquire("i"):
        pass
    assert time.monotonic() - started >= 0.15


def test_circuit_breaker_opens_then_half_opens():
    clock = FakeClock()
    limiter = InProcessLimiter(InstanceLimits(failure_threshold=3, cooldown=30), clock=clock)
    for _ in range(3):
        with limiter.acquire("i"):
            pass
        limiter.report("i", Outcome.FAILURE)
    with pytest.raises(CircuitOpen) as info, limiter.acquire("i"):
        pass
    assert info.value.retryable and info.value.retry_after == pytest.approx(30)
    clock.now += 31
    # One trial call goes through; a second concurrent one is held back meanwhile.
    with limiter.acquire("i"), pytest.raises(CircuitOpen), limiter.acquire("i"):
        pass
    limiter.report("i", Outcome.FAILURE)
    with pytest.raises(CircuitOpen), limiter.acquire("i"):
        pass
    clock.now += 31
    with limiter.acquire("i"):
        pass
    limiter.report("i", Outcome.OK)
    for _ in range(2):
        with limiter.acquire("i"):
            pass


def test_ok_resets_failure_count():
    limiter = InProcessLimiter(InstanceLimits(failure_threshold=2))
    limiter.report("i", Outcome.FAILURE)
    limiter.report("i", Outcome.OK)
    limiter.report("i", Outcome.FAILURE)
    with limiter.acquire("i"):
        pass


def test_per_instance_limits_and_default_singleton():
    limiter = InProcessLimiter()
    limiter.set_limits("big", InstanceLimits(max_concurrent=16))
    assert limiter.limits_for("big").max_concurrent == 16
    assert limiter.limits_for("other") == InstanceLimits()
    assert default_limiter() is default_limiter()

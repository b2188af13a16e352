"""The licence's request limits (API.md §7): requests per minute and concurrent requests."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from connector.sandbox.limits import QUEUE_SIZE
from tests.sandbox.transport_support import control, echo_entities, entity_url, login


def test_requests_over_the_per_minute_limit_get_429_with_retry_after(sandbox_factory):
    sandbox = sandbox_factory(max_requests_per_minute=3)
    echo_entities(sandbox)
    client = login(sandbox)  # counts: it is an API request
    assert client.get(entity_url(sandbox, "SalesOrder"), timeout=5).status_code == 200
    sandbox.clock.advance(20)
    assert client.get(entity_url(sandbox, "SalesOrder"), timeout=5).status_code == 200

    refused = client.get(entity_url(sandbox, "SalesOrder"), timeout=5)

    assert refused.status_code == 429
    assert refused.headers["Content-Type"].startswith("text/plain")
    assert refused.text == "The custom error module does not recognize this error."
    assert refused.headers["Retry-After"] == "40"  # the sign-in leaves the window in 40 s
    sandbox.clock.advance(40)
    assert client.get(entity_url(sandbox, "SalesOrder"), timeout=5).status_code == 200


def test_sign_out_and_the_control_endpoint_bypass_the_limits(sandbox_factory):
    sandbox = sandbox_factory(max_requests_per_minute=1)
    client = login(sandbox)
    assert client.get(f"{sandbox.base_url}/entity", timeout=5).status_code == 429

    assert control(sandbox, "GET", "state").status_code == 200
    assert client.post(f"{sandbox.base_url}/entity/auth/logout", timeout=5).status_code == 204
    assert len(sandbox.sessions) == 0


def test_limits_can_change_at_run_time(sandbox):
    for _ in range(5):
        assert requests.get(f"{sandbox.base_url}/entity", timeout=5).status_code == 200

    control(sandbox, "PATCH", "config", json={"max_requests_per_minute": 5})

    assert requests.get(f"{sandbox.base_url}/entity", timeout=5).status_code == 429


def test_concurrent_requests_queue_up_to_twenty_then_get_429(sandbox_factory):
    sandbox = sandbox_factory(max_concurrent_requests=1)
    echo_entities(sandbox)
    client = login(sandbox)
    cookies = dict(client.cookies)
    # The first call holds the only processing slot for a while.
    sandbox.faults.add(kind="slow", match="GET */SalesOrder", delay=1.0, times=1)
    holder = threading.Thread(
        target=requests.get, args=(entity_url(sandbox, "SalesOrder"),), kwargs={"cookies": cookies}
    )
    holder.start()
    deadline = time.monotonic() + 5
    while sandbox.limits.summary()["running"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)

    def call(_: int) -> requests.Response:
        return requests.get(entity_url(sandbox, "SalesOrder"), cookies=cookies, timeout=10)

    with ThreadPoolExecutor(max_workers=QUEUE_SIZE + 1) as pool:
        replies = list(pool.map(call, range(QUEUE_SIZE + 1)))
    holder.join()

    statuses = sorted(r.status_code for r in replies)
    assert statuses == [200] * QUEUE_SIZE + [429]
    declined = next(r for r in replies if r.status_code == 429)
    assert declined.headers["Retry-After"] == "1"
    assert sandbox.limits.summary()["declined"] == 1


def test_concurrency_limit_serialises_requests(sandbox_factory):
    sandbox = sandbox_factory(max_concurrent_requests=2)
    echo_entities(sandbox)
    cookies = dict(login(sandbox).cookies)
    sandbox.faults.add(kind="slow", match="GET */SalesOrder", delay=0.3)
    peak = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, sandbox.limits.summary()["running"])
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    with ThreadPoolExecutor(max_workers=4) as pool:
        started = time.monotonic()
        replies = list(
            pool.map(
                lambda _: requests.get(
                    entity_url(sandbox, "SalesOrder"), cookies=cookies, timeout=10
                ),
                range(4),
            )
        )
        elapsed = time.monotonic() - started
    stop.set()
    watcher.join()

    assert [r.status_code for r in replies] == [200] * 4
    assert peak == 2
    assert elapsed >= 0.6  # two rounds of two

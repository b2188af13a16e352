"""Licence seats shared by processes: never more sessions than the seats, a killed worker's seat
back when its lease ends, a clear error when none comes free. On a real Redis (REDIS_URL, else
127.0.0.1:6379; skipped, saying so, prefix none answers) and on the SQLite file."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import pytest

from connector.acumatica import Seat, SeatsBusy
from connector.acumatica.seats_file import FileSeats
from connector.acumatica.seats_redis import RedisSeats

from .conftest import REDIS_URL as URL
from .conftest import most_at_once

redis = pytest.importorskip("redis")


def _pool(prefix):
    if prefix.endswith(".sqlite3"):
        return FileSeats(prefix)
    return RedisSeats(redis.Redis.from_url(URL), prefix=prefix)


def _session(prefix, jobs, log):
    """A worker process: ``jobs`` times, hold a seat as a client does, briefly."""
    pool = _pool(prefix)
    for _ in range(jobs):
        seat = Seat(pool, "erp", seats=2, max_wait=30)
        seat.hold()
        log.put(("in", time.time()))
        time.sleep(0.05)
        log.put(("out", time.time()))
        seat.give_back()


def test_four_processes_never_hold_more_than_the_seats(prefix):
    log = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_session, args=(prefix, 5, log)) for _ in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
    assert most_at_once(log, 40) == 2
    assert all(p.exitcode == 0 for p in workers)
    assert _pool(prefix).held("erp") == 0


def test_a_seat_is_renewed_and_shared_instances_are_counted_apart(prefix):
    pool = _pool(prefix)
    first = Seat(pool, "erp", seats=1, lease=0.6, max_wait=0.2)
    first.hold()
    # Another instance has its own seats.
    Seat(pool, "other-erp", seats=1, max_wait=0.2).hold()
    with pytest.raises(SeatsBusy) as busy:
        Seat(pool, "erp", seats=1, max_wait=0.2).hold()
    assert "All 1 licence seat(s)" in busy.value.message and busy.value.retryable
    assert 5 <= busy.value.retry_after <= 15
    pool.renew("erp", first.holder, lease=5)
    time.sleep(0.7)
    # Renewed past its first lease: still held.
    with pytest.raises(SeatsBusy):
        Seat(pool, "erp", seats=1, max_wait=0.2).hold()
    first.give_back()
    Seat(pool, "erp", seats=1, max_wait=0.2).hold()
    assert pool.held("erp") == 1


def _hold_forever(prefix, ready):
    Seat(_pool(prefix), "erp", seats=1, lease=1.0).hold()
    ready.set()
    time.sleep(60)


def test_a_killed_workers_seat_comes_back_when_its_lease_ends(prefix):
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_forever, args=(prefix, ready))
    holder.start()
    assert ready.wait(10)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    started = time.monotonic()
    Seat(_pool(prefix), "erp", seats=1, max_wait=5).hold()
    assert time.monotonic() - started <= 2.0


def test_work_a_person_waits_for_takes_the_next_free_seat_before_bulk_jobs(prefix):
    pool = _pool(prefix)
    bulk = Seat(pool, "erp", seats=1, max_wait=0.2)
    bulk.hold()
    order: list[str] = []

    def wait_for_seat(name: str, urgent: bool) -> None:
        seat = Seat(_pool(prefix), "erp", seats=1, max_wait=20, urgent=urgent)
        seat.hold()
        order.append(name)
        time.sleep(0.3)
        seat.give_back()

    # A scheduled import has waited longest; the connection test asks after it.
    scheduled = threading.Thread(target=wait_for_seat, args=("scheduled import", False))
    scheduled.start()
    time.sleep(0.3)
    test = threading.Thread(target=wait_for_seat, args=("connection test", True))
    test.start()
    time.sleep(0.3)
    bulk.give_back()
    scheduled.join(timeout=30)
    test.join(timeout=30)
    assert order == ["connection test", "scheduled import"]
    assert pool.held("erp") == 0


def test_an_urgent_waiter_that_died_holds_bulk_jobs_up_only_briefly(prefix, monkeypatch):
    import connector.acumatica.seats_file as seats_file
    import connector.acumatica.seats_redis as seats_redis

    monkeypatch.setattr(seats_file, "URGENT_NOTE", 0.5)
    monkeypatch.setattr(seats_redis, "URGENT_NOTE", 0.5)
    pool = _pool(prefix)
    first = Seat(pool, "erp", seats=1, max_wait=0.2)
    first.hold()
    # An urgent client asked once and was killed before it asked again.
    assert pool.take("erp", "killed-urgent", seats=1, lease=60, urgent=True) > 0
    first.give_back()
    with pytest.raises(SeatsBusy):
        Seat(pool, "erp", seats=1, max_wait=0.1).hold()
    started = time.monotonic()
    Seat(pool, "erp", seats=1, max_wait=5).hold()
    assert time.monotonic() - started <= 2.0

"""Draining the outbox in the foreground (``writeback_pending``, ``bench_writeback``, tests).

Runs the same ``writeback_run`` the task runs, pass after pass, until nothing is runnable: each
pass takes every row that is due (with ``ignore_due``: whatever its back-off timer says) and no
worker holds — a row blocked by a lost write stays blocked, and a fulfillment held in this drain,
or whose attempt the limiter kept from being sent (circuit breaker open, throttled), is not
looked at again in it: a failing instance is not hammered. Retries are bounded by
FULFILLMENT_WRITEBACK_MAX_ATTEMPTS, so the drain ends.

At the end it signs each store out of Acumatica. The store's OAuth grant (``api
offline_access``) keeps one session open between jobs so that the next job needs no sign-in;
a drain run by hand is not followed by another job, so it releases that licence seat. The
refresh token stays valid: the next job opens a session with it, without the password.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db import connection

from stores.credentials import acumatica_client_for
from stores.errors import StoreClientUnavailable
from stores.models import StoreConnection

from ..models import Fulfillment, FulfillmentStatus
from . import conf, outbox
from .engine import writeback_run
from .outcomes import HELD_BACK


@dataclass
class DrainSummary:
    fulfillments: int = 0
    written_back: int = 0
    held: int = 0
    failed: int = 0
    pending: int = 0
    attempts: int = 0
    acumatica_requests: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def writeback_drain(
    *,
    store: StoreConnection | None = None,
    ignore_due: bool = False,
    sign_out: bool = True,
    workers: int = 1,
    on_attempt: Callable[[Fulfillment, int], None] | None = None,
) -> DrainSummary:
    """``workers`` > 1 runs that many attempts at once, in threads (each with its own database
    connection), as that many Celery workers would; the leases keep them apart."""
    started = time.perf_counter()
    summary = DrainSummary()
    touched: set[int] = set()
    # Not looked at again in this drain: held, or kept back by the limiter.
    set_aside: set[int] = set()
    store_ids: set[int] = set()
    lock = threading.Lock()

    def run_one(fulfillment_id: int) -> None:
        attempt = writeback_run(fulfillment_id=fulfillment_id, ignore_due=ignore_due)
        fulfillment = Fulfillment.objects.only("status", "store_id", "reference").get(
            pk=fulfillment_id
        )
        with lock:
            touched.add(fulfillment_id)
            store_ids.add(fulfillment.store_id)
            if fulfillment.status == FulfillmentStatus.HELD or (
                attempt is not None and attempt.error.startswith(HELD_BACK)
            ):
                set_aside.add(fulfillment_id)
            if attempt is not None:
                summary.attempts += 1
                summary.acumatica_requests += len(attempt.calls)
            if on_attempt:
                on_attempt(fulfillment, len(touched))

    for _ in range(conf.max_attempts() + 2):
        ids = [
            fid
            for fid in outbox.runnable_ids(
                store_id=store.pk if store else None, ignore_due=ignore_due
            )
            if fid not in set_aside
        ]
        if not ids:
            break
        if workers <= 1:
            for fulfillment_id in ids:
                run_one(fulfillment_id)
        else:
            _in_threads(run_one, ids, workers)
    if sign_out:
        for store_id in sorted(store_ids):
            summary.acumatica_requests += store_sign_out(StoreConnection.objects.get(pk=store_id))
    statuses = Fulfillment.objects.filter(pk__in=touched).values_list("status", flat=True)
    summary.fulfillments = len(touched)
    for status in statuses:
        if status == FulfillmentStatus.WRITTEN_BACK:
            summary.written_back += 1
        elif status == FulfillmentStatus.HELD:
            summary.held += 1
        elif status == FulfillmentStatus.FAILED:
            summary.failed += 1
        else:
            summary.pending += 1
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _in_threads(work: Callable[[int], None], ids: list[int], workers: int) -> None:
    pending = queue.SimpleQueue()
    for item in ids:
        pending.put(item)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while True:
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    return
                work(item)
        except BaseException as exc:  # handed to the caller below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(min(workers, len(ids)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def store_sign_out(store: StoreConnection) -> int:
    """Close the store's Acumatica session now (its seat is free again); returns the requests
    made (0 or 1). A failed sign-out is logged by the client: the session then idles out."""
    try:
        client = acumatica_client_for(store, sign_out_on_close=True, purpose="write-back")
    except StoreClientUnavailable:
        return 0
    client.close()
    return client.request_count

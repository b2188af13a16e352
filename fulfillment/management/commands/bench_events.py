"""``python manage.py bench_events [--events 1000] [--fail-rate 0.1] [--workers 8]``: events to
a warehouse's webhook receiver that fails, end to end.

Starts a receiver on a loopback port (a threading HTTP server) that fails ``--fail-rate`` of
the requests at random, half with a 500 and half by answering later than the connector's
timeout (``--timeout``, 1 s here); makes a merchant with one subscription to it; records
``--events`` events at ``--rate`` per second (20; 0: all at once), each in its own transaction
as the hooks do; and delivers them with the
worker's task code on ``--workers`` threads (the jobs the code queues after commit, with their
countdowns, run here instead of on a broker; the sweep runs every 2 s as beat would run it).
Waits until every delivery is settled, then prints ONE JSON line: events, delivered, lost (no
2xx ever answered for it), duplicate_ids_beyond_retries (requests the receiver got for an id
beyond the attempts recorded for it), p50/p99 seconds from the event to the receiver's 2xx,
attempts, seconds. Exits 1 when anything is lost or p50 >= 1 s. Uses the configured database;
its rows are deleted afterwards.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import threading
import time
import uuid
from collections import Counter

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection, transaction
from django.db.models import Count

from fulfillment import jobs, tasks  # noqa: F401  (tasks: registers the delivery job)
from fulfillment.events import event_record
from fulfillment.events.dispatch import deliveries_dispatch_due
from fulfillment.events.payloads import store_data
from fulfillment.events.subscriptions import subscription_create
from fulfillment.management.benchkit import pct
from fulfillment.management.webhook_receiver import Reply, WebhookReceiver
from fulfillment.models import DeliveryStatus, EventAttempt, EventDelivery, EventKind
from stores.models import Merchant, StoreConnection

SWEEP_EVERY_SECONDS = 2.0


class _LocalJobs:
    """Jobs the code hands to the broker, run by threads here: ``send`` now, ``send_later``
    after its countdown, in due order."""

    def __init__(self, workers: int) -> None:
        self._queue: list[tuple[float, int, str, tuple]] = []
        self._order = itertools.count()
        self._ready = threading.Condition()
        self._stop = False
        self._threads = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]

    def start(self) -> None:
        self._real = (jobs.send, jobs.send_later)
        jobs.send = lambda name, args: self.put(name, args, 0.0)
        jobs.send_later = lambda name, args, delay: self.put(name, args, delay)
        for thread in self._threads:
            thread.start()

    def put(self, name: str, args, delay: float) -> None:
        with self._ready:
            heapq.heappush(self._queue, (time.monotonic() + delay, next(self._order), name, args))
            self._ready.notify()

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._stop and (not self._queue or self._queue[0][0] > time.monotonic()):
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._ready.wait(timeout=wait)
                if self._stop:
                    break
                _, _, name, args = heapq.heappop(self._queue)
            try:
                current_app.tasks[name].apply(args=tuple(args))
            finally:
                close_old_connections()
        connection.close()

    def stop(self) -> None:
        with self._ready:
            self._stop = True
            self._ready.notify_all()
        for thread in self._threads:
            thread.join(timeout=30)
        jobs.send, jobs.send_later = self._real


class Command(BaseCommand):
    help = "Benchmark event delivery to a local receiver that fails some of the time."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=1000)
        parser.add_argument("--fail-rate", type=float, default=0.1)
        parser.add_argument("--workers", type=int, default=8, help="delivery threads")
        parser.add_argument(
            "--timeout", type=float, default=1.0, help="the connector's POST timeout (s)"
        )
        parser.add_argument(
            "--rate", type=float, default=20.0, help="events recorded per second (0: at once)"
        )
        parser.add_argument("--wait", type=float, default=300.0, help="give up after (s)")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        count, rate = options["events"], options["fail_rate"]
        if count < 1 or options["workers"] < 1:
            raise CommandError("--events and --workers must be at least 1")
        if not 0 <= rate < 1:
            raise CommandError("--fail-rate is a share between 0 and 1")
        # The receiver listens on 127.0.0.1, which the subscriber URL guard refuses otherwise.
        settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = True
        settings.FULFILLMENT_EVENTS_TIMEOUT_SECONDS = options["timeout"]
        result = self._bench(count, rate, options)
        self.stdout.write(json.dumps(result))
        if result["lost"] or result["p50_seconds"] is None or result["p50_seconds"] >= 1:
            raise SystemExit(1)

    def _bench(self, count: int, rate: float, options: dict) -> dict:
        rng = random.Random(options["seed"])
        lock = threading.Lock()
        accepted: dict[str, float] = {}
        received: Counter = Counter()
        timeout = options["timeout"]

        def answer(request) -> Reply:
            event_id = request.headers.get("webhook-id", "")
            with lock:
                received[event_id] += 1
                roll = rng.random()
            if roll < rate / 2:
                return Reply(status=500)
            if roll < rate:
                return Reply(status=500, delay=timeout + 0.5)  # too late: a timeout
            with lock:
                accepted.setdefault(event_id, request.at)
            return Reply(status=200)

        receiver = WebhookReceiver(answer).start()
        runner = _LocalJobs(options["workers"])
        merchant = Merchant.objects.create(name=f"bench-events {uuid.uuid4().hex[:8]}")
        store = StoreConnection.objects.create(
            merchant=merchant,
            name="bench-events",
            instance_url="https://bench-events.invalid/AcumaticaERP",
            client_id="00000000-0000-0000-0000-000000000000@Bench",
            username="bench",
        )
        try:
            subscription_create(merchant=merchant, url=receiver.url)
            runner.start()
            self.stderr.write(
                f"== {count} events at {options['rate']:g}/s, {rate:.0%} of requests failing"
            )
            started = time.time()
            created: dict[str, float] = {}
            for n in range(count):
                if options["rate"] > 0:
                    # A steady flow, as orders and write-backs make them.
                    time.sleep(max(0.0, started + n / options["rate"] - time.time()))
                with transaction.atomic():
                    event = event_record(
                        kind=EventKind.STORE_NEEDS_ATTENTION, store=store, data=store_data(store)
                    )
                created[str(event.id)] = event.created_at.timestamp()
            emitted_in = time.time() - started
            deliveries = EventDelivery.objects.filter(subscription__merchant=merchant)
            deadline = time.monotonic() + options["wait"]
            next_sweep = time.monotonic() + SWEEP_EVERY_SECONDS
            while deliveries.filter(status=DeliveryStatus.PENDING).exists():
                if time.monotonic() > deadline:
                    self.stderr.write("!! gave up waiting for pending deliveries")
                    break
                if time.monotonic() >= next_sweep:
                    deliveries_dispatch_due()
                    next_sweep = time.monotonic() + SWEEP_EVERY_SECONDS
                time.sleep(0.1)
            seconds = time.time() - started
        finally:
            runner.stop()
            receiver.stop()
        try:
            return self._measure(
                deliveries, created, accepted, received, emitted_in=emitted_in, seconds=seconds
            )
        finally:
            store.delete()
            merchant.delete()

    def _measure(self, deliveries, created, accepted, received, *, emitted_in, seconds) -> dict:
        attempts_per_event = Counter(
            dict(
                (str(event_id), n)
                for event_id, n in EventAttempt.objects.filter(delivery__in=deliveries)
                .values_list("delivery__event_id")
                .annotate(n=Count("id"))
            )
        )
        latencies = sorted(accepted[i] - created[i] for i in created if i in accepted)
        return {
            "events": len(created),
            "delivered": deliveries.filter(status=DeliveryStatus.DELIVERED).count(),
            "lost": sum(1 for i in created if i not in accepted),
            "duplicate_ids_beyond_retries": sum(
                max(0, received[i] - attempts_per_event[i]) for i in created
            ),
            "unknown_ids": sum(1 for i in received if i not in created),
            "p50_seconds": pct(latencies, 50),
            "p99_seconds": pct(latencies, 99),
            "attempts": sum(attempts_per_event.values()),
            "requests_received": sum(received.values()),
            "emit_seconds": round(emitted_in, 2),
            "seconds": round(seconds, 2),
        }

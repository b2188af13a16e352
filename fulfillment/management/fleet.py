"""The fleet ``manage.py bench_fleet`` drives (see that command for what it does and prints):
sandboxes, stores, workers, the load, the watch over what was imported and written back, and
the figures."""

from __future__ import annotations

import collections
import datetime as dt
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from django.conf import settings
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from fulfillment.api.tokens import api_token_create
from fulfillment.importing import imports_enqueue_due
from fulfillment.models import Fulfillment, FulfillmentStatus, ImportRun, Order, OrderStatus
from fulfillment.writeback.samples import sandbox_open_orders
from fulfillment.writeback.services import writeback_dispatch_due
from stores.models import Merchant

from .benchkit import (
    Backlog,
    cpu_seconds,
    fulfillment_body,
    job_seconds,
    machine_busy_share,
    machine_cpu,
    pct,
    rate,
    sandbox_store,
    store_pushed_by,
    store_ships_ups,
    web_start,
    workers_start,
    workers_start_by_queue,
    workers_stop,
)

BEAT = 30.0  # what beat does every 30 s: the scheduled poll and the write-back sweep
SAMPLE = 5.0  # queue depth and backlog
WATCH = 1.0  # reading what was imported and written back
WATCH_MARGIN = dt.timedelta(seconds=30)  # longer than any import transaction
POSTERS = 8  # threads posting fulfillments (the warehouse's clients)
# Two-character order types, one per store on an instance: A0 … Z9.
ORDER_TYPES = [f"{chr(65 + n // 10)}{n % 10}" for n in range(260)]
# The backlog counts as bounded when the last third's peak is at most this much above the first
# third's, plus a little slack for the work in flight at any moment: a few seconds of arrivals.
GROWTH = 1.5
SLACK_SECONDS = 5


class Fleet:
    def __init__(self, options: dict) -> None:
        self.options = options
        self.sandboxes: list[SandboxServer] = []
        self.stores = []
        self.sandbox_of: dict[int, SandboxServer] = {}  # store id -> where its orders go
        self.placed: dict[tuple[int, str], float] = {}  # (store id, order nbr) -> wall time
        self.imported: dict[tuple[int, str], float] = {}  # -> imported_at
        self.ready: collections.deque[int] = collections.deque()  # order ids to fulfil
        self.seen: set[int] = set()  # order ids read
        self._last_watch = timezone.now()
        self.posted: dict[int, float] = {}  # fulfillment id -> wall time before the POST
        self.written: dict[int, float] = {}  # -> written_back_at
        self.api_seconds: list[float] = []
        self.post_errors: collections.Counter = collections.Counter()
        self.backlog = Backlog()
        self._stop = threading.Event()
        self._local = threading.local()

    # --- the run ----------------------------------------------------------------------------

    def run(self) -> dict:
        options = self.options
        started = time.monotonic()
        web, self.base = web_start()
        workers = None
        merchants = [
            Merchant.objects.create(name=f"bench-fleet {uuid.uuid4().hex[:8]} {n:03}")
            for n in range(options["merchants"])
        ]
        try:
            self.sandboxes = [self._sandbox(n) for n in range(options["instances"])]
            self.stores = [self._store(n, merchants) for n in range(options["stores"])]
            _, self.key = api_token_create(
                name=f"bench-fleet {uuid.uuid4().hex[:6]}", merchants=merchants
            )
            if options["layout"] == "queues":
                workers = workers_start_by_queue(options)
            else:
                workers = [workers_start(options)]
            self._warm_up()
            setup = time.monotonic() - started
            return self._measure(workers, setup)
        finally:
            self._stop.set()
            for worker in workers or []:
                workers_stop(worker)
            web.shutdown()
            for sandbox in self.sandboxes:
                sandbox.stop()
            for merchant in [] if options["keep"] else merchants:
                for store in merchant.stores.all():
                    Fulfillment.objects.filter(store=store).delete()
                    store.delete()
                merchant.delete()

    def _sandbox(self, number: int) -> SandboxServer:
        sandbox = SandboxServer(
            SandboxConfig(
                orders=0,
                seed=number + 1,
                max_sessions=0,
                request_log_size=50,  # tens of thousands of requests: keep memory flat
                action_duration=self.options["action_duration"],
            )
        ).start()
        with sandbox.data.lock:
            for code in ORDER_TYPES:
                sandbox.data.lookups.order_types[code] = {
                    "Description": f"Store {code}",
                    "Behavior": "SO",
                    "Active": True,
                }
        return sandbox

    def _store(self, number: int, merchants: list[Merchant]):
        """Store ``number``: on instance number % instances, of merchant number % merchants,
        importing its own order type on that instance."""
        sandbox = self.sandboxes[number % len(self.sandboxes)]
        order_type = ORDER_TYPES[number // len(self.sandboxes)]
        merchant = merchants[number % len(merchants)]
        store = sandbox_store(sandbox, merchant, f"store {number:03}")
        store.order_type = order_type
        store.save(update_fields=["order_type"])
        store_ships_ups(store)
        store_pushed_by(
            sandbox, store, self.base, conditions={"OrderType": order_type}, retry_seconds=0.5
        )
        self.sandbox_of[store.pk] = sandbox
        return store

    def _warm_up(self) -> None:
        """Every store's first (full, empty) import, by the workers: tokens and cursors exist
        before the clock starts, as in a fleet that has been running."""
        ids = [s.pk for s in self.stores]
        deadline = time.monotonic() + self.options["timeout"]
        next_beat = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_beat:
                imports_enqueue_due()
                next_beat = time.monotonic() + BEAT
            done = ImportRun.objects.filter(store_id__in=ids, finished_at__isnull=False)
            if done.values("store_id").distinct().count() >= len(ids):
                return
            time.sleep(WATCH)
        raise CommandError("the stores' first imports did not finish in --timeout")

    def _measure(self, workers, setup: float) -> dict:
        options = self.options
        duration = options["minutes"] * 60
        machine_before = machine_cpu()
        readers = self._cpu_readers(workers)
        cpu_before, cpu = {name: read() for name, read in readers.items()}, None
        self.measured_from = timezone.now()
        started = time.monotonic()
        stop_at = started + duration
        placer = threading.Thread(target=self._place, args=(started, stop_at), daemon=True)
        poster = threading.Thread(target=self._post_all, args=(stop_at,), daemon=True)
        placer.start()
        poster.start()
        next_beat, next_sample = started + BEAT, started
        drain_until = stop_at + options["timeout"]
        while True:
            now = time.monotonic()
            if now >= next_beat:
                imports_enqueue_due()
                writeback_dispatch_due()
                next_beat = now + BEAT
            self._watch()
            if now >= next_sample:
                self.backlog.sample(
                    now - started,
                    orders=len(self.placed) - len(self.imported),
                    fulfillments=len(self.posted) - len(self.written),
                )
                next_sample = now + SAMPLE
            if now >= stop_at and cpu is None:  # CPU while the load ran, not while draining
                cpu = {
                    "machine_busy_share": machine_busy_share(machine_before),
                    **{
                        f"{name}_seconds": round(read() - cpu_before[name], 1)
                        for name, read in readers.items()
                    },
                }
            drained = len(self.imported) >= len(self.placed) and len(self.written) >= len(
                self.posted
            )
            if now >= stop_at and ((drained and not poster.is_alive()) or now >= drain_until):
                break
            time.sleep(WATCH)
        wall = time.monotonic() - started
        placer.join(timeout=30)
        poster.join(timeout=60)
        self._watch()
        return self._figures(duration, wall, setup, cpu)

    def _layout(self) -> str:
        options = self.options
        if options["layout"] == "one":
            return f"one worker, every queue: {options['pool']} x {options['workers']}"
        return (
            f"interactive: threads x {options['interactive_threads']}; import: prefork x "
            f"{options['import_processes']}; writeback: threads x {options['writeback_threads']}"
        )

    @staticmethod
    def _cpu_readers(workers) -> dict:
        """Where the CPU goes: this process (the sandboxes, the web app, the load), the
        workers, the database and the broker (when they run on this machine)."""
        return {
            "benchmark_process": lambda: cpu_seconds(os.getpid()),
            "worker_processes": lambda: sum(cpu_seconds(w.pid, group=True) for w in workers),
            "postgres": lambda: cpu_seconds(command="postgres"),
            "redis": lambda: cpu_seconds(command="redis-server"),
        }

    # --- the load ---------------------------------------------------------------------------

    def _place(self, started: float, stop_at: float) -> None:
        """Orders at the order rate, round robin over the stores (so over the instances)."""
        gap = 1.0 / self.options["order_rate"]
        sessions = {id(s): requests.Session() for s in self.sandboxes}
        count = 0
        while not self._stop.is_set():
            due = started + count * gap
            if due >= stop_at or time.monotonic() >= stop_at:  # behind: the rest is not placed
                return
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            store = self.stores[count % len(self.stores)]
            sandbox = self.sandbox_of[store.pk]
            at = time.time()
            (nbr,) = sandbox_open_orders(
                sandbox.site_url,
                count=1,
                seed=count,
                order_type=store.order_type,
                http=sessions[id(sandbox)],
            )
            self.placed[(store.pk, nbr)] = at
            count += 1

    def _post_all(self, stop_at: float) -> None:
        """A fulfillment of each order that became ready, at the fulfil rate at most; never
        more than a second's worth at once after a pause (nothing was ready)."""
        gap = 1.0 / self.options["fulfil_rate"]
        in_flight = threading.BoundedSemaphore(POSTERS * 2)
        next_at = time.monotonic()
        with ThreadPoolExecutor(POSTERS, thread_name_prefix="warehouse") as pool:
            while not self._stop.is_set() and time.monotonic() < stop_at:
                now = time.monotonic()
                if now < next_at:
                    time.sleep(min(next_at - now, 0.05))
                    continue
                try:
                    order_id = self.ready.popleft()
                except IndexError:
                    next_at = max(next_at, now - 1.0)
                    time.sleep(0.05)
                    continue
                in_flight.acquire()
                pool.submit(self._post, order_id, in_flight)
                next_at += gap

    def _post(self, order_id: int, in_flight: threading.BoundedSemaphore) -> None:
        try:
            http = getattr(self._local, "http", None)
            if http is None:
                http = self._local.http = requests.Session()
                http.headers["Authorization"] = f"Token {self.key}"
            body = fulfillment_body(Order.objects.get(pk=order_id))
            at, began = time.time(), time.monotonic()
            reply = http.post(
                f"{self.base}/api/v1/orders/{order_id}/fulfillments", json=body, timeout=60
            )
            self.api_seconds.append(time.monotonic() - began)
            if reply.status_code == 201:
                self.posted[reply.json()["id"]] = at
            else:
                self.post_errors[f"{reply.status_code} {reply.text[:200]}"] += 1
        except Exception as exc:  # counted and shown: one failed post must not stop the load
            self.post_errors[f"{type(exc).__name__}: {str(exc)[:200]}"] += 1
        finally:
            in_flight.release()

    # --- what happened ----------------------------------------------------------------------

    def _watch(self) -> None:
        """New orders (ready ones go to the warehouse) and new write-backs. Orders are read by
        their import time with a margin, not by id: ids are taken before commit, so a lower
        id can become visible after a higher one."""
        ids = [s.pk for s in self.stores]
        since = timezone.now() - WATCH_MARGIN
        for pk, store_id, nbr, status, at in Order.objects.filter(
            store_id__in=ids, imported_at__gte=min(since, self._last_watch)
        ).values_list("pk", "store_id", "erp_order_nbr", "status", "imported_at"):
            if pk in self.seen:
                continue
            self.seen.add(pk)
            self.imported.setdefault((store_id, nbr), at.timestamp())
            if status == OrderStatus.READY:
                self.ready.append(pk)
        self._last_watch = since
        waiting = [pk for pk in list(self.posted) if pk not in self.written]
        for start in range(0, len(waiting), 1000):
            for pk, at in Fulfillment.objects.filter(
                pk__in=waiting[start : start + 1000], status=FulfillmentStatus.WRITTEN_BACK
            ).values_list("pk", "written_back_at"):
                self.written[pk] = at.timestamp()

    def _figures(self, duration: float, wall: float, setup: float, cpu: dict) -> dict:
        options = self.options
        ids = [s.pk for s in self.stores]
        # Snapshots: a late post may still be landing from the warehouse's threads.
        placed, posted = dict(self.placed), dict(self.posted)
        orders = Order.objects.filter(store_id__in=ids)
        # What was imported, from the rows themselves (the watch may have been a moment late).
        for store_id, nbr, at in orders.values_list("store_id", "erp_order_nbr", "imported_at"):
            self.imported.setdefault((store_id, nbr), at.timestamp())
        order_twice = (
            orders.values("store_id", "erp_order_type", "erp_order_nbr")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        to_queue = sorted(
            self.imported[key] - at for key, at in placed.items() if key in self.imported
        )
        to_confirmed = sorted(
            self.written[pk] - at for pk, at in posted.items() if pk in self.written
        )
        shipments = collections.Counter()
        for sandbox in self.sandboxes:
            with sandbox.data.lock:
                # The write-back ends a Shipment's Description with the fulfillment's reference.
                shipments.update(
                    (s.get("Description") or "").rsplit(" ", 1)[-1]
                    for s in sandbox.data.records["Shipment"].values()
                )
        result = {
            "stores": len(self.stores),
            "instances": len(self.sandboxes),
            "merchants": options["merchants"],
            "workers": self._layout(),
            "minutes": options["minutes"],
            "order_rate_target": options["order_rate"],
            "fulfil_rate_target": options["fulfil_rate"],
            "orders_placed": len(placed),
            "orders_imported": sum(1 for key in placed if key in self.imported),
            "orders_missing": sum(1 for key in placed if key not in self.imported),
            "orders_twice": order_twice,
            "fulfillments_posted": len(posted),
            "fulfillment_post_errors": sum(self.post_errors.values()),
            "fulfillments_written_back": len(self.written),
            "fulfillments_missing": len(posted) - len(self.written),
            "shipments_twice": sum(1 for ref, n in shipments.items() if ref and n > 1),
            "orders_per_second_placed": round(len(placed) / duration, 2),
            "orders_per_second_imported": rate(self.imported.values(), duration),
            "fulfillments_per_second_confirmed": rate(self.written.values(), duration),
            "order_to_queue_p50_s": pct(to_queue, 50),
            "order_to_queue_p99_s": pct(to_queue, 99),
            "fulfillment_to_confirmed_p50_s": pct(to_confirmed, 50),
            "fulfillment_to_confirmed_p99_s": pct(to_confirmed, 99),
            "fulfillment_api_p50_s": pct(sorted(self.api_seconds), 50),
            "fulfillment_api_p99_s": pct(sorted(self.api_seconds), 99),
            "queue_depth_max": self.backlog.peaks(),
            "series": self.backlog.series(every=BEAT),
            "http_429": sum(s.limits.summary()["declined"] for s in self.sandboxes),
            "push_notifications": sum(s.push.stats.notifications for s in self.sandboxes),
            "push_failed": sum(s.push.stats.failed for s in self.sandboxes),
            "cpu": cpu,
            "work": job_seconds(store_ids=ids, since=self.measured_from),
            "setup_seconds": round(setup, 1),
            "wall_seconds": round(wall, 1),
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "broker": settings.CELERY_BROKER_URL.split(":", 1)[0],
        }
        missing = [key for key in placed if key not in self.imported]
        if missing:
            result["orders_missing_examples"] = [
                [self.sandbox_of[store_id].port, store_id, nbr] for store_id, nbr in missing[:5]
            ]
        if self.post_errors:
            result["post_error_examples"] = dict(self.post_errors.most_common(3))
        result["kept_up"] = self.backlog.bounded(
            until=duration, growth=GROWTH, slack=options["order_rate"] * SLACK_SECONDS
        )
        result["targets_met"] = bool(
            result["orders_missing"] == 0
            and result["orders_twice"] == 0
            and result["fulfillments_missing"] == 0
            and result["fulfillment_post_errors"] == 0
            and result["shipments_twice"] == 0
            and result["kept_up"]
        )
        return result

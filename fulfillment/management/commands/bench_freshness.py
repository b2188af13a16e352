"""How fresh the connector is, end to end, with push notifications on.

Starts the sandbox, this project's web app (a threaded WSGI server on a free loopback port: the
sandbox's push notifications and the warehouse's API calls arrive over real HTTP) and a Celery
worker taking every queue (threads, through the configured broker and database), then measures:

* order placed in the sandbox -> ready in the warehouse API, over ``--orders`` orders placed at
  ``--rate`` per second, while the sandbox drops and duplicates notifications;
* fulfillment posted to the warehouse API -> Shipment confirmed in Acumatica;
* a Shipment write whose reply is lost (it applied) -> written back.

Prints one JSON line (and exits 1 when a target of issue 13 is missed).
"""

from __future__ import annotations

import json
import logging
import time
import uuid

import requests
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from connector.celery import app
from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from fulfillment.api.tokens import api_token_create
from fulfillment.importing import import_run, imports_enqueue_due
from fulfillment.models import Fulfillment, FulfillmentStatus, ImportTrigger, Order, OrderStatus
from fulfillment.writeback.samples import sandbox_open_orders
from stores.models import Merchant

from ..benchkit import (
    celery_queues,
    fulfillment_body,
    pct,
    store_pushed_by,
    store_ships_ups,
    web_start,
)
from .bench_import import Command as ImportBenchmark

POLL = 0.02


class Command(BaseCommand):
    help = "Measure order -> ready and fulfillment -> confirmed with push notifications on."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=200)
        parser.add_argument("--rate", type=float, default=10.0, help="orders placed per second")
        parser.add_argument("--drop-rate", type=float, default=0.05)
        parser.add_argument("--duplicate-rate", type=float, default=0.05)
        parser.add_argument("--fulfillments", type=int, default=20)
        parser.add_argument("--action-duration", type=float, default=0.5)
        parser.add_argument("--workers", type=int, default=4, help="worker threads")
        parser.add_argument("--timeout", type=float, default=120.0)

    def handle(self, *args, **options):
        if options["orders"] < 1 or options["fulfillments"] < 1 or options["rate"] <= 0:
            raise CommandError("--orders, --fulfillments and --rate must be positive")
        for name in ("drop_rate", "duplicate_rate"):
            if not 0 <= options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} is a share between 0 and 1")
        settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = True
        settings.FULFILLMENT_WRITEBACK_CONFIRM_POLL_SECONDS = max(
            options["action_duration"] / 5, 0.02
        )
        logging.getLogger("connector").setLevel(logging.WARNING)
        logging.getLogger("celery").setLevel(logging.WARNING)
        result = self._bench(options)
        self.stdout.write(json.dumps(result))
        if not result["targets_met"]:
            raise SystemExit(1)

    def _bench(self, options: dict) -> dict:
        sandbox = SandboxServer(
            SandboxConfig(orders=0, action_duration=options["action_duration"])
        ).start()
        web, base = web_start()
        merchant = Merchant.objects.create(name=f"bench-freshness {uuid.uuid4().hex[:8]}")
        try:
            store = ImportBenchmark._store(sandbox, merchant, "freshness")
            store.import_interval_minutes = 1
            store.save(update_fields=["import_interval_minutes"])
            import_run(store=store, trigger=ImportTrigger.MANUAL)
            store_ships_ups(store)
            store_pushed_by(
                sandbox,
                store,
                base,
                drop_rate=options["drop_rate"],
                duplicate_rate=options["duplicate_rate"],
                retry_seconds=0.5,
            )
            _, key = api_token_create(name=f"bench {uuid.uuid4().hex[:6]}", merchants=[merchant])
            queues = celery_queues()
            with start_worker(
                app,
                pool="threads",
                concurrency=options["workers"],
                perform_ping_check=False,
                shutdown_timeout=30,
                queues=queues,
            ):
                orders = self._orders(sandbox, store, options)
                shipped = self._fulfillments(sandbox, store, base, key, options)
            stats = sandbox.push.stats
            result = {
                **orders,
                **shipped,
                "notifications": stats.notifications,
                "notifications_dropped": stats.dropped,
                "notifications_duplicated": stats.duplicated,
                "sandbox_action_seconds": options["action_duration"],
                "worker_threads": options["workers"],
                "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                "broker": settings.CELERY_BROKER_URL.split(":", 1)[0],
            }
            result["targets_met"] = bool(
                result["missing_orders"] == 0
                and result["duplicate_orders"] == 0
                and result["order_to_ready_p50_s"] < 2
                and result["order_to_ready_p99_s"] < 10
                and result["fulfillment_to_confirmed_p50_s"] <= options["action_duration"] + 1
                and result["lost_reply_to_written_back_s"] < 30
                and result["duplicate_shipments"] == 0
            )
            return result
        finally:
            web.shutdown()
            sandbox.stop()
            for each in merchant.stores.all():
                Fulfillment.objects.filter(store=each).delete()
                each.delete()
            merchant.delete()

    # --- order placed -> ready -------------------------------------------------------------

    def _orders(self, sandbox, store, options) -> dict:
        placed: dict[str, float] = {}
        ready: dict[str, float] = {}
        count, gap = options["orders"], 1.0 / options["rate"]
        started = time.monotonic()
        next_beat = started + 30
        deadline = started + count * gap + options["timeout"]
        while time.monotonic() < deadline and len(ready) < count:
            if len(placed) < count and time.monotonic() >= started + len(placed) * gap:
                (nbr,) = sandbox_open_orders(sandbox.site_url, count=1, seed=len(placed))
                placed[nbr] = time.monotonic()
            now = time.monotonic()
            if now >= next_beat:  # what beat does every 30 s: the poll, the safety net
                imports_enqueue_due()
                next_beat = now + 30
            waiting = [n for n in placed if n not in ready]
            for nbr in Order.objects.filter(
                store=store, erp_order_nbr__in=waiting, status=OrderStatus.READY
            ).values_list("erp_order_nbr", flat=True):
                ready[nbr] = time.monotonic()
            time.sleep(POLL)
        latencies = sorted(ready[n] - placed[n] for n in ready)
        counts = Order.objects.filter(store=store, erp_order_nbr__in=list(placed))
        return {
            "orders": count,
            "orders_ready": len(ready),
            "missing_orders": count - len(ready),
            "duplicate_orders": counts.count() - len(set(counts.values_list("erp_order_nbr"))),
            "order_to_ready_p50_s": pct(latencies, 50),
            "order_to_ready_p99_s": pct(latencies, 99),
            "order_to_ready_max_s": round(latencies[-1], 3) if latencies else None,
        }

    # --- fulfillment posted -> confirmed ---------------------------------------------------

    def _fulfillments(self, sandbox, store, base, key, options) -> dict:
        http = requests.Session()
        http.headers["Authorization"] = f"Token {key}"
        orders = list(
            Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk")[
                : options["fulfillments"] + 1
            ]
        )
        if len(orders) < 2:
            raise CommandError("not enough ready orders to fulfil")
        *regular, lost = orders
        latencies = [self._fulfil(http, base, order, options) for order in regular]
        # The Shipment PUT applies, its reply never arrives.
        sandbox.faults.add(kind="lost_reply", match="PUT */Shipment", times=1)
        lost_latency = self._fulfil(http, base, lost, options)
        references = [f.reference for f in Fulfillment.objects.filter(store=store) if f.reference]
        shipments = sandbox.data.records["Shipment"].values()
        duplicates = sum(
            1
            for reference in references
            if sum(reference in (s.get("Description") or "") for s in shipments) > 1
        )
        return {
            "fulfillments": len(regular),
            "fulfillment_to_confirmed_p50_s": pct(sorted(latencies), 50),
            "fulfillment_to_confirmed_p99_s": pct(sorted(latencies), 99),
            "lost_reply_to_written_back_s": round(lost_latency, 3),
            "duplicate_shipments": duplicates,
        }

    def _fulfil(self, http, base, order, options) -> float:
        body = fulfillment_body(order)
        posted = time.monotonic()
        reply = http.post(f"{base}/api/v1/orders/{order.pk}/fulfillments", json=body, timeout=30)
        if reply.status_code != 201:
            raise CommandError(f"posting a fulfillment answered {reply.status_code}: {reply.text}")
        fulfillment_id = reply.json()["id"]
        deadline = posted + options["timeout"]
        while time.monotonic() < deadline:
            status = (
                Fulfillment.objects.filter(pk=fulfillment_id)
                .values_list("status", flat=True)
                .first()
            )
            if status == FulfillmentStatus.WRITTEN_BACK:
                return time.monotonic() - posted
            time.sleep(POLL)
        return float("inf")

"""Many stores on one Acumatica instance, imported by several real worker processes.

Starts the sandbox with a licence's limits (API users, concurrent requests, requests per
minute), creates ``--stores`` stores on it that know those limits, starts ``--workers`` Celery
worker processes (``celery worker --concurrency N``: prefork children, through the configured
broker and database) and plays beat: it queues the stores that are due (the scheduler's own
``imports_enqueue_due``) every few seconds until every store has imported every eligible order.

With ``--kill-after S`` it kills (SIGKILL) the worker process running some store's import S
seconds in, mid-run: its session stays open at the sandbox until the idle timeout
(``--session-idle``, told to the workers as ``ACUMATICA_SESSION_IDLE_SECONDS``), its request
slot until the slot's TTL, its store's lease until ``--import-lease``; the benchmark then shows
that nothing is lost or doubled and when the killed store was complete again.

Prints one JSON line: stores, orders, requests, 429s, "API Login Limit" refusals, most requests
in flight and sessions open at the sandbox, peak requests in any 60 s, the share of the
per-minute limit used while work remained, duplicates, missing, wall time. Exits 1 when a
target of issue 12 is missed (no 429, no login limit refusal, never more than the licence in
flight or signed in, >= 90 % of the per-minute limit used (not asked of a run with a kill: the
killed store waits out its lease), nothing missing or twice).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import sys
import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from fulfillment.importing import import_run, imports_enqueue_due
from fulfillment.models import ImportState, ImportTrigger, Order
from stores.models import Merchant

from ..benchkit import sandbox_store, workers_start, workers_stop

TICK = 3.0


class Command(BaseCommand):
    help = "Import many stores sharing one licence with several worker processes; print figures."

    def add_arguments(self, parser):
        parser.add_argument("--stores", type=int, default=20)
        parser.add_argument("--orders", type=int, default=300, help="orders in the sandbox")
        parser.add_argument("--seats", type=int, default=2, help="licence API users")
        parser.add_argument("--per-minute", type=int, default=300)
        parser.add_argument("--concurrent", type=int, default=2)
        parser.add_argument("--workers", type=int, default=4, help="worker processes")
        parser.add_argument("--page-size", type=int, default=25)
        parser.add_argument("--timeout", type=float, default=900.0)
        parser.add_argument(
            "--kill-after", type=float, default=0.0, help="SIGKILL a worker mid-import then"
        )
        parser.add_argument(
            "--session-idle", type=float, default=600.0, help="instance's idle session timeout"
        )
        parser.add_argument("--import-lease", type=int, default=300, help="store lease seconds")
        parser.add_argument("--seat-wait", type=float, default=120.0)

    def handle(self, *args, **options):
        for name in ("stores", "orders", "seats", "per_minute", "concurrent", "workers"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1")
        settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = True
        logging.getLogger("connector").setLevel(logging.WARNING)
        # Stopped from outside: still stop the workers and delete the stores (``finally``).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        result = self._bench(options)
        self.stdout.write(json.dumps(result))
        if not result["targets_met"]:
            raise SystemExit(1)

    def _bench(self, options: dict) -> dict:
        sandbox = SandboxServer(
            SandboxConfig(
                orders=options["orders"],
                max_sessions=0,
                request_log_size=1_000_000,
                session_idle_timeout=options["session_idle"],
            )
        ).start()
        merchant = Merchant.objects.create(name=f"bench-scale {uuid.uuid4().hex[:8]}")
        workers = None
        try:
            # What every store must end with: a reference import, before the licence applies.
            reference = sandbox_store(sandbox, merchant, "reference")
            eligible = import_run(store=reference, trigger=ImportTrigger.MANUAL).created
            reference.delete()
            sandbox.sessions.close_all()
            sandbox.config.max_sessions = options["seats"]
            sandbox.config.max_concurrent_requests = options["concurrent"]
            sandbox.config.max_requests_per_minute = options["per_minute"]
            sandbox.request_log.clear()
            stores = [self._store(sandbox, merchant, n, options) for n in range(options["stores"])]

            workers = workers_start(options)
            started = time.monotonic()
            kill = _Kill(options["kill_after"], workers.pid) if options["kill_after"] else None
            while time.monotonic() - started < options["timeout"]:
                imports_enqueue_due()
                if kill is not None:
                    kill.tick(stores, eligible, time.monotonic() - started)
                if self._imported(stores) >= eligible * len(stores):
                    break
                time.sleep(TICK)
            wall = time.monotonic() - started
            result = self._figures(sandbox, stores, eligible, wall, options)
            if kill is not None:
                result["kill"] = kill.figures()
                result["targets_met"] = result["targets_met"] and kill.pid is not None
            return result
        finally:
            if workers is not None:
                workers_stop(workers)
            sandbox.stop()
            for store in merchant.stores.all():
                store.delete()
            merchant.delete()

    @staticmethod
    def _store(sandbox, merchant, number: int, options: dict):
        store = sandbox_store(sandbox, merchant, f"store {number:03}")
        store.licence_api_users = options["seats"]
        store.licence_concurrent_requests = options["concurrent"]
        store.licence_requests_per_minute = options["per_minute"]
        store.import_interval_minutes = 60  # one scheduled import each, retries aside
        store.save()
        return store

    @staticmethod
    def _imported(stores) -> int:
        return Order.objects.filter(store__in=stores).count()

    def _figures(self, sandbox, stores, eligible: int, wall: float, options: dict) -> dict:
        entries = sandbox.request_log.entries()
        # What the licence counts (the sandbox's README: not sign-out, not /identity).
        counted = [e for e in entries if _licence_counted(e.path)]
        times = sorted(dt.datetime.fromisoformat(e.time).timestamp() for e in counted)
        peak = _peak_per_minute(times)
        span = (times[-1] - times[0]) if len(times) > 1 else 0.0
        # Share of what the per-minute limit allowed from the first request to the last: a
        # sliding minute lets per_minute through in each started minute of the span.
        allowed = options["per_minute"] * (int(span // 60) + 1)
        used = len(times) / allowed if times else 0.0
        per_store = dict(
            Order.objects.filter(store__in=stores)
            .values_list("store_id")
            .annotate(n=Count("id"))
            .values_list("store_id", "n")
        )
        twice = (
            Order.objects.filter(store__in=stores)
            .values("store_id", "erp_order_type", "erp_order_nbr")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        missing = sum(max(0, eligible - per_store.get(s.pk, 0)) for s in stores)
        limits = sandbox.limits.summary()
        result = {
            "stores": len(stores),
            "eligible_orders_per_store": eligible,
            "orders_imported": sum(per_store.values()),
            "requests": len(entries),
            "licence_counted_requests": len(counted),
            "http_429": sum(1 for e in entries if e.status == 429),
            "api_login_limit": sandbox.sessions.refused,
            "max_in_flight": limits["peak_in_flight"],
            "max_seats": sandbox.sessions.peak_open,
            "peak_requests_per_minute": peak,
            "per_minute_limit": options["per_minute"],
            "utilisation": round(used, 3),
            "duplicates": twice,
            "missing": missing,
            "wall_seconds": round(wall, 1),
            "worker_processes": options["workers"],
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "broker": settings.CELERY_BROKER_URL.split(":", 1)[0],
            "shared_limits": "redis" if settings.REDIS_URL else "sqlite-file",
        }
        result["targets_met"] = bool(
            result["http_429"] == 0
            and result["api_login_limit"] == 0
            and result["max_in_flight"] <= options["concurrent"]
            and result["max_seats"] <= options["seats"]
            and result["peak_requests_per_minute"] <= options["per_minute"]
            and (result["utilisation"] >= 0.9 or span < 60 or options["kill_after"])
            and missing == 0
            and twice == 0
        )
        return result


class _Kill:
    """Kills the worker process running some store's import, once, ``after`` seconds in; then
    watches when that store has every eligible order again."""

    def __init__(self, after: float, worker_group: int) -> None:
        self.after, self.group = after, worker_group
        self.pid: int | None = None
        self.store_id: int | None = None
        self.at = self.store_complete_at = None

    def tick(self, stores, eligible: int, elapsed: float) -> None:
        if self.pid is None and elapsed >= self.after:
            self._kill(stores, elapsed)
        elif self.pid is not None and self.store_complete_at is None and self._complete(eligible):
            self.store_complete_at = elapsed

    def _complete(self, eligible: int) -> bool:
        return Order.objects.filter(store_id=self.store_id).count() >= eligible

    def _kill(self, stores, elapsed: float) -> None:
        running = ImportState.objects.filter(store__in=stores).exclude(lease_holder="")
        for store_id, holder in running.values_list("store_id", "lease_holder"):
            pid = int(holder.split(":")[1])
            try:
                if os.getpgid(pid) != self.group:  # only a process of our own workers
                    continue
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            self.pid, self.store_id, self.at = pid, store_id, elapsed
            return

    def figures(self) -> dict:
        return {
            "worker_pid": self.pid,
            "store": self.store_id,
            "killed_at_s": round(self.at, 1) if self.at is not None else None,
            "store_complete_at_s": (
                round(self.store_complete_at, 1) if self.store_complete_at is not None else None
            ),
        }


def _licence_counted(path: str) -> bool:
    return "/identity/" not in path and not path.endswith("/auth/logout")


def _peak_per_minute(times: list[float]) -> int:
    """Most requests in any 60 s window."""
    peak = first = 0
    for last, at in enumerate(times):
        while times[first] <= at - 60:
            first += 1
        peak = max(peak, last - first + 1)
    return peak

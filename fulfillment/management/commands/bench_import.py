"""``python manage.py bench_import [--orders 10000] [--lines 3] [--compare 1000]``: how much an
import costs, against a sandbox started in this process.

For each size: start a sandbox on a free loopback port, seed N sales orders through its data
control (a realistic mix: ~43 % are eligible, the rest other types and statuses), create a
dedicated store, import from scratch, then import again with nothing new. Prints the Acumatica
requests (from the sandbox's request log and from the run), requests per imported order,
orders imported per second end to end, and the import's peak Python memory (tracemalloc, above
what was allocated before it started, the sandbox's data included). Comparing two sizes shows
whether memory stays flat. Uses the configured database; the store and its rows are deleted
afterwards. Targets: ≤ 1 request per 100 orders + a constant, exactly 1 request for the run
with nothing new, memory flat.
"""

from __future__ import annotations

import gc
import json
import logging
import time
import tracemalloc
import uuid

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from fulfillment.importing import import_run
from fulfillment.models import ImportTrigger
from stores.models import Merchant

from ..benchkit import sandbox_store

# "≤ 1 request per 100 orders + a constant": the constant covers the token request, the first
# page and the short last page.
REQUEST_CONSTANT = 3
# Memory counts as flat when 10x the orders costs less than this much more at the peak.
FLAT_RATIO = 1.5


class Command(BaseCommand):
    help = "Benchmark the order import against an in-process sandbox."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=10_000, help="orders to seed")
        parser.add_argument("--lines", type=int, default=3, help="maximum lines per order")
        parser.add_argument(
            "--compare",
            type=int,
            default=1_000,
            help="also run this smaller size first to compare memory (0: don't)",
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        if options["orders"] < 1 or options["lines"] < 1:
            raise CommandError("--orders and --lines must be at least 1")
        # The sandbox listens on 127.0.0.1, which the Instance URL guard refuses otherwise.
        settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = True
        sizes = [options["orders"]]
        if 0 < options["compare"] < options["orders"]:
            sizes.insert(0, options["compare"])
        results = []
        for size in sizes:
            self.stderr.write(f"== {size} orders, up to {options['lines']} lines each")
            result = self._bench(size, options["lines"], options["seed"])
            results.append(result)
            self._print(result)
        verdict = self._verdict(results)
        for line in verdict["checks"]:
            self.stdout.write(line)
        self.stdout.write(json.dumps({"results": results, "targets_met": verdict["ok"]}))
        if not verdict["ok"]:
            raise SystemExit(1)

    def _bench(self, size: int, lines: int, seed: int) -> dict:
        # One log line per sandbox request would drown the figures.
        logging.getLogger("connector.sandbox").setLevel(logging.WARNING)
        server = SandboxServer(SandboxConfig(orders=0, max_sessions=0)).start()
        merchant = None
        try:
            started = time.perf_counter()
            reply = requests.post(
                f"{server.site_url}/_sandbox/data/seed",
                json={"orders": size, "seed": seed, "lines": lines},
                timeout=600,
            )
            reply.raise_for_status()
            seeded_in = time.perf_counter() - started
            merchant = Merchant.objects.create(name=f"bench-import {uuid.uuid4().hex[:8]}")

            # Timed without tracemalloc, which slows allocation-heavy code several times over.
            store = sandbox_store(server, merchant, "timed")
            server.request_log.clear()
            started = time.perf_counter()
            first = import_run(store=store, trigger=ImportTrigger.MANUAL)
            elapsed = time.perf_counter() - started
            first_logged = len(server.request_log.entries())
            server.request_log.clear()
            second = import_run(store=store, trigger=ImportTrigger.SCHEDULE)
            second_logged = len(server.request_log.entries())

            # The same import again, into a second store, for the memory peak.
            traced_store = sandbox_store(server, merchant, "traced")
            gc.collect()
            tracemalloc.start()
            baseline = tracemalloc.get_traced_memory()[0]
            traced = import_run(store=traced_store, trigger=ImportTrigger.MANUAL)
            peak = tracemalloc.get_traced_memory()[1] - baseline
            tracemalloc.stop()
            if first is None or second is None or traced is None:
                raise CommandError("the benchmark store's lease was held")
            imported = first.created
            return {
                "orders_seeded": size,
                "orders_imported": imported,
                "seed_seconds": round(seeded_in, 2),
                "first_run": first.counts(),
                "first_run_requests_logged": first_logged,
                "requests_per_100_orders": round(100 * first.acumatica_requests / imported, 3)
                if imported
                else None,
                "orders_per_second": round(imported / elapsed, 1) if elapsed else None,
                "import_seconds": round(elapsed, 2),
                "peak_memory_mib": round(peak / 2**20, 1),
                "second_run": second.counts(),
                "second_run_requests_logged": second_logged,
            }
        finally:
            if tracemalloc.is_tracing():
                tracemalloc.stop()
            server.stop()
            if merchant is not None:
                # Orders, lines, runs and cursors go with the stores (CASCADE).
                for store in merchant.stores.all():
                    store.delete()
                merchant.delete()

    def _print(self, result: dict) -> None:
        first, second = result["first_run"], result["second_run"]
        self.stdout.write(
            f"{result['orders_seeded']} orders seeded ({result['seed_seconds']} s), "
            f"{result['orders_imported']} eligible imported in {result['import_seconds']} s: "
            f"{result['orders_per_second']} orders/s"
        )
        self.stdout.write(
            f"  first run:  {first['acumatica_requests']} requests (sandbox log: "
            f"{result['first_run_requests_logged']}), {first['pages']} pages, "
            f"{result['requests_per_100_orders']} requests per 100 orders, "
            f"peak memory {result['peak_memory_mib']} MiB"
        )
        self.stdout.write(
            f"  second run (nothing new): {second['acumatica_requests']} request(s) (sandbox log: "
            f"{result['second_run_requests_logged']}), created {second['created']}, "
            f"updated {second['updated']}, unchanged {second['unchanged']}"
        )

    def _verdict(self, results: list[dict]) -> dict:
        checks = []
        ok = True
        for result in results:
            imported = result["orders_imported"]
            budget = imported / 100 + REQUEST_CONSTANT
            requests_made = result["first_run"]["acumatica_requests"]
            passed = requests_made <= budget and result["first_run"]["status"] == "succeeded"
            checks.append(
                f"{'PASS' if passed else 'FAIL'} {result['orders_seeded']} orders: "
                f"{requests_made} requests ≤ {imported}/100 + {REQUEST_CONSTANT}"
            )
            ok &= passed
            idle = result["second_run"]["acumatica_requests"]
            passed = idle == 1 and result["second_run_requests_logged"] == 1
            checks.append(
                f"{'PASS' if passed else 'FAIL'} nothing new costs exactly 1 request "
                f"(run: {idle}, sandbox log: {result['second_run_requests_logged']})"
            )
            ok &= passed
        if len(results) == 2:
            small, large = results
            ratio = large["peak_memory_mib"] / max(small["peak_memory_mib"], 0.1)
            passed = ratio < FLAT_RATIO
            checks.append(
                f"{'PASS' if passed else 'FAIL'} memory flat: peak {small['peak_memory_mib']} MiB "
                f"for {small['orders_seeded']} orders vs {large['peak_memory_mib']} MiB for "
                f"{large['orders_seeded']} (x{ratio:.2f}, limit x{FLAT_RATIO})"
            )
            ok &= passed
        return {"ok": ok, "checks": checks}

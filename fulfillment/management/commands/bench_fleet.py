"""A fleet of stores on many Acumatica instances, under a steady flow of orders and shipments.

Starts ``--instances`` sandboxes (each its own port), ``--merchants`` tenants owning ``--stores``
stores spread over the instances, this project's web app (push notifications and the
warehouse's API calls arrive over real HTTP) and Celery workers through the configured broker
and database: by default laid out as README's deployment, one worker per queue (interactive and
writeback on threads, import on prefork processes); ``--layout one`` runs one worker taking every
queue instead (``--workers`` processes, or threads with ``--pool threads``). Every store on an
instance imports its own order type, and its push destination's inquiry shows only that type,
so a store imports its own orders and hears only of them (as separate tenants would).

Then, for ``--minutes``, it places orders at ``--order-rate`` per second (round robin over the
stores, in the sandboxes' data control: push notifications tell the connector) and posts a
fulfillment of each order that became ready through the warehouse API at up to
``--fulfil-rate`` per second, while playing beat (the scheduled poll and the write-back sweep
every 30 s); then it waits up to ``--timeout`` seconds for what is left to drain.

Prints one JSON line: orders placed / imported / missing / twice, fulfillments posted / written
back / missing, Shipments written twice, throughput, the Celery queues' depth and the backlog
over time, p50/p99 order placed -> ready ("order_to_queue") and fulfillment posted -> written back
("fulfillment_to_confirmed"), 429s, CPU used by this process (sandboxes, web, load) and by the
workers, wall time. Exits 1 when nothing may be lost or twice, or the backlog grew (the fleet
did not keep up).
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ..fleet import ORDER_TYPES, Fleet

OPTIONS = (
    ("--stores", int, 500, "stores, spread over the instances"),
    ("--instances", int, 25, "sandbox instances, each on its own port"),
    ("--merchants", int, 50, "tenants owning the stores"),
    ("--order-rate", float, 30.0, "orders placed per second"),
    ("--fulfil-rate", float, 30.0, "fulfillments posted per second at most"),
    ("--minutes", float, 10.0, "how long the load lasts"),
    (
        "--layout",
        str,
        "queues",
        "queues: a worker per queue, as README's deployment (the three options below); "
        "one: one worker taking every queue (--workers, --pool)",
    ),
    ("--interactive-threads", int, 16, "with --layout queues: the interactive worker's threads"),
    ("--import-processes", int, 2, "with --layout queues: the import worker's processes"),
    ("--writeback-threads", int, 32, "with --layout queues: the writeback worker's threads"),
    ("--workers", int, 4, "with --layout one: processes (prefork), or threads (--pool threads)"),
    ("--pool", str, "prefork", "with --layout one: the worker's Celery pool, prefork or threads"),
    ("--page-size", int, 100, "import page size"),
    ("--action-duration", float, 0.3, "seconds the sandbox takes to confirm a Shipment"),
    ("--timeout", float, 300.0, "seconds to drain at the end (and for the first imports)"),
)


class Command(BaseCommand):
    help = "Drive many stores on many instances with orders and fulfillments; print figures."

    def add_arguments(self, parser):
        for name, kind, default, meaning in OPTIONS:
            parser.add_argument(name, type=kind, default=default, help=meaning)
        parser.add_argument(
            "--keep", action="store_true", help="leave the stores and their rows, to look into"
        )

    def handle(self, *args, **options):
        for name in (
            "stores",
            "instances",
            "merchants",
            "workers",
            "page_size",
            "interactive_threads",
            "import_processes",
            "writeback_threads",
        ):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1")
        if options["order_rate"] <= 0 or options["fulfil_rate"] <= 0 or options["minutes"] <= 0:
            raise CommandError("--order-rate, --fulfil-rate and --minutes must be positive")
        if options["pool"] not in ("prefork", "threads"):
            raise CommandError("--pool is prefork or threads")
        if options["layout"] not in ("queues", "one"):
            raise CommandError("--layout is queues or one")
        if options["stores"] > options["instances"] * len(ORDER_TYPES):
            raise CommandError(f"at most {len(ORDER_TYPES)} stores per instance")
        settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = True
        for name in ("connector", "celery", "django.request"):
            logging.getLogger(name).setLevel(logging.ERROR)
        result = Fleet(options).run()
        self.stdout.write(json.dumps(result))
        if not result["targets_met"]:
            raise SystemExit(1)

"""``python manage.py writeback_pending [--store STORE] [--now] [--workers N] [--keep-session]``:
write back pending fulfillments in the foreground, with the same code the worker runs, until
nothing is runnable. Prints one line per attempt and, on the last line, a JSON summary:
fulfillments written back, held, failed and still pending, attempts and Acumatica requests
(sign-outs included).

``--now`` ignores back-off timers (a fulfillment whose write may still be running in Acumatica
stays blocked all the same). At the end each store is signed out of Acumatica, freeing the
licence seat its OAuth grant holds between jobs (``--keep-session`` leaves it to the workers;
signed out, their next call signs in again with the refresh token).

Exit status: 0 nothing failed, 1 some fulfillment failed (its reason is printed).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from fulfillment.models import Fulfillment, FulfillmentStatus
from fulfillment.writeback.drain import writeback_drain

from .sync_store import find_store


class Command(BaseCommand):
    help = "Write back pending fulfillments now; JSON summary on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--store", help="only this store (id or name)")
        parser.add_argument("--now", action="store_true", help="do not wait for back-off timers")
        parser.add_argument(
            "--workers", type=int, default=1, help="attempts at once (threads; PostgreSQL)"
        )
        parser.add_argument(
            "--keep-session",
            action="store_true",
            help="do not sign the stores out at the end (workers are using their sessions)",
        )

    def handle(self, *args, **options):
        store = find_store(options["store"]) if options["store"] else None

        def progress(fulfillment: Fulfillment, done: int) -> None:
            fulfillment.refresh_from_db(fields=["status", "status_reason", "erp_shipment_nbr"])
            detail = (
                f"Shipment {fulfillment.erp_shipment_nbr}"
                if fulfillment.status == FulfillmentStatus.WRITTEN_BACK
                else fulfillment.status_reason
            )
            self.stderr.write(
                f"[{done}] {fulfillment.reference}: {fulfillment.status}"
                + (f" — {detail}" if detail else "")
            )

        summary = writeback_drain(
            store=store,
            ignore_due=options["now"],
            workers=max(1, options["workers"]),
            sign_out=not options["keep_session"],
            on_attempt=progress,
        )
        self.stdout.write(json.dumps(summary.as_dict()))
        if summary.failed:
            raise SystemExit(1)

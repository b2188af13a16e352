"""``python manage.py sync_store STORE [--full] [--since ISO-DATE]``: one import, in the
foreground. The last line printed is the run's counts as JSON.

Exit status: 0 the scan finished (records that failed to map are in the counts), 1 the run
stopped with an error, 2 it could not start (another import of the store is running)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from fulfillment.importing import import_store_run
from fulfillment.models import ImportTrigger
from stores.models import StoreConnection


def parse_since(text: str) -> dt.datetime:
    """An ISO date or date-time; without an offset it means UTC."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"--since: not an ISO date or date-time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def find_store(ref: str) -> StoreConnection:
    if ref.isdigit():
        store = StoreConnection.objects.filter(pk=int(ref)).first()
        if store:
            return store
    matches = list(StoreConnection.objects.select_related("merchant").filter(name__iexact=ref))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CommandError(f"No store with id or name {ref!r}.")
    listed = ", ".join(f"{s.pk} ({s.merchant.name})" for s in matches)
    raise CommandError(f"Several stores are named {ref!r}: use the id, one of {listed}.")


class Command(BaseCommand):
    help = "Import one store's open orders now and print the run's counts as JSON (last line)."

    def add_arguments(self, parser):
        parser.add_argument("store", help="store id or name")
        parser.add_argument(
            "--full",
            action="store_true",
            help="re-scan every open order instead of what changed since the cursor",
        )
        parser.add_argument(
            "--since",
            metavar="ISO-DATE",
            help="scan what changed since this date (e.g. 2025-01-31 or 2025-01-31T08:00Z)",
        )

    def handle(self, *args, **options):
        if options["full"] and options["since"]:
            raise CommandError("--full and --since exclude each other.")
        store = find_store(options["store"])
        since = parse_since(options["since"]) if options["since"] else None
        trigger = ImportTrigger.RESCAN if options["full"] else ImportTrigger.MANUAL
        self.stderr.write(f"Importing {store} ({'full re-scan' if options['full'] else 'now'})…")
        run = import_store_run(
            store_id=store.pk, trigger=trigger, full=options["full"], since=since
        )
        if run is None:
            self.stdout.write(
                json.dumps(
                    {
                        "store": store.pk,
                        "status": "not_started",
                        "error": "Another import of this store is running.",
                    }
                )
            )
            raise SystemExit(2)
        for item in run.failures[:20]:
            self.stderr.write(f"failed  {item['key']}: {item['reason']}")
        if run.error:
            self.stderr.write(f"error   {run.error}")
        self.stdout.write(json.dumps(run.counts()))
        if run.error:
            raise SystemExit(1)

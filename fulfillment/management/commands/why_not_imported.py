"""``python manage.py why_not_imported STORE NUMBER [--import]``: the console's "Why wasn't this
order imported?" from a shell — the live record walked through the import's rules — and, with
``--import``, the one order imported now (audited, via "cli").

Exit status: 0 it is here (or was just imported), 1 it is not (the checks say why), 2 Acumatica
could not be read."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fulfillment.importing import OrderKeyInvalid, order_diagnose, order_import_one
from stores.models import AuditEntry

from .sync_store import find_store

_MARK = {True: "ok  ", False: "NO  ", None: "info"}


class Command(BaseCommand):
    help = "Explain why an order (or shipment) was not imported; optionally import it now."

    def add_arguments(self, parser):
        parser.add_argument("store", help="store id or exact name")
        parser.add_argument("number", help="000123, SO/000123, or a shipment number")
        parser.add_argument(
            "--import", dest="do_import", action="store_true", help="import it now if it can be"
        )

    def handle(self, *args, store, number, do_import, **options):
        store = find_store(store)
        try:
            diagnosis = order_diagnose(store=store, key=number)
        except OrderKeyInvalid as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(diagnosis.conclusion)
        for check in diagnosis.checks:
            self.stdout.write(f"  [{_MARK[check.passed]}] {check.name}: {check.detail}")
        for step in diagnosis.must_change:
            self.stdout.write(f"  to do: {step}")
        if diagnosis.error:
            raise SystemExit(2)
        if do_import:
            if not diagnosis.can_import:
                self.stdout.write("Not imported: nothing an import now would add (see above).")
                raise SystemExit(0 if diagnosis.local_order else 1)
            result = order_import_one(
                store=store, key=number, actor="command line", via=AuditEntry.Via.CLI
            )
            self.stdout.write(f"Import now: {result.outcome}. {result.reason}")
            raise SystemExit(0 if result.ok else 1)
        raise SystemExit(0 if diagnosis.local_order else 1)

"""``python manage.py reconcile STORE [--since ISO] [--until ISO] [--everything]
[--backfill all|KIND[,KIND]]``: one reconciliation in the foreground, kept as a report like the
console's; with ``--backfill`` the differences of those kinds are then fixed one by one. The last
line printed is JSON: the report id, counts per stage, differences per kind, requests made and,
with --backfill, how many were fixed.

Kinds: not_imported, no_longer_eligible, no_shipment, shipment_differs. Exit status: 0 done
(differences or not), 1 Acumatica could not be read."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fulfillment.management.commands.sync_store import find_store, parse_since
from fulfillment.reconciliation import KINDS, daily_window

from ...reconciliation.models import BackfillState, ReportStatus
from ...reconciliation.services import reconciliation_backfill_now, reconciliation_run_now


def parse_kinds(text: str) -> list[str]:
    if text.strip() == "all":
        return list(KINDS)
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise CommandError(
            f"--backfill: {', '.join(unknown) or '(nothing)'} is not a kind; use all or some of "
            + ", ".join(KINDS)
        )
    return kinds


class Command(BaseCommand):
    help = "Reconcile one store with Acumatica now; optionally backfill what differs."

    def add_arguments(self, parser):
        parser.add_argument("store", help="store id or name")
        parser.add_argument("--since", metavar="ISO", help="window start (default: a day ago)")
        parser.add_argument("--until", metavar="ISO", help="window end (default: now)")
        parser.add_argument(
            "--everything", action="store_true", help="from the store's first record"
        )
        parser.add_argument("--backfill", metavar="KINDS", help="all, or kinds separated by commas")

    def handle(self, *args, **options):
        store = find_store(options["store"])
        kinds = parse_kinds(options["backfill"]) if options["backfill"] else []
        until = parse_since(options["until"]) if options["until"] else None
        if options["everything"]:
            since = None
        elif options["since"]:
            since = parse_since(options["since"])
        else:
            since = (until or timezone.now()) - daily_window()
        try:
            report = reconciliation_run_now(store=store, since=since, until=until)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if report.status != ReportStatus.FINISHED:
            self.stderr.write(f"Reconciliation {report.pk} failed: {report.error}")
            self._summary(report, None)
            raise SystemExit(1)
        for row in report.differences.order_by("kind", "id"):
            self.stdout.write(f"{row.kind}\t{row.document}\t{row.reason}")
        fixed = None
        if kinds:
            done = reconciliation_backfill_now(report=report, kinds=kinds)
            for row in done:
                self.stdout.write(f"backfill {row.kind}\t{row.document}\t{row.backfill_outcome}")
            fixed = {
                "done": len(done),
                "fixed": sum(1 for r in done if r.backfill_state == BackfillState.FIXED),
            }
        self._summary(report, fixed)

    def _summary(self, report, backfill) -> None:
        summary = {
            "report": report.pk,
            "store": report.store_id,
            "status": report.status,
            "since": report.window_since.isoformat() if report.window_since else None,
            "until": report.window_until.isoformat(),
            "counts": report.counts,
            "differences": report.difference_counts,
            "acumatica_requests": report.acumatica_requests,
            "keys_read": report.keys_read,
        }
        if backfill is not None:
            summary["backfill"] = backfill
        if report.error:
            summary["error"] = report.error
        self.stdout.write(json.dumps(summary, sort_keys=True))

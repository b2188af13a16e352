"""``python manage.py endpoint_cutover STORE [--to V] [--apply | --rollback]``: the upgrade
cut-over check of the store's endpoint version against the newest supported one its instance
has installed (or V): every field and action the connector uses compared, a dry-run import on
both versions compared record by record, the connection test on the new version. ``--apply``
switches when all of it is clean; ``--rollback`` puts back the version the last switch
replaced. Both are audited (via "cli"). Prints the report, then one JSON line."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from fulfillment.cutover import (
    CutoverRefused,
    endpoint_cutover_apply,
    endpoint_cutover_check,
    endpoint_cutover_rollback,
)
from fulfillment.management.commands.sync_store import find_store
from stores.models import AuditEntry

CLI = AuditEntry.Via.CLI


class Command(BaseCommand):
    help = (
        "Compare a store's endpoint version with the newest supported one installed (fields, "
        "actions, a dry-run import, the connection test); --apply switches when clean, "
        "--rollback undoes the last switch."
    )

    def add_arguments(self, parser):
        parser.add_argument("store", help="store id or name")
        parser.add_argument("--to", dest="target", help="the version to check or switch to")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--apply", action="store_true", help="switch when the check is clean")
        group.add_argument("--rollback", action="store_true", help="undo the last switch")

    def handle(self, *args, **options):
        store = find_store(options["store"].strip())
        if options["rollback"]:
            try:
                entry = endpoint_cutover_rollback(store=store, via=CLI)
            except CutoverRefused as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(entry.summary)
            self._json({"store": store.pk, "switched": entry.after["endpoint_version"]})
            return
        if options["apply"]:
            try:
                report, entry = endpoint_cutover_apply(
                    store=store, via=CLI, version=options["target"]
                )
            except CutoverRefused as exc:
                if exc.report is not None:
                    self._report(exc.report.as_dict())
                raise CommandError(f"Not switched: {exc}") from None
            summary = report.as_dict()
            self._report(summary)
            self.stdout.write(entry.summary)
            self._json({**_short(summary), "switched": report.target})
            return
        summary = endpoint_cutover_check(store=store, version=options["target"]).as_dict()
        self._report(summary)
        self._json(_short(summary))

    def _report(self, summary: dict) -> None:
        write = self.stdout.write
        write(f"Store {summary['store']}: Default/{summary['pinned']} → {summary['target']}")
        write(f"Installed: {', '.join(summary['installed']) or 'unknown'}")
        for change in summary["differences"]:
            write(
                f"  {change['entity']}.{change['field']}: {change['pinned']} → "
                f"{change['target']} ({change['note']})"
            )
        for line in summary["unused"]:
            write(f"  {line}")
        dry = summary["dry_run"]
        if dry:
            write(
                f"Dry run: {dry['identical']} identical, {len(dry['differing'])} differing, "
                f"{dry['imported_same']}/{dry['imported']} imported orders unchanged"
                + (" (sampled)" if dry["capped"] else "")
            )
        for reason in summary["reasons"]:
            write(f"  ✗ {reason}")
        write("Ready to switch." if summary["ready"] else "Not ready to switch.")

    def _json(self, data: dict) -> None:
        self.stdout.write(json.dumps(data, sort_keys=True))


def _short(summary: dict) -> dict:
    return {key: summary[key] for key in ("store", "pinned", "target", "ready", "reasons")} | {
        "differences": len(summary["differences"])
    }

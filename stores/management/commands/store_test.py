"""``python manage.py store_test STORE``: run a store's connection test from a shell or a
script, print every check with what to fix, and record the result on the store as the web UI
does (a failing test puts an active store in "needs attention")."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from stores.connection_test import ConnectionTestResult
from stores.models import AuditEntry, StoreConnection
from stores.services import store_connection_test

LABELS = {"pass": "PASS", "fail": "FAIL", "warn": "WARN", "skip": "SKIP"}


class Command(BaseCommand):
    help = (
        "Run the connection test of a store (its id, or its name) and print each check: status, "
        "title, what happened and, for a failure or a warning, what to fix. Exits 0 when no "
        "check failed: warnings (e.g. an order type with no orders yet) are printed but do not "
        "fail the test, and neither do checks skipped as not applicable. Exits 1 when a check "
        "failed. The result is recorded on the store."
    )

    def add_arguments(self, parser):
        parser.add_argument("store", help="the store's id, or its name (case-insensitive)")
        parser.add_argument(
            "--merchant", help="the merchant's name, when several merchants have a store so named"
        )
        parser.add_argument(
            "--json", action="store_true", help="print the checks as JSON instead of text"
        )

    def handle(self, *args, **options):
        store = self._store(options["store"], options["merchant"])
        result = store_connection_test(store=store, via=AuditEntry.Via.CLI)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"store": store.pk, "passed": result.passed, "checks": result.to_dicts()}
                )
            )
        else:
            self._print(store, result)
        if not result.passed:
            failed = sum(1 for c in result.checks if c.status == "fail")
            raise CommandError(
                f"The connection test of store {store.pk} failed: {failed} "
                f"check{'s' if failed != 1 else ''} failed.",
                returncode=1,
            )

    def _store(self, wanted: str, merchant: str | None) -> StoreConnection:
        stores = StoreConnection.objects.select_related("merchant")
        if merchant:
            stores = stores.filter(merchant__name__iexact=merchant.strip())
        if wanted.strip().isdigit():
            by_id = stores.filter(pk=int(wanted)).first()
            if by_id is not None:
                return by_id
        matches = list(stores.filter(name__iexact=wanted.strip()))
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise CommandError(f"No store has the id or name {wanted!r}.")
        listed = "\n".join(f"  {s.pk}: {s.merchant.name} / {s.name}" for s in matches)
        raise CommandError(
            f"{len(matches)} stores are named {wanted!r}; give the id (or --merchant):\n{listed}"
        )

    def _print(self, store: StoreConnection, result: ConnectionTestResult) -> None:
        self.stdout.write(f"Connection test of store {store.pk} ({store}), {store.instance_url}")
        styles = {
            "pass": self.style.SUCCESS,
            "fail": self.style.ERROR,
            "warn": self.style.WARNING,
            "skip": lambda text: text,
        }
        for check in result.checks:
            label = styles[check.status](f"[{LABELS[check.status]}]")
            self.stdout.write(f"  {label} {check.title}")
            self.stdout.write(f"         {check.message}")
            if check.fix and check.status in ("fail", "warn"):
                self.stdout.write(f"         Fix: {check.fix}")
        if result.passed:
            warnings = sum(1 for c in result.checks if c.status == "warn")
            noted = f" with {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
            self.stdout.write(self.style.SUCCESS(f"The connection test passed{noted}."))

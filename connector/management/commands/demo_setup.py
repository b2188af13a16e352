"""``python manage.py demo_setup``: the demo's merchant, logins and sandbox store (see
connector.demo_setup). ``manage.py demo`` runs it once the sandbox starts; it is safe to run
again at any time."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from connector.demo_setup import DEMO_LOGINS, demo_setup_run, sandbox_wait
from stores.models import StoreStatus
from stores.url_safety import private_addresses_allowed


class Command(BaseCommand):
    help = "Create the demo merchant, logins and a store connected to the running sandbox."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sandbox-url",
            default=f"http://127.0.0.1:{settings.SANDBOX_PORT}/AcumaticaERP",
            help="the sandbox's instance URL (default %(default)s)",
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=30.0,
            help="seconds to wait for the sandbox to answer (default %(default)s)",
        )

    def handle(self, *args, **options):
        url = options["sandbox_url"]
        if not private_addresses_allowed():
            raise CommandError(
                "The demo store points at the sandbox on 127.0.0.1: run this with "
                "CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS=true (manage.py demo does)."
            )
        if not sandbox_wait(url, timeout=options["wait"]):
            raise CommandError(
                f"The sandbox did not answer at {url}/entity within {options['wait']:.0f} s: "
                "the demo store was not set up. Its output above says why."
            )
        outcome = demo_setup_run(instance_url=url)
        store = outcome.store
        if outcome.test is None:
            self.stdout.write(f"Demo store {store} is paused: resume it to import orders.")
            return
        for check in outcome.test.checks:
            if check.status in ("fail", "warn"):
                self.stdout.write(f"  [{check.status.upper()}] {check.title}: {check.message}")
                self.stdout.write(f"         Fix: {check.fix}")
        if store.status == StoreStatus.ACTIVE:
            self.stdout.write(self.style.SUCCESS(f"Demo store {store} is connected and active."))
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Demo store {store} failed its connection test and stays "
                    f"{store.get_status_display().lower()}; see the checks above."
                )
            )
        logins = ", ".join(f"{login.username} / {login.password}" for login in DEMO_LOGINS)
        self.stdout.write(f"Demo logins: {logins}")

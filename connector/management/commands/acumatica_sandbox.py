"""``python manage.py acumatica_sandbox``: serve the Acumatica simulator in the foreground."""

from __future__ import annotations

import dataclasses
import signal

from django.core.management.base import BaseCommand

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the Acumatica sandbox (a simulator of the contract-based REST API) until Ctrl-C."

    def add_arguments(self, parser):
        defaults = SandboxConfig()
        parser.add_argument("--host", default=defaults.host)
        parser.add_argument("--port", type=int, default=8081)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--orders",
            type=int,
            default=defaults.orders,
            help="sales orders to seed (default %(default)s)",
        )
        parser.add_argument(
            "--site",
            default=defaults.site,
            help='virtual directory, e.g. "/AcumaticaERP"; "" for the web root',
        )
        parser.add_argument(
            "--tenant",
            action="append",
            dest="tenants",
            metavar="TENANT",
            help="a tenant login name; repeat for a multi-tenant instance",
        )
        parser.add_argument("--username", default=defaults.username)
        parser.add_argument("--password", default=defaults.password)
        parser.add_argument(
            "--client-id", default=None, help="Connected Application id, <GUID>@<Tenant>"
        )
        parser.add_argument("--client-secret", default=defaults.client_secret)
        parser.add_argument(
            "--max-sessions",
            type=int,
            default=defaults.max_sessions,
            help="licence: maximum concurrent API users (sessions)",
        )
        parser.add_argument(
            "--login-limit-status",
            type=int,
            choices=(429, 500),
            default=defaults.login_limit_status,
        )
        parser.add_argument(
            "--requests-per-minute",
            type=int,
            default=defaults.max_requests_per_minute,
            help="0 = unlimited",
        )
        parser.add_argument(
            "--concurrent-requests",
            type=int,
            default=defaults.max_concurrent_requests,
            help="0 = unlimited",
        )
        parser.add_argument(
            "--endpoint-version",
            action="append",
            dest="endpoint_versions",
            metavar="VERSION",
            help="an installed Default endpoint version; repeat",
        )
        parser.add_argument(
            "--hide-secrets",
            action="store_true",
            help="do not print the password and client secret (the demo keeps them out of its "
            "output, which may end up in logs)",
        )
        parser.add_argument(
            "--no-hold-shipments",
            action="store_true",
            help="new shipments start Open instead of On Hold",
        )

    def handle(self, *args, **options):
        defaults = SandboxConfig()
        tenants = options["tenants"] or defaults.tenants
        client_id = options["client_id"] or f"{defaults.client_id.split('@')[0]}@{tenants[0]}"
        config = dataclasses.replace(
            defaults,
            host=options["host"],
            port=options["port"],
            site=options["site"].rstrip("/"),
            seed=options["seed"],
            orders=options["orders"],
            tenants=tenants,
            username=options["username"],
            password=options["password"],
            client_id=client_id,
            client_secret=options["client_secret"],
            max_sessions=options["max_sessions"],
            login_limit_status=options["login_limit_status"],
            max_requests_per_minute=options["requests_per_minute"],
            max_concurrent_requests=options["concurrent_requests"],
            endpoint_versions=options["endpoint_versions"] or defaults.endpoint_versions,
            hold_shipments_on_entry=not options["no_hold_shipments"],
        )
        server = SandboxServer(config)
        # SIGTERM (from the demo supervisor or a service manager) stops it like Ctrl-C does.
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)

        def shown(secret: str) -> str:
            return "(hidden; see --help for how it is set)" if options["hide_secrets"] else secret

        endpoints = ", ".join(f"{config.endpoint_name}/{v}" for v in config.endpoint_versions)
        self.stdout.write(
            "Acumatica sandbox listening\n"
            f"  instance URL   {server.base_url}\n"
            f"  endpoints      {endpoints}\n"
            f"  tenant(s)      {', '.join(config.tenants)}\n"
            f"  username       {config.username}\n"
            f"  password       {shown(config.password)}\n"
            f"  client id      {config.client_id}\n"
            f"  client secret  {shown(config.client_secret)}\n"
            f"  control        {server.site_url}/_sandbox/state\n"
            f"  seeded         {config.orders} sales orders (seed {config.seed})"
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
            self.stdout.write("Acumatica sandbox stopped")

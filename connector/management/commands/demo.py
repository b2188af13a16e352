"""``python manage.py demo``: everything a first-time user needs, on embedded defaults.

Migrates the database, makes sure the demo logins exist, then runs the web UI, a Celery worker,
Celery beat and the Acumatica sandbox together until Ctrl-C, plus a one-shot ``demo_setup`` that
connects the demo store to the sandbox once it answers.
"""

from __future__ import annotations

import os
import socket
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from connector.demo_setup import DEMO_LOGINS, demo_logins_ensure
from connector.processes import ProcessSpec, Supervisor


class Command(BaseCommand):
    help = "Set up the demo and run web + worker + beat + Acumatica sandbox until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--sandbox-port", type=int, default=settings.SANDBOX_PORT)
        parser.add_argument("--sandbox-orders", type=int, default=200)

    def handle(self, *args, **options):
        port, sandbox_port = options["port"], options["sandbox_port"]
        for label, number in (("web", port), ("sandbox", sandbox_port)):
            if _port_in_use(number):
                raise CommandError(
                    f"Port {number} ({label}) is already in use. Stop what runs there or pick "
                    f"another with --{'port' if label == 'web' else 'sandbox-port'}."
                )
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Before anything starts, so that the logins in the banner work at once.
        demo_logins_ensure()
        sandbox_url = f"http://127.0.0.1:{sandbox_port}/AcumaticaERP"

        python = sys.executable
        specs = [
            ProcessSpec(
                "sandbox",
                [
                    python,
                    "manage.py",
                    "acumatica_sandbox",
                    "--port",
                    str(sandbox_port),
                    "--orders",
                    str(options["sandbox_orders"]),
                    "--hide-secrets",
                ],
            ),
            ProcessSpec(
                "setup",
                [python, "manage.py", "demo_setup", "--sandbox-url", sandbox_url],
                one_shot=True,
            ),
            ProcessSpec(
                "web", [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
            ),
            ProcessSpec(
                "worker",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "connector",
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--pool",
                    "threads",
                    "--concurrency",
                    "4",
                    "--hostname",
                    "demo@%h",
                    # Every queue; interactive first: its jobs are the ones someone waits for.
                    "--queues",
                    "interactive,celery,import,writeback,events",
                ],
            ),
            ProcessSpec(
                "beat",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "connector",
                    "beat",
                    "--loglevel",
                    "INFO",
                    "--schedule",
                    str(settings.CELERY_BEAT_SCHEDULE_FILENAME),
                ],
            ),
        ]
        env = {
            **os.environ,
            "CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS": "true",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "true"),
        }
        logins = "".join(
            f"  Sign in as    {login.username} / {login.password}   ({login.who})\n"
            for login in DEMO_LOGINS
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Web UI        http://127.0.0.1:{port}/\n"
                f"{logins}"
                f"  Admin         http://127.0.0.1:{port}/admin/\n"
                f"  Sandbox       {sandbox_url}   (its credentials: README, "
                '"Trying the wizard")\n'
                f"{private_urls_line(settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS)}"
                "  Press Ctrl-C to stop everything.\n"
            )
        )
        sys.exit(Supervisor(specs, env=env).run())


def private_urls_line(configured: bool) -> str:
    """The banner's word on private Instance URLs: the demo allows them whatever the settings
    say (its stores live on the sandbox at 127.0.0.1), and says so when that overrides them."""
    if configured:
        return "  Private URLs  allowed (CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS=true)\n"
    return (
        "  Private URLs  allowed in this demo only, so that its stores reach the sandbox\n"
        "                on 127.0.0.1; your settings say\n"
        "                CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS=false, which every other\n"
        "                command (runserver, celery, gunicorn) keeps\n"
    )


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0

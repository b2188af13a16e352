"""``python manage.py store_add``: add a store connection from a shell or a script, checked the
same way as the Add Connection wizard.

The client secret and the password are read from ACUMATICA_CLIENT_SECRET and ACUMATICA_PASSWORD
only: on the command line they would end up in shell history and in every process listing.
The new store's id is the last line printed, for scripts.
"""

from __future__ import annotations

import os

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from stores.models import AuditEntry, StoreConnection
from stores.services import merchant_get_or_create, store_activate, store_create
from stores.validation import store_field_errors

SECRET_VARIABLES = {
    "client_secret": "ACUMATICA_CLIENT_SECRET",
    "password": "ACUMATICA_PASSWORD",
}
# Store field -> the option that sets it, so that every error names what to change.
TEXT_OPTIONS = {
    "instance_url": "--instance-url",
    "client_id": "--client-id",
    "username": "--username",
    "tenant": "--tenant",
    "endpoint_name": "--endpoint-name",
    "endpoint_version": "--endpoint-version",
    "order_type": "--order-type",
    "default_warehouse": "--warehouse",
    "oauth_scope": "--scope",
}
OPTION_OF_FIELD = {"merchant": "--merchant", "name": "--name", **TEXT_OPTIONS, **SECRET_VARIABLES}


def _default(field: str):
    return StoreConnection._meta.get_field(field).default


class Command(BaseCommand):
    help = (
        "Add an Acumatica store connection (a draft; --activate tests it and activates it when "
        "the test passes). The client secret and password are read from the environment "
        "variables ACUMATICA_CLIENT_SECRET and ACUMATICA_PASSWORD. Prints the store id last."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # No prefix matching: an option that is not declared (say --client-secret) must be
        # refused, never guessed into one that is.
        parser.allow_abbrev = False
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--merchant", required=True, help="created when it does not exist")
        parser.add_argument("--name", required=True, help="the store's name for this merchant")
        parser.add_argument(
            "--instance-url", required=True, help="e.g. https://erp.example.com/AcumaticaERP"
        )
        parser.add_argument("--client-id", required=True, help="<GUID>@<Tenant>")
        parser.add_argument("--username", required=True, help="the integration user")
        parser.add_argument("--tenant", default="", help="only for multi-tenant instances")
        parser.add_argument("--endpoint-name", default=_default("endpoint_name"))
        parser.add_argument("--endpoint-version", default=_default("endpoint_version"))
        parser.add_argument("--order-type", default=_default("order_type"))
        parser.add_argument("--warehouse", default="", help="default warehouse ID")
        parser.add_argument("--scope", default=_default("oauth_scope"), help="OAuth scope")
        parser.add_argument(
            "--shipment-mode",
            action="store_true",
            help="import open Shipments instead of Sales Orders",
        )
        parser.add_argument(
            "--package-contents",
            action="store_true",
            help="send per-package line allocation with tracking updates",
        )
        parser.add_argument(
            "--activate",
            action="store_true",
            help="run the connection test and activate the store when it passes",
        )

    def handle(self, *args, **options):
        secrets = self._secrets_from_environment()
        typed = {
            field: options[option[2:].replace("-", "_")].strip()
            for field, option in TEXT_OPTIONS.items()
        }
        self._stop_on_errors(store_field_errors(typed))
        fields = {
            **typed,
            "shipment_mode": options["shipment_mode"],
            "include_package_contents": options["package_contents"],
        }
        try:
            # The merchant is created only together with its store.
            with transaction.atomic():
                merchant = merchant_get_or_create(name=options["merchant"])
                store = store_create(
                    merchant=merchant,
                    name=options["name"],
                    via=AuditEntry.Via.CLI,
                    **secrets,
                    **fields,
                )
        except ValidationError as exc:
            by_field = exc.message_dict if hasattr(exc, "error_dict") else {}
            self._stop_on_errors(by_field or {NON_FIELD_ERRORS: exc.messages})
        self.stdout.write(f"Created store {store} as a draft.")
        refusal = self._test_and_activate(store) if options["activate"] else None
        self.stdout.write(str(store.pk))
        if refusal:
            raise CommandError(refusal)

    def _secrets_from_environment(self) -> dict[str, str]:
        secrets = {field: os.environ.get(name, "") for field, name in SECRET_VARIABLES.items()}
        missing = [SECRET_VARIABLES[field] for field, value in secrets.items() if not value]
        if missing:
            raise CommandError(
                f"Set {' and '.join(missing)} in the environment: secrets are never taken from "
                "the command line, where shell history and process listings would keep them."
            )
        return secrets

    def _stop_on_errors(self, errors: dict[str, list[str]]) -> None:
        if not errors:
            return
        for field, messages in errors.items():
            label = OPTION_OF_FIELD.get(field, "" if field == NON_FIELD_ERRORS else field)
            for message in messages:
                self.stderr.write(f"{label}: {message}" if label else message)
        raise CommandError("The store was not created: correct the values above.")

    def _test_and_activate(self, store: StoreConnection) -> str | None:
        """Run the connection test (printed by store_test, so that both commands report it
        alike); activate on a pass. The reason for refusing, or None."""
        try:
            call_command("store_test", str(store.pk), stdout=self.stdout, stderr=self.stderr)
        except CommandError:
            return (
                f"The connection test failed, so store {store.pk} stays a draft: fix what it "
                "reports, then test and activate it on the store's page (`manage.py store_test "
                f"{store.pk}` tests it again from here)."
            )
        store.refresh_from_db()
        store_activate(store=store, via=AuditEntry.Via.CLI)
        self.stdout.write(self.style.SUCCESS(f"Store {store.pk} is active."))
        return None

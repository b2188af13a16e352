"""``python manage.py create_api_token --name NAME (--merchant NAME ... | --all-merchants)``: a
token for the warehouse API. The key is printed once, on the last line; only its hash is stored.
``--revoke NAME`` revokes a token instead (requests with it get 401 from then on)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fulfillment.api.tokens import api_token_create, api_token_revoke
from stores.models import Merchant

# Who the audit log names: the command line has no signed-in user.
CLI_ACTOR = "manage.py create_api_token"


class Command(BaseCommand):
    help = (
        "Create an API token for the warehouse system and print its key (once: only a hash is "
        "kept). Say whom it serves: --merchant (repeatable) for only those merchants' stores, "
        "orders and fulfillments, or --all-merchants for every merchant, present and future. "
        "--revoke NAME revokes a token."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--name", help="a name to recognise the token by, e.g. 'WMS prod'")
        action.add_argument("--revoke", metavar="NAME", help="revoke the token of this name")
        parser.add_argument(
            "--merchant",
            action="append",
            default=[],
            metavar="NAME",
            help="the token serves this merchant (repeat for several)",
        )
        parser.add_argument(
            "--all-merchants",
            action="store_true",
            help="the token serves every merchant, present and future (3PL-wide)",
        )

    def handle(self, *args, **options):
        if options["revoke"]:
            if options["merchant"] or options["all_merchants"]:
                raise CommandError("--merchant and --all-merchants go with --name, not --revoke.")
            token = self._call(api_token_revoke, name=options["revoke"], actor=CLI_ACTOR)
            self.stdout.write(f"Revoked {token} at {token.revoked_at:%Y-%m-%d %H:%M:%S %Z}.")
            return
        merchants = []
        for wanted in options["merchant"]:
            merchant = Merchant.objects.filter(name__iexact=wanted.strip()).first()
            if merchant is None:
                known = ", ".join(Merchant.objects.values_list("name", flat=True)) or "none"
                raise CommandError(f"No merchant is named {wanted!r} (merchants: {known}).")
            merchants.append(merchant)
        token, key = self._call(
            api_token_create,
            name=options["name"],
            merchants=merchants,
            all_merchants=options["all_merchants"],
            actor=CLI_ACTOR,
        )
        scope = "every merchant" if token.all_merchants else ", ".join(m.name for m in merchants)
        self.stdout.write(f"Created API token {token.name!r} for {scope}.")
        self.stdout.write("The key is shown this once; send it as 'Authorization: Token <key>':")
        self.stdout.write(key)

    @staticmethod
    def _call(service, **kwargs):
        try:
            return service(**kwargs)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None

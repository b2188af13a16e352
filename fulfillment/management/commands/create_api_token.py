"""``python manage.py create_api_token --name NAME [--merchant NAME ...]``: a token for the
warehouse API. The key is printed once, on the last line; only its hash is stored.
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
        "kept). With --merchant (repeatable) the token sees only those merchants' stores, "
        "orders and fulfillments; without, all of them. --revoke NAME revokes a token."
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
            help="limit the token to this merchant (repeat for several)",
        )

    def handle(self, *args, **options):
        if options["revoke"]:
            if options["merchant"]:
                raise CommandError("--merchant goes with --name, not --revoke.")
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
            api_token_create, name=options["name"], merchants=merchants, actor=CLI_ACTOR
        )
        scope = ", ".join(m.name for m in merchants) or "every merchant"
        self.stdout.write(f"Created API token {token.name!r} for {scope}.")
        self.stdout.write("The key is shown this once; send it as 'Authorization: Token <key>':")
        self.stdout.write(key)

    @staticmethod
    def _call(service, **kwargs):
        try:
            return service(**kwargs)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None

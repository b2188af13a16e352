"""``python manage.py rotate_credentials_key``: re-encrypt every stored secret with the newest
key in CONNECTOR_CREDENTIALS_KEYS, so that older keys can be removed.

``--generate`` prints a new key and the steps to install it.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from stores import crypto
from stores.audit import audit_record
from stores.credentials import store_secrets_rotate_all
from stores.models import AuditEntry

INSTALL_STEPS = """\
To start using it:
  1. Put it FIRST in {setting}, keeping the current key(s) after it:
       {setting}={key},<current key>
  2. Restart the web, worker and beat processes (new secrets are then encrypted with it).
  3. Run: python manage.py rotate_credentials_key
  4. Remove the old key from {setting} and restart again."""


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored Acumatica secret with the newest key in "
        "CONNECTOR_CREDENTIALS_KEYS (all or nothing). --generate prints a new key."
    )
    # The start-up checks refuse to run without a valid key, and --generate is how one gets a
    # key in the first place; the rotation itself checks the keys as it goes.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--generate",
            action="store_true",
            help="print a new Fernet key and how to install it; changes nothing",
        )

    def handle(self, *args, **options):
        if options["generate"]:
            key = crypto.generate_key()
            self.stdout.write(key)
            self.stdout.write(INSTALL_STEPS.format(setting=crypto.KEYS_SETTING, key=key))
            return
        try:
            crypto.check_keys()
            rotated = store_secrets_rotate_all()
        except (ImproperlyConfigured, crypto.CredentialsKeyError) as exc:
            raise CommandError(str(exc)) from None
        audit_record(
            actor=None,
            action="credentials.rotate_key",
            summary=f"Re-encrypted {rotated} stored secrets with the newest credentials key.",
            via=AuditEntry.Via.CLI,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {rotated} stored secret{'s' if rotated != 1 else ''} with the "
                f"newest key. Keys after the first in {crypto.KEYS_SETTING} can now be removed."
            )
        )

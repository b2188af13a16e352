"""Start-up checks: a missing or wrong credentials key stops the service loudly instead of
letting it store secrets it cannot read back (or read garbage)."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from . import crypto


def credentials_key_errors() -> list[str]:
    try:
        crypto.check_keys()
    except ImproperlyConfigured as exc:
        return [str(exc)]
    from .models import StoreSecrets

    try:
        sample = (
            StoreSecrets.objects.exclude(password="").values_list("password", flat=True).first()
        )
    except DatabaseError:
        return []  # not migrated yet: nothing stored to check against
    if sample:
        try:
            crypto.decrypt(sample)
        except crypto.CredentialsKeyError as exc:
            return [str(exc)]
    return []


@checks.register(checks.Tags.security, deploy=False)
def check_credentials_keys(app_configs=None, databases=None, **kwargs):
    if not databases:
        # Without database access only the key format can be checked.
        try:
            crypto.check_keys()
        except ImproperlyConfigured as exc:
            return [checks.Error(str(exc), id="stores.E001")]
        return []
    return [checks.Error(message, id="stores.E002") for message in credentials_key_errors()]

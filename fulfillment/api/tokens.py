"""API tokens: created with a key shown once, stored as its sha256, revoked by name."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from stores.audit import audit_record
from stores.models import AuditEntry, Merchant

from ..models import ApiToken

# Recognisable in logs and by secret scanners; the rest is 256 random bits.
KEY_PREFIX = "a3pl_"
# last_used_at is for people ("is this token still in use?"): a write per request is waste.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenRefused(Exception):
    """The presented key is unknown or revoked; the message is safe to show the caller."""


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *,
    name: str,
    merchants: list[Merchant] | None = None,
    all_merchants: bool = False,
    actor=None,
    via: str = AuditEntry.Via.CLI,
) -> tuple[ApiToken, str]:
    """A new token and its key. The key is not stored: show it once. Audited (never the key
    nor its hash). Its scope is explicit: the ``merchants`` it serves, or ``all_merchants``
    (every merchant, present and future); never both, never neither."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Give the token a name of 1 to 100 characters."})
    merchants = list(merchants or [])
    if all_merchants and merchants:
        raise ValidationError(
            {"merchants": "A token serves either the merchants named or every merchant."}
        )
    if not all_merchants and not merchants:
        raise ValidationError(
            {
                "merchants": "Name the merchants this token serves (--merchant), or make it a "
                "token for every merchant (--all-merchants)."
            }
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    scope = "every merchant" if all_merchants else ", ".join(m.name for m in merchants)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                name=name, prefix=key[:12], key_hash=key_hash(key), all_merchants=all_merchants
            )
            token.merchants.set(merchants)
            audit_record(
                actor=actor,
                action="api_token.create",
                summary=f"API token {name!r} created for {scope}.",
                target=token,
                after={
                    "name": name,
                    "merchants": [m.name for m in merchants],
                    "all_merchants": all_merchants,
                },
                via=via,
            )
    except IntegrityError:
        raise ValidationError({"name": f"A token named {name!r} exists already."}) from None
    return token, key


def api_token_revoke(*, name: str, actor=None, via: str = AuditEntry.Via.CLI) -> ApiToken:
    """Revoke the token of this name (repeating it changes nothing). Audited."""
    token = ApiToken.objects.filter(name=(name or "").strip()).first()
    if token is None:
        raise ValidationError({"name": f"No token is named {name!r}."})
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="api_token.revoke",
                summary=f"API token {token.name!r} revoked.",
                target=token,
                before={"revoked_at": None},
                after={"revoked_at": token.revoked_at},
                via=via,
            )
    return token


def api_token_authenticate(*, key: str) -> ApiToken:
    """The active token for this key, else TokenRefused. Looking the hash up by its unique
    index is the comparison: no timing difference leaks which characters of a key were right."""
    token = ApiToken.objects.filter(key_hash=key_hash(key)).first()
    if token is None:
        raise TokenRefused("Invalid token.")
    if token.revoked_at is not None:
        raise TokenRefused("This token was revoked; ask the 3PL for a new one.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def merchant_ids_for_token(token: ApiToken) -> list[int] | None:
    """None: every merchant (a token made for all merchants); else the token's merchants (a
    token whose merchants were all deleted sees nothing)."""
    cached = getattr(token, "_merchant_ids", False)
    if cached is False:
        cached = None if token.all_merchants else list(token.merchants.values_list("id", flat=True))
        token._merchant_ids = cached
    return cached

"""Reads of credentials links: the open link a token names (or None, whatever is wrong with
it), a store's links, and when its merchant last provided the credentials."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..models import CredentialHandoff, StoreConnection, StoreStatus
from .tokens import MAX_TOKEN_LENGTH, token_hash, token_matches


def handoff_open_for_token(
    *, token: str, now: dt.datetime | None = None
) -> CredentialHandoff | None:
    """The link if ``token`` opens it now, else None: unknown, used, revoked, expired and a
    store no longer in draft all look the same to the caller (and so to whoever holds it)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = now or timezone.now()
    handoff = (
        CredentialHandoff.objects.select_related("store", "store__merchant")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if handoff is None or not token_matches(token, handoff.token_hash):
        return None
    if not handoff.is_open(now) or handoff.store.status != StoreStatus.DRAFT:
        return None
    return handoff


def handoffs_of_store(*, store: StoreConnection) -> list[CredentialHandoff]:
    return list(CredentialHandoff.objects.filter(store=store).select_related("created_by"))


def handoff_last_provided(*, store: StoreConnection) -> CredentialHandoff | None:
    """The link through which the merchant last provided this store's credentials."""
    return (
        CredentialHandoff.objects.filter(store=store, used_at__isnull=False)
        .order_by("-used_at")
        .first()
    )


def handoff_open_of_store(
    *, store: StoreConnection, now: dt.datetime | None = None
) -> CredentialHandoff | None:
    now = now or timezone.now()
    return (
        CredentialHandoff.objects.filter(
            store=store, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at")
        .first()
    )

"""Reads for the store pages that are more than one access check: a store's Acumatica usage
against its licence, and the merchant a wizard session names. Nothing here writes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from . import access
from .calls import calls_since, peak_requests_per_minute
from .models import AcumaticaCall, Merchant, StoreConnection, StoreSecrets

RECENT_CALLS = 20


def store_licence_usage(*, store: StoreConnection, now: dt.datetime | None = None) -> dict:
    """The store's Acumatica usage in the last hour against its licence limits (blank limits:
    unknown). Open sessions come from the stored token's expiry alone: nothing is decrypted."""
    now = now or timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    calls = calls_since(since=hour_ago, store_ids=[store.pk])
    return {
        "requests_last_hour": calls.count(),
        "throttled_last_hour": calls.filter(status=429).count(),
        "failed_last_hour": calls.filter(Q(status__gte=400) | Q(status__isnull=True)).count(),
        "peak_per_minute": peak_requests_per_minute(store_id=store.pk, since=hour_ago),
        "open_sessions": int(
            StoreSecrets.objects.filter(store=store, access_token_expires_at__gt=now).exists()
        ),
        "recent_calls": list(AcumaticaCall.objects.filter(store=store)[:RECENT_CALLS]),
    }


def merchant_for(*, user, merchant_id) -> Merchant | None:
    """The merchant if the user may see it, else None (gone, or someone else's)."""
    if not merchant_id:
        return None
    return access.merchants_for(user).filter(pk=merchant_id).first()

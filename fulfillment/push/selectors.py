"""Reads of push notifications: what a store's set-up page and the dashboard show."""

from __future__ import annotations

from stores.models import StoreConnection

from ..models import PushEndpoint, PushNotification

RECENT = 20


def push_overview(store: StoreConnection) -> dict:
    endpoint = PushEndpoint.objects.filter(store=store).first()
    recent = list(PushNotification.objects.filter(store=store).order_by("-received_at")[:RECENT])
    return {"endpoint": endpoint, "recent": recent}


def last_push_received(store_ids) -> dict[int, object]:
    """Store id -> when its last push notification arrived (stores without a webhook absent)."""
    return dict(
        PushEndpoint.objects.filter(store_id__in=store_ids).values_list(
            "store_id", "last_received_at"
        )
    )

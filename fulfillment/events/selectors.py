"""Reads for the webhook pages and the alert evaluator. Everything a user reads goes through
their merchants (``stores.access.merchant_ids_for``): another merchant's subscription,
delivery or event does not exist for them (404)."""

from __future__ import annotations

import uuid

from django.db.models import Count, QuerySet
from django.http import Http404

from stores.access import merchant_ids_for

from ..models import (
    DeliveryStatus,
    EventDelivery,
    EventKind,
    EventSubscription,
    OutboundEvent,
)


def _mine(queryset: QuerySet, user, field: str = "merchant_id") -> QuerySet:
    ids = merchant_ids_for(user)
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def subscriptions_for(user) -> QuerySet[EventSubscription]:
    return _mine(EventSubscription.objects.select_related("merchant"), user).order_by(
        "merchant__name", "id"
    )


def subscription_for(user, subscription_id) -> EventSubscription:
    found = subscriptions_for(user).filter(pk=subscription_id).first()
    if found is None:
        raise Http404("No such subscription.")
    return found


def deliveries_for(
    user, *, subscription: EventSubscription | None = None, status: str = ""
) -> QuerySet[EventDelivery]:
    deliveries = _mine(
        EventDelivery.objects.select_related("event", "event__store", "subscription").annotate(
            attempt_count=Count("attempts")
        ),
        user,
        "subscription__merchant_id",
    )
    if subscription is not None:
        deliveries = deliveries.filter(subscription=subscription)
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-id")


def delivery_for(user, delivery_id) -> EventDelivery:
    found = deliveries_for(user).filter(pk=delivery_id).first()
    if found is None:
        raise Http404("No such delivery.")
    return found


def events_for(user, *, kind: str = "") -> QuerySet[OutboundEvent]:
    events = _mine(OutboundEvent.objects.select_related("store"), user)
    if kind in EventKind.values:
        events = events.filter(kind=kind)
    return events.order_by("-created_at", "-sequence")


def event_for(user, event_id) -> OutboundEvent:
    try:
        key = uuid.UUID(str(event_id))
    except ValueError:
        raise Http404("No such event.") from None
    found = events_for(user).filter(pk=key).first()
    if found is None:
        raise Http404("No such event.")
    return found


def subscriptions_disabled_by_failures() -> list[EventSubscription]:
    """What the console's alert is about: subscriptions the connector (not a person) disabled."""
    return list(
        EventSubscription.objects.filter(active=False, disabled_by_failures=True)
        .select_related("merchant")
        .order_by("disabled_at", "id")
    )

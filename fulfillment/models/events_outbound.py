"""Events for the warehouse: what happened (``OutboundEvent``, written in the same transaction
as the change: an outbox), who wants to hear of it (``EventSubscription``: a URL and a signing
secret per merchant), and each try to tell them (``EventDelivery`` per event and subscription,
``EventAttempt`` per HTTP request). Written by ``fulfillment.events``; the webhook pages and the
event feed (``GET /api/v1/events``) read them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from stores.models import Merchant, StoreConnection


class EventKind(models.TextChoices):
    ORDER_READY = "order.ready", "Order ready for the warehouse"
    ORDER_CHANGED_AT_SOURCE = "order.changed_at_source", "Order changed in Acumatica"
    ORDER_CANCELLED_AT_SOURCE = "order.cancelled_at_source", "Order cancelled in Acumatica"
    ORDER_ON_HOLD = "order.on_hold", "Order put on hold in Acumatica"
    ORDER_RELEASED = "order.released", "Order released in Acumatica (back in the queue)"
    ORDER_CLOSED_AT_SOURCE = "order.closed_at_source", "Order closed in Acumatica"
    FULFILLMENT_WRITTEN_BACK = "fulfillment.written_back", "Fulfillment written back"
    FULFILLMENT_FAILED = "fulfillment.failed", "Fulfillment write-back failed"
    FULFILLMENT_HELD = "fulfillment.held", "Fulfillment write-back held"
    STORE_NEEDS_ATTENTION = "store.needs_attention", "Store needs attention"


class OutboundEvent(models.Model):
    """One thing the warehouse may want to know, recorded with the change that caused it.

    ``id`` is the event's identity everywhere (the ``webhook-id`` header, the feed's ``id``):
    retries and replays send the same one. ``sequence`` is its place in the feed, given after
    commit in commit order (``fulfillment.events.feed``), so a poller that keeps its cursor
    never skips an event committed late by a long transaction."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sequence = models.BigIntegerField(null=True, blank=True, unique=True)
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey(
        StoreConnection, on_delete=models.CASCADE, related_name="outbound_events"
    )
    order = models.ForeignKey(
        "fulfillment.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fulfillment = models.ForeignKey(
        "fulfillment.Fulfillment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The kind's documented data (fulfillment.events.payloads), as sent.
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["merchant", "sequence"], name="event_merchant_sequence"),
            models.Index(
                fields=["created_at"],
                condition=Q(sequence__isnull=True),
                name="event_unsequenced",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class EventFeedPosition(models.Model):
    """The last feed position given (one row): locked while positions are given, so they are
    committed in ascending order."""

    last_sequence = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"feed at {self.last_sequence}"


class EventSubscription(models.Model):
    """A merchant's receiver: where events are POSTed, signed with its secret (Standard
    Webhooks). The secret is stored encrypted (stores.crypto) and shown once; after a rotation
    the previous one still signs (a second signature) until ``previous_secret_until``."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Event kinds sent; empty: every kind.
    kinds = models.JSONField(default=list, blank=True)
    secret_encrypted = models.TextField()
    # The secret's first characters, to recognise it ("whsec_ab12…").
    secret_hint = models.CharField(max_length=20)
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # True when the connector disabled it (a day of failures), not a person: the alert's cause.
    disabled_by_failures = models.BooleanField(default=False)
    # The first failed attempt since the last success: a day of it disables the subscription.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["merchant_id", "id"]
        indexes = [models.Index(fields=["merchant", "active"], name="subscription_merchant")]

    def __str__(self) -> str:
        return f"webhook {self.pk} of merchant {self.merchant_id}: {self.url}"

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class EventDelivery(models.Model):
    """One event to one subscription: pending until a 2xx (retried with back-off on 5xx,
    timeouts, connection errors and 429), failed at once on another 4xx. A worker holds it with
    a lease while it sends; the sweep re-queues pending ones whose job was lost."""

    event = models.ForeignKey(OutboundEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        EventSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    due_at = models.DateTimeField(default=timezone.now)
    lease_holder = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Failed attempts since the last replay: the back-off's exponent.
    failures = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"], name="delivery_once_per_subscription"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status="pending"),
                name="delivery_pending_due",
            ),
            models.Index(fields=["subscription", "-created_at"], name="delivery_subscription"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.status})"


class EventAttempt(models.Model):
    """One POST of a delivery: written before it is sent (RUNNING) and finished after, with
    the answer's status code, how long it took and what went wrong."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        DELIVERED = "delivered", "Delivered"
        RETRY = "retry", "Will retry"
        FAILED = "failed", "Failed, no retry"

    delivery = models.ForeignKey(EventDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # The start of the receiver's answer, for the person debugging it.
    response_excerpt = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["delivery_id", "number"]
        indexes = [models.Index(fields=["delivery", "number"], name="event_attempt_delivery")]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}: {self.outcome}"

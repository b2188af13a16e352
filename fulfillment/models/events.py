"""The order timeline: one row per thing that happened to an order, in the order it happened.

Written by the services that make those things happen (import binder, acknowledging, recording a
fulfillment, write-back attempts, operator actions) through ``fulfillment.timeline``; read by the
order page. Append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .orders import Order


class OrderEventKind(models.TextChoices):
    IMPORTED = "imported", "Imported"
    UPDATED = "updated", "Updated from Acumatica"
    CHANGED_AT_SOURCE = "changed_at_source", "Changed in Acumatica after the warehouse took it"
    STATUS_AT_SOURCE = "status_at_source", "Status changed in Acumatica"
    ACKNOWLEDGED = "acknowledged", "Picked up by the warehouse"
    FULFILLMENT_RECEIVED = "fulfillment_received", "Fulfillment received"
    WRITEBACK_ATTEMPT = "writeback_attempt", "Write-back attempt"
    SHIPMENT_CREATED = "shipment_created", "Acumatica shipment recorded"
    WRITTEN_BACK = "written_back", "Written back"
    ACTION = "action", "Operator action"
    ERROR = "error", "Error"


class OrderEvent(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30, choices=OrderEventKind.choices)
    summary = models.CharField(max_length=500)
    # Kind-specific facts: changed fields, attempt outcome and Acumatica's field messages, ...
    detail = models.JSONField(default=dict, blank=True)
    fulfillment = models.ForeignKey(
        "fulfillment.Fulfillment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    import_run = models.ForeignKey(
        "fulfillment.ImportRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # True for errors and failed attempts: the timeline marks them.
    is_error = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.order}: {self.summary}"

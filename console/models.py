"""Alerts: what is wrong with a store (or the whole service), grouped by cause.

One open alert per (store, cause) however many failures feed it; ``occurrences`` counts them.
The causes, and what is said about each, are in ``console.causes``.
``console.alerts`` opens, refreshes and closes alerts from the current state of stores, imports
and write-backs, so an alert closes by itself when its cause clears. Emails go out in batches
(``notified_at`` / ``closed_notified_at`` say which alerts are already in one).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from stores.models import StoreConnection

from .causes import AlertCause, cause_action_label
from .reconciliation.models import (  # noqa: F401  (models of the console app)
    ReconciliationDifference,
    ReconciliationReport,
)

__all__ = ["Alert", "AlertCause", "AlertSeverity"]


class AlertSeverity(models.TextChoices):
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


class Alert(models.Model):
    # Null for service-wide alerts (scheduler down): only 3PL staff see those.
    store = models.ForeignKey(
        StoreConnection, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    cause = models.CharField(max_length=40, choices=AlertCause.choices)
    severity = models.CharField(
        max_length=10, choices=AlertSeverity.choices, default=AlertSeverity.WARNING
    )
    title = models.CharField(max_length=300)
    # The latest failure's own words (Acumatica's message, the run's error).
    detail = models.TextField(blank=True)
    # What to do about it, and where.
    action_hint = models.CharField(max_length=500, blank=True)
    action_url = models.CharField(max_length=300, blank=True)
    occurrences = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=300, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    closed_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "cause"],
                condition=Q(closed_at__isnull=True),
                name="alert_one_open_per_store_cause",
            ),
        ]
        indexes = [models.Index(fields=["closed_at", "store"])]

    def __str__(self) -> str:
        return f"{self.title} ({'open' if self.is_open else 'closed'})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def action_label(self) -> str:
        """The label of the button that follows ``action_url``."""
        return cause_action_label(self.cause)

"""Reconciliation reports: what one reconciliation of one store found, kept
CONNECTOR_RECONCILIATION_RETENTION_DAYS days.

One row per report (window, counts per stage, cost) and one row per difference, so a report
with thousands of differences pages, exports and backfills a selection by row id, and each row
keeps what its backfill did."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from stores.models import StoreConnection


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class ReportTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Daily"
    MANUAL = "manual", "Asked for"
    COMMAND = "command", "Command line"


class DifferenceKind(models.TextChoices):
    """``fulfillment.reconciliation.KINDS`` and their labels (a test keeps them equal; the
    models module imports no service code)."""

    NOT_IMPORTED = "not_imported", "Eligible in Acumatica but not imported"
    NO_LONGER_ELIGIBLE = "no_longer_eligible", "Imported but no longer eligible in Acumatica"
    NO_SHIPMENT = "no_shipment", "Shipped at the warehouse, no Shipment in Acumatica"
    SHIPMENT_DIFFERS = "shipment_differs", "Shipment in Acumatica differs from what was shipped"


class BackfillState(models.TextChoices):
    NONE = "", "Not backfilled"
    QUEUED = "queued", "Backfill queued"
    FIXED = "fixed", "Fixed"
    NOT_FIXED = "not_fixed", "Not fixed"


class ReconciliationReport(models.Model):
    store = models.ForeignKey(
        StoreConnection, on_delete=models.CASCADE, related_name="reconciliation_reports"
    )
    trigger = models.CharField(max_length=20, choices=ReportTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    source_kind = models.CharField(max_length=20, blank=True)
    # Null: from the beginning (every record of the store).
    window_since = models.DateTimeField(null=True, blank=True)
    window_until = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"eligible": n, "imported": n, "pulled": n, "shipped": n, "written_back": n, "confirmed": n}
    counts = models.JSONField(default=dict, blank=True)
    # {"not_imported": n, ...} as found (the rows keep what backfills did since).
    difference_counts = models.JSONField(default=dict, blank=True)
    acumatica_requests = models.PositiveIntegerField(default=0)
    keys_read = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        app_label = "console"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "-created_at"])]

    def __str__(self) -> str:
        return f"Reconciliation {self.pk} of {self.store}"

    @property
    def differences_total(self) -> int:
        return sum((self.difference_counts or {}).values())

    @property
    def in_progress(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)


class ReconciliationDifference(models.Model):
    report = models.ForeignKey(
        ReconciliationReport, on_delete=models.CASCADE, related_name="differences"
    )
    kind = models.CharField(max_length=30, choices=DifferenceKind.choices)
    # "SO 000123" (the key, as import runs name records) or "SO 000123 · WB-…" for a fulfillment.
    document = models.CharField(max_length=200)
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
    source_status = models.CharField(max_length=100, blank=True)
    reason = models.TextField()
    detail = models.JSONField(default=dict, blank=True)
    backfill_state = models.CharField(
        max_length=20, choices=BackfillState.choices, default=BackfillState.NONE, blank=True
    )
    backfill_outcome = models.TextField(blank=True)
    backfilled_at = models.DateTimeField(null=True, blank=True)
    backfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        app_label = "console"
        ordering = ["report", "kind", "id"]
        indexes = [models.Index(fields=["report", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.document}"

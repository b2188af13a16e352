"""Import runs, the per-store import state (lease, back-off) and cursors."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from stores.models import StoreConnection

from .orders import SourceKind


class ImportTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Run now"
    RESCAN = "rescan", "Full re-scan"
    SINCE = "since", "Re-scan from a date"
    ORDER = "order", "One order"
    PUSH = "push", "Push notification"


class ImportRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    # The run ended early after committing pages, or some records failed.
    PARTIAL = "partial", "Partial"
    FAILED = "failed", "Failed"


class ImportRun(models.Model):
    """One import of one store: what it asked Acumatica, what it wrote, how it ended."""

    # Lists of {"key", "reason"} keep at most this many entries; the counts stay exact.
    MAX_LISTED = 200

    store = models.ForeignKey(StoreConnection, on_delete=models.CASCADE, related_name="import_runs")
    trigger = models.CharField(max_length=20, choices=ImportTrigger.choices)
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    scan = models.CharField(
        max_length=20,
        blank=True,
        help_text="full (by status), incremental (since the cursor) or since (a given date)",
    )
    status = models.CharField(
        max_length=20, choices=ImportRunStatus.choices, default=ImportRunStatus.RUNNING
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    pages = models.PositiveIntegerField(default=0)
    acumatica_requests = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped_reasons = models.JSONField(default=list, blank=True)
    failures = models.JSONField(default=list, blank=True)

    error = models.TextField(blank=True)
    error_cause = models.TextField(blank=True, help_text="Exception type and message.")
    cursor_before = models.DateTimeField(null=True, blank=True)
    cursor_after = models.DateTimeField(null=True, blank=True)
    resumed_at_offset = models.PositiveIntegerField(
        null=True, blank=True, help_text="Set when the run continued an interrupted scan."
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["store", "-started_at"])]

    def __str__(self) -> str:
        return f"import {self.pk} of store {self.store_id} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if not self.finished_at:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def counts(self) -> dict:
        return {
            "run": self.pk,
            "store": self.store_id,
            "trigger": str(self.trigger),
            "scan": self.scan,
            "status": str(self.status),
            "pages": self.pages,
            "acumatica_requests": self.acumatica_requests,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "failed": self.failed,
            "error": self.error,
            "cursor_before": self.cursor_before.isoformat() if self.cursor_before else None,
            "cursor_after": self.cursor_after.isoformat() if self.cursor_after else None,
            "duration_seconds": self.duration_seconds,
        }


class ImportState(models.Model):
    """Per store: the lease that keeps imports of one store from overlapping, and when the
    scheduler may start the next one."""

    store = models.OneToOneField(
        StoreConnection, on_delete=models.CASCADE, related_name="import_state"
    )
    lease_holder = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    # A push notification asked for a catch-up scan then; a run that started earlier queues one
    # more when it ends, so no notification's scan is lost to a busy lease.
    catch_up_requested_at = models.DateTimeField(null=True, blank=True)
    # A push import job is queued for the store's notifications since then: one at a time, the
    # notifications received meanwhile wait for it (it takes them all), and it clears this when
    # it takes them. Older than FULFILLMENT_PUSH_JOB_STALE_SECONDS: lost, queued again.
    push_job_queued_at = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Back-off: the scheduler leaves the store alone until then.",
    )

    def __str__(self) -> str:
        return f"import state of store {self.store_id}"


class ImportCursor(models.Model):
    """Where incremental imports of one store and source kind stand.

    ``cursor`` is a LastModified watermark: every record changed before it has been imported, so
    the next scan asks for ``LastModified ge cursor - lookback``. It moves only when a scan has
    read its last page. The ``scan_*`` fields checkpoint the scan in progress after each
    committed page (position in the result set, the key of the last record read there, and the
    newest LastModified seen), so an interrupted scan resumes where it stopped.
    """

    store = models.ForeignKey(
        StoreConnection, on_delete=models.CASCADE, related_name="import_cursors"
    )
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    cursor = models.DateTimeField(null=True, blank=True)
    cursor_key = models.CharField(max_length=80, blank=True)

    scan = models.CharField(max_length=20, blank=True, help_text="Empty: no scan in progress.")
    # The $filter the scan pages through: a resumed scan must ask exactly the same question.
    scan_filter = models.TextField(blank=True)
    scan_lower_bound = models.DateTimeField(null=True, blank=True)
    scan_started_at = models.DateTimeField(null=True, blank=True)
    scan_offset = models.PositiveIntegerField(default=0)
    scan_boundary_key = models.CharField(max_length=80, blank=True)
    scan_max_modified = models.DateTimeField(null=True, blank=True)
    scan_max_key = models.CharField(max_length=80, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "source_kind"], name="import_cursor_unique_per_store_kind"
            )
        ]

    def __str__(self) -> str:
        return f"cursor of store {self.store_id} ({self.source_kind}): {self.cursor}"

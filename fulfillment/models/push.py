"""Acumatica push notifications (API.md §8): each store's webhook and what it received."""

from __future__ import annotations

from django.db import models

from stores.models import StoreConnection


class PushEndpoint(models.Model):
    """A store's webhook: ``/push/<key>/``, answered only with the secret header. The secret is
    shown once when issued; only its sha256 is kept."""

    store = models.OneToOneField(
        StoreConnection, on_delete=models.CASCADE, related_name="push_endpoint"
    )
    key = models.CharField(max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    last_received_at = models.DateTimeField(null=True, blank=True)
    received_count = models.PositiveIntegerField(default=0)
    last_rejected_at = models.DateTimeField(null=True, blank=True)
    last_rejection = models.CharField(max_length=300, blank=True)
    rejected_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"push endpoint of store {self.store_id}"


class PushStatus(models.TextChoices):
    QUEUED = "queued", "Queued for import"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Import failed"
    IGNORED = "ignored", "Ignored"


class PushNotification(models.Model):
    """One notification as received, once per (Id, Query): Acumatica delivers at least once
    and retries up to five times, so a repeat is answered without doing anything again."""

    store = models.ForeignKey(
        StoreConnection, on_delete=models.CASCADE, related_name="push_notifications"
    )
    notification_id = models.CharField(max_length=100)
    query = models.CharField(max_length=200)
    company_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField()
    keys = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=PushStatus.choices)
    reason = models.TextField(blank=True)
    import_run = models.ForeignKey(
        "fulfillment.ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "notification_id", "query"], name="push_once_per_id_and_query"
            )
        ]
        indexes = [
            # What the push jobs take and the scheduler's sweep looks for: the few notifications
            # still waiting, without reading a busy store's months of processed ones.
            models.Index(
                fields=["store", "id"],
                condition=models.Q(status="queued", processed_at__isnull=True),
                name="push_untaken",
            )
        ]

    def __str__(self) -> str:
        return f"push {self.notification_id} ({self.query}) for store {self.store_id}"

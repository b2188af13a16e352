"""The audit log: every action a person (or the system on its own) took, and every change to a
store's configuration: who, when, what, before → after. Secrets never reach it (see
``stores.audit``, the only writer)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .connections import Merchant, StoreConnection


class AuditEntry(models.Model):
    class Via(models.TextChoices):
        CONSOLE = "console", "Web console"
        ADMIN = "admin", "Django admin"
        CLI = "cli", "Command line"
        API = "api", "Warehouse API"
        SYSTEM = "system", "Background job"
        # The merchant, through a one-time credentials link (no account here).
        LINK = "link", "Merchant's credentials link"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too: the entry must still say who after the user is deleted.
    actor_label = models.CharField(max_length=150)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.CONSOLE)
    # Dotted verb, e.g. "store.pause", "order.skip", "writeback.retry".
    action = models.CharField(max_length=60, db_index=True)
    merchant = models.ForeignKey(
        Merchant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    store = models.ForeignKey(
        StoreConnection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    store_label = models.CharField(max_length=420, blank=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    summary = models.CharField(max_length=500)
    reason = models.TextField(blank=True)
    # Only the fields that changed; secrets appear as "(changed)", never their value.
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["store", "-at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label}: {self.summary}"

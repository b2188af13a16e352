"""One-time links a 3PL sends a merchant so that the merchant enters a draft store's Acumatica
credentials without an account here (``stores.handoff``).

Only the SHA-256 of the link's secret is stored: the link itself is shown once, to the 3PL
person who made it, and emailed once, to the merchant."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .connections import StoreConnection


class CredentialHandoff(models.Model):
    store = models.ForeignKey(StoreConnection, on_delete=models.CASCADE, related_name="handoffs")
    # hex SHA-256 of the token in the link; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(help_text="Where the link was sent.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "-created_at"])]

    def __str__(self) -> str:
        return f"credentials link for store {self.store_id} to {self.email}"

    def __repr__(self) -> str:
        return f"<CredentialHandoff {self.pk} store={self.store_id} ({self.state})>"

    def is_open(self, now=None) -> bool:
        """Usable: not used, not revoked, not expired."""
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and self.expires_at > now

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"

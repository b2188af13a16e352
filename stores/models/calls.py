"""Every request the connector sent to a store's Acumatica, for usage against the licence,
metrics and support ("find any API call"). Written by ``stores.calls``; secrets never reach it
(the client redacts before recording)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .connections import StoreConnection


class AcumaticaCall(models.Model):
    store = models.ForeignKey(StoreConnection, on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10)
    # Path and query as sent, below the site (secrets in queries are redacted by the client).
    path = models.CharField(max_length=1000)
    # None: no answer came back (timeout, refused, dropped); see ``error``.
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    # Only for failed calls: the start of Acumatica's answer, to show what it said.
    response_excerpt = models.TextField(blank=True)
    # What the call was for: "import", "write-back", "connection test", "diagnosis", ...
    purpose = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["store", "-at"]), models.Index(fields=["at"])]
        verbose_name = "Acumatica API call"

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status or self.error or '?'}"

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400

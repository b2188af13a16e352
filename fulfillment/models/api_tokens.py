"""Tokens the warehouse system uses on the JSON API. Only a hash is stored; the key is shown
once, when created."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from stores.models import Merchant


class ApiToken(models.Model):
    name = models.CharField(max_length=100, unique=True)
    # The first characters of the key, to recognise a token in lists and logs.
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    merchants = models.ManyToManyField(
        Merchant,
        blank=True,
        related_name="api_tokens",
        help_text="Merchants this token serves (a token for no merchant sees nothing).",
    )
    # Said so at creation (--all-merchants), never implied by an empty list.
    all_merchants = models.BooleanField(
        default=False,
        help_text="Serves every merchant, present and future (a 3PL-wide warehouse system).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

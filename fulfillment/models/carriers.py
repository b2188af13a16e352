"""How a store's warehouse carriers and services map to Acumatica Ship Via codes."""

from __future__ import annotations

from django.db import models

from stores.models import StoreConnection


class CarrierMapping(models.Model):
    """``carrier`` + ``service`` from the warehouse → Acumatica ``ShipVia``. An empty service
    matches every service of that carrier without a mapping of its own. Carrier and service
    are stored upper-case and matched without regard to case."""

    store = models.ForeignKey(
        StoreConnection, on_delete=models.CASCADE, related_name="carrier_mappings"
    )
    carrier = models.CharField(max_length=100)
    service = models.CharField(max_length=100, blank=True)
    ship_via = models.CharField("Ship Via", max_length=15)
    default_box_id = models.CharField(
        "Default box",
        max_length=15,
        blank=True,
        help_text="BoxID used for packages the warehouse sends without one.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["store", "carrier", "service"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "carrier", "service"], name="carrier_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        service = f" {self.service}" if self.service else ""
        return f"{self.carrier}{service} → {self.ship_via}"

"""Orders imported from Acumatica, their lines, and the record of every import run.

Order lifecycle (``Order.status``)::

    (imported) ──► ready ──► acknowledged ──► partially_shipped ──► shipped ──► written_back
                    ▲  │          │                      └───────────► error ◄──────┘
                    │  ▼          ▼
          on_hold_at_source / cancelled_at_source / closed_at_source

* ``ready``: eligible in Acumatica (sales order Open or Back Order and not on hold; shipment
  Open) and waiting for the warehouse to pull it.
* ``acknowledged``: the warehouse has pulled it.
* ``on_hold_at_source``: put on hold in Acumatica (or any status that stops shipping: credit
  hold, pending approval, ...). It leaves the warehouse queue; it comes back to ``ready`` when
  released.
* ``cancelled_at_source``: cancelled in Acumatica; leaves the queue.
* ``closed_at_source``: completed, invoiced or shipped in Acumatica without the warehouse.
* ``partially_shipped`` / ``shipped``: the warehouse reported fulfillments.
* ``written_back``: the shipment is recorded and confirmed in Acumatica.
* ``error``: something failed for this order after it was shipped; ``status_reason`` says what.
* ``skipped``: an operator took it out of the warehouse queue with a reason (``status_reason``);
  imports leave it skipped (flagging changes at the source) until it is reprocessed.

An import updates an order (lines, address, status) only while the warehouse has not shipped
it (the statuses up to ``acknowledged`` and the three ``*_at_source`` ones). Later it keeps the
local data — what the warehouse shipped against — and raises ``changed_at_source`` with what
changed. ``changed_at_source`` is also raised when an ``acknowledged`` order changes, because
the warehouse holds a copy that is now out of date.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from stores.models import StoreConnection

from .. import lengths
from ..modes import SALES_ORDERS, SHIPMENTS, Mode, mode_of


class SourceKind(models.TextChoices):
    SALES_ORDER = SALES_ORDERS.source_kind, SALES_ORDERS.label
    SHIPMENT = SHIPMENTS.source_kind, SHIPMENTS.label


class OrderStatus(models.TextChoices):
    READY = "ready", "Ready for the warehouse"
    ACKNOWLEDGED = "acknowledged", "Acknowledged by the warehouse"
    ON_HOLD_AT_SOURCE = "on_hold_at_source", "On hold in Acumatica"
    CANCELLED_AT_SOURCE = "cancelled_at_source", "Cancelled in Acumatica"
    CLOSED_AT_SOURCE = "closed_at_source", "Closed in Acumatica"
    PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
    SHIPPED = "shipped", "Shipped"
    WRITTEN_BACK = "written_back", "Written back"
    ERROR = "error", "Error"
    SKIPPED = "skipped", "Skipped by an operator"


# From here on the warehouse has shipped against the local copy: imports no longer touch it.
SHIPPED_STATUSES = frozenset(
    {
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.WRITTEN_BACK,
        OrderStatus.ERROR,
        OrderStatus.SKIPPED,
    }
)
# What the warehouse may pull.
WAREHOUSE_QUEUE_STATUSES = frozenset({OrderStatus.READY, OrderStatus.ACKNOWLEDGED})


class Order(models.Model):
    """One Acumatica sales order (sales-order mode) or shipment (shipment mode) of a store."""

    store = models.ForeignKey(StoreConnection, on_delete=models.CASCADE, related_name="orders")
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    erp_order_type = models.CharField(max_length=lengths.ORDER_TYPE, blank=True)
    erp_order_nbr = models.CharField(
        max_length=lengths.DOCUMENT_NBR,
        blank=True,
        help_text="In shipment mode: the first sales order on the shipment.",
    )
    erp_shipment_nbr = models.CharField(max_length=lengths.DOCUMENT_NBR, blank=True)
    erp_note_id = models.CharField(
        max_length=lengths.NOTE_ID, blank=True, help_text="Acumatica's persistent record id."
    )

    customer_id = models.CharField(max_length=lengths.CUSTOMER_ID, blank=True)
    customer_reference = models.CharField(
        max_length=lengths.CUSTOMER_REFERENCE,
        blank=True,
        help_text="The customer's order number (CustomerOrder), else ExternalRef.",
    )
    ship_via = models.CharField(max_length=lengths.SHIP_VIA, blank=True)
    warehouse = models.CharField(max_length=lengths.WAREHOUSE, blank=True)
    order_date = models.DateTimeField(null=True, blank=True)

    ship_to_name = models.CharField(max_length=lengths.TEXT, blank=True)
    ship_to_attention = models.CharField(max_length=lengths.TEXT, blank=True)
    ship_to_email = models.CharField(max_length=lengths.EMAIL, blank=True)
    ship_to_phone = models.CharField(max_length=lengths.PHONE, blank=True)
    ship_to_address_line1 = models.CharField(max_length=lengths.TEXT, blank=True)
    ship_to_address_line2 = models.CharField(max_length=lengths.TEXT, blank=True)
    ship_to_city = models.CharField(max_length=lengths.CITY, blank=True)
    ship_to_state = models.CharField(max_length=lengths.STATE, blank=True)
    ship_to_postal_code = models.CharField(max_length=lengths.POSTAL_CODE, blank=True)
    ship_to_country = models.CharField(max_length=lengths.COUNTRY, blank=True)

    erp_status = models.CharField(max_length=lengths.ERP_STATUS, blank=True)
    erp_hold = models.BooleanField(default=False)
    erp_last_modified = models.DateTimeField()
    # sha256 of the inbound record without per-session noise: equal means nothing changed.
    payload_hash = models.CharField(max_length=64)
    # Hashes of each part of the local copy ("lines", "ship_to", ...): tell what changed.
    content_hashes = models.JSONField(default=dict)
    raw_payload = models.JSONField(help_text="The latest record as Acumatica sent it.")

    status = models.CharField(max_length=30, choices=OrderStatus.choices, default=OrderStatus.READY)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    changed_at_source = models.BooleanField(
        default=False,
        help_text="Changed in Acumatica after the warehouse took it; see source_changes.",
    )
    source_changed_at = models.DateTimeField(null=True, blank=True)
    source_changes = models.JSONField(default=list, blank=True)

    last_import_run = models.ForeignKey(
        "ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-erp_last_modified", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "erp_order_type", "erp_order_nbr"],
                condition=Q(source_kind=SALES_ORDERS.source_kind),
                name="order_unique_sales_order_per_store",
            ),
            models.UniqueConstraint(
                fields=["store", "erp_shipment_nbr"],
                condition=Q(source_kind=SHIPMENTS.source_kind),
                name="order_unique_shipment_per_store",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "source_kind", "erp_order_nbr"]),
            models.Index(fields=["store", "source_kind", "erp_shipment_nbr"]),
            models.Index(fields=["store", "status"]),
        ]

    def __str__(self) -> str:
        return self.document_label

    @property
    def document_label(self) -> str:
        return self.mode.document_label(self)

    @property
    def mode(self) -> Mode:
        """The import mode the order came in (``fulfillment.modes``)."""
        return mode_of(self.source_kind)

    @property
    def ship_to_lines(self) -> list[str]:
        city_line = " ".join(
            p for p in (self.ship_to_city, self.ship_to_state, self.ship_to_postal_code) if p
        )
        parts = [
            self.ship_to_name,
            self.ship_to_attention,
            self.ship_to_address_line1,
            self.ship_to_address_line2,
            city_line,
            self.ship_to_country,
        ]
        return [p for p in parts if p]


class OrderLine(models.Model):
    """A line to ship. ``open_quantity`` is what the warehouse is asked to ship: the open quantity
    of a sales-order line, or the quantity of a shipment line (its ``ShippedQty``)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_nbr = models.PositiveIntegerField()
    inventory_id = models.CharField(max_length=lengths.INVENTORY_ID)
    description = models.CharField(max_length=lengths.TEXT, blank=True)
    ordered_quantity = models.DecimalField(max_digits=20, decimal_places=6)
    open_quantity = models.DecimalField(max_digits=20, decimal_places=6)
    uom = models.CharField(max_length=lengths.UOM, blank=True)
    warehouse = models.CharField(max_length=lengths.WAREHOUSE, blank=True)
    # Shipment mode: the sales-order line this shipment line ships.
    erp_order_type = models.CharField(max_length=lengths.ORDER_TYPE, blank=True)
    erp_order_nbr = models.CharField(max_length=lengths.DOCUMENT_NBR, blank=True)
    erp_order_line_nbr = models.PositiveIntegerField(null=True, blank=True)
    # Local: filled from the warehouse's fulfillments, never by an import.
    shipped_quantity = models.DecimalField(max_digits=20, decimal_places=6, default=0)

    class Meta:
        ordering = ["order_id", "line_nbr"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_nbr"], name="order_line_nbr_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order} line {self.line_nbr}: {self.open_quantity} {self.inventory_id}"

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
* ``partially_shipped`` / ``shipped``: the warehouse reported fulfilments.
* ``written_back``: the shipment is recorded and confirmed in Acumatica.
* ``error``: something failed for this order after it was shipped; ``status_reason`` says what.

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

from . import lengths


class SourceKind(models.TextChoices):
    SALES_ORDER = "sales_order", "Sales order"
    SHIPMENT = "shipment", "Shipment"


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


# From here on the warehouse has shipped against the local copy: imports no longer touch it.
SHIPPED_STATUSES = frozenset(
    {
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.WRITTEN_BACK,
        OrderStatus.ERROR,
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
                condition=Q(source_kind="sales_order"),
                name="order_unique_sales_order_per_store",
            ),
            models.UniqueConstraint(
                fields=["store", "erp_shipment_nbr"],
                condition=Q(source_kind="shipment"),
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
        if self.source_kind == SourceKind.SHIPMENT:
            return f"Shipment {self.erp_shipment_nbr}"
        return f"{self.erp_order_type} {self.erp_order_nbr}"

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
    # Local: filled from the warehouse's fulfilments, never by an import.
    shipped_quantity = models.DecimalField(max_digits=20, decimal_places=6, default=0)

    class Meta:
        ordering = ["order_id", "line_nbr"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_nbr"], name="order_line_nbr_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order} line {self.line_nbr}: {self.open_quantity} {self.inventory_id}"


class ImportTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Run now"
    RESCAN = "rescan", "Full re-scan"


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

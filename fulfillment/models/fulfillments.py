"""What the warehouse shipped (a fulfillment) and the record of writing it back to Acumatica.

Fulfillment lifecycle (``Fulfillment.status``)::

    pending ──► writing ──► written_back
       ▲  │        │
       │  ▼        ├──► pending   (transient failure: retried after a back-off)
      held         └──► failed    (Acumatica refused it, or retries ran out; reprocess after a fix)

* ``pending``: accepted; waiting in the outbox for its write-back (``WriteBackOutbox.due_at``).
* ``writing``: a worker holds it (``WriteBackOutbox.lease_until``).
* ``held``: cannot be written until a person acts (e.g. no carrier mapping); ``status_reason``
  says what to do. Adding the missing piece releases it.
* ``failed``: stopped for good until reprocessed; ``last_error`` / ``last_error_fields`` carry
  Acumatica's field messages.
* ``written_back``: the Shipment exists in Acumatica, is confirmed, and read back as sent.

Exactly once: every Shipment written carries ``reference`` (in a package's CustomRefNbr1 and in
the shipment's description), so a write-back that lost its reply finds the Shipment it already
created instead of creating another. ``erp_shipment_nbr`` is saved the moment it is known.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from stores.models import StoreConnection

from .orders import Order, OrderLine


class FulfillmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    WRITING = "writing", "Writing back"
    WRITTEN_BACK = "written_back", "Written back"
    HELD = "held", "Held"
    FAILED = "failed", "Failed"


class FulfillmentSource(models.TextChoices):
    API = "api", "Warehouse API"
    OPERATOR = "operator", "Recorded by an operator"


class WriteBackProgress(models.TextChoices):
    """How far the write-back got; a retry resumes from here."""

    NOT_STARTED = "not_started", "Not started"
    SHIPMENT_SAVED = "shipment_saved", "Shipment saved"
    CONFIRMED = "confirmed", "Confirmed"
    VERIFIED = "verified", "Read back and verified"


class Fulfillment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="fulfillments")
    store = models.ForeignKey(
        StoreConnection, on_delete=models.PROTECT, related_name="fulfillments"
    )
    source = models.CharField(
        max_length=20, choices=FulfillmentSource.choices, default=FulfillmentSource.API
    )
    idempotency_key = models.CharField(max_length=200)
    # sha256 of the canonical request body: the same key with another body is a conflict.
    request_hash = models.CharField(max_length=64)
    raw_request = models.JSONField(help_text="The request as received, before processing.")
    api_token = models.ForeignKey(
        "fulfillment.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    shipped_at = models.DateTimeField()
    carrier = models.CharField(max_length=100)
    service = models.CharField(max_length=100, blank=True)
    # Resolved from the store's carrier mappings when the write-back runs.
    ship_via = models.CharField(max_length=30, blank=True)

    # Written into the Acumatica Shipment so a retry can find it (see the module docstring).
    reference = models.CharField(max_length=30, unique=True)
    status = models.CharField(
        max_length=20, choices=FulfillmentStatus.choices, default=FulfillmentStatus.PENDING
    )
    status_reason = models.TextField(blank=True)
    progress = models.CharField(
        max_length=20, choices=WriteBackProgress.choices, default=WriteBackProgress.NOT_STARTED
    )
    erp_shipment_nbr = models.CharField(max_length=30, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # [{"path": "Packages[0].BoxID", "message": "..."}] from Acumatica's 422.
    last_error_fields = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    written_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "idempotency_key"], name="fulfillment_idempotency_key_per_order"
            )
        ]
        indexes = [models.Index(fields=["store", "status"])]

    def __str__(self) -> str:
        return f"Fulfillment {self.reference} of {self.order}"


class FulfillmentLine(models.Model):
    fulfillment = models.ForeignKey(Fulfillment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=20, decimal_places=6)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fulfillment", "order_line"], name="fulfillment_line_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x line {self.order_line_id}"


class FulfillmentPackage(models.Model):
    fulfillment = models.ForeignKey(Fulfillment, on_delete=models.CASCADE, related_name="packages")
    position = models.PositiveIntegerField(help_text="Order of the package in the request.")
    box_id = models.CharField(max_length=15, blank=True)
    weight = models.DecimalField(max_digits=14, decimal_places=4)
    weight_unit = models.CharField(max_length=6)
    length = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    width = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    height = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    dimension_unit = models.CharField(max_length=6, blank=True)
    tracking_number = models.CharField(max_length=60)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["fulfillment", "position"], name="fulfillment_package_position"
            )
        ]

    def __str__(self) -> str:
        return f"package {self.position} ({self.tracking_number})"


class FulfillmentPackageContent(models.Model):
    package = models.ForeignKey(
        FulfillmentPackage, on_delete=models.CASCADE, related_name="contents"
    )
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=20, decimal_places=6)

    def __str__(self) -> str:
        return f"{self.quantity} x line {self.order_line_id}"


class WriteBackOutbox(models.Model):
    """One row per fulfillment still to be written back, created in the same transaction as the
    fulfillment. The task is queued after commit; a periodic sweep re-queues rows whose task was
    lost. Deleted when the write-back succeeds or stops for good."""

    fulfillment = models.OneToOneField(Fulfillment, on_delete=models.CASCADE, related_name="outbox")
    due_at = models.DateTimeField(default=timezone.now, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=100, blank=True)
    # A write whose answer was lost may still be running in Acumatica until then: attempts
    # look for what it wrote at once, but write nothing new before this time.
    writes_blocked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"outbox for fulfillment {self.fulfillment_id} due {self.due_at:%H:%M:%S}"


class WriteBackAttempt(models.Model):
    """One try at writing a fulfillment back, with every Acumatica call it made."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        RETRY = "retry", "Will retry"
        HELD = "held", "Held"
        FAILED = "failed", "Failed"

    fulfillment = models.ForeignKey(
        Fulfillment, on_delete=models.CASCADE, related_name="attempts_log"
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    # [{"kind": "find|put|confirm|poll|read_back", "method", "path", "status", "ms", "error"}]
    calls = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    error_fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["fulfillment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fulfillment", "number"], name="writeback_attempt_number"
            )
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of fulfillment {self.fulfillment_id}: {self.outcome}"

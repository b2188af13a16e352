"""Backfill: fix one difference a reconciliation found, through the service that owns the
thing being fixed — never a path of its own.

* eligible but not imported → ``importing.order_import_one`` (read live, imported with the
  scans' mapper, rules and binder; an order "at source" comes back to the queue);
* imported but no longer eligible → the same single-order import: the import's own rule for a
  status change at source (``decisions.decide``) takes it out of the warehouse queue as on
  hold / cancelled / closed at source, flagged to the warehouse when it had pulled it. An order
  Acumatica no longer has is left as it is: the import has no rule for a deletion, and skipping
  it is a person's decision (the order page's Skip);
* shipped with no Shipment → ``writeback.services.writeback_retry`` (held and failed ones are
  reprocessed, waiting ones made due now). One written back whose Shipment is gone from
  Acumatica is handed back to the write-back, which looks for it by number and reference and
  writes it again only when neither finds it (exactly once, as for any retry);
* Shipment differs → ``writeback.retrack.shipment_tracking_restore`` (reopen, restore the
  tracking numbers, and let the write-back confirm and check it again).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from stores.audit import audit_record
from stores.models import AuditEntry, StoreConnection

from ..importing.single import CREATED, NOT_FOUND, UPDATED, order_import_one
from ..models import (
    WAREHOUSE_QUEUE_STATUSES,
    Fulfillment,
    FulfillmentStatus,
    Order,
)
from ..writeback.retrack import shipment_tracking_restore
from ..writeback.services import RETRYABLE, writeback_reopen, writeback_retry
from .compare import AT_SOURCE, NO_LONGER_ELIGIBLE, NO_SHIPMENT, NOT_IMPORTED, SHIPMENT_DIFFERS
from .outcome import BackfillOutcome


def difference_backfill(
    *,
    store: StoreConnection,
    kind: str,
    document: str,
    order_id: int | None = None,
    fulfillment_id: int | None = None,
    actor=None,
    via: str = AuditEntry.Via.CONSOLE,
) -> BackfillOutcome:
    """Fix one difference of ``kind`` (see the module docstring). Never raises for what
    Acumatica answers or for a difference that went away meanwhile: the outcome says."""
    if kind == NOT_IMPORTED:
        return order_backfill_import(store=store, document=document, actor=actor, via=via)
    if kind == NO_LONGER_ELIGIBLE:
        return order_backfill_status(store=store, document=document, actor=actor, via=via)
    if (
        fulfillment_id is None
        or not Fulfillment.objects.filter(pk=fulfillment_id, store=store).exists()
    ):
        return BackfillOutcome(False, "The fulfillment is gone.")
    if kind == NO_SHIPMENT:
        return fulfillment_backfill_writeback(fulfillment_id=fulfillment_id, actor=actor, via=via)
    if kind == SHIPMENT_DIFFERS:
        restore = shipment_tracking_restore(fulfillment_id=fulfillment_id, actor=actor, via=via)
        return BackfillOutcome(restore.restored, restore.text)
    raise ValueError(f"not a kind of difference: {kind!r}")


def order_backfill_import(
    *, store: StoreConnection, document: str, actor=None, via: str
) -> BackfillOutcome:
    result = order_import_one(store=store, key=document, actor=actor, via=via)
    order = result.order
    fixed = order is not None and order.status not in AT_SOURCE and result.ok
    if result.outcome in (CREATED, UPDATED) or not fixed:
        return BackfillOutcome(fixed, f"Import now: {result.reason}")
    return BackfillOutcome(True, f"Import now: {result.reason} It is {order.get_status_display()}.")


def order_backfill_status(
    *, store: StoreConnection, document: str, actor=None, via: str
) -> BackfillOutcome:
    result = order_import_one(store=store, key=document, actor=actor, via=via)
    if result.outcome == NOT_FOUND:
        return BackfillOutcome(
            False,
            f"{result.reason} Nothing was changed here: if it must not ship, skip it on its "
            "order page.",
        )
    order = result.order
    if order is None:
        return BackfillOutcome(False, f"Read again: {result.reason}")
    order = Order.objects.get(pk=order.pk)
    left = order.status not in WAREHOUSE_QUEUE_STATUSES
    label = order.get_status_display()
    text = f"Read again from Acumatica; here it is now: {label}"
    reason = order.status_reason.rstrip(".")
    text += f" ({reason})" if reason and reason != label else ""
    text += ", flagged to the warehouse." if order.changed_at_source and left else "."
    if not result.ok:
        text += f" {result.reason}"
    return BackfillOutcome(left, text)


def fulfillment_backfill_writeback(*, fulfillment_id: int, actor=None, via: str) -> BackfillOutcome:
    fulfillment = Fulfillment.objects.select_related("order", "store").get(pk=fulfillment_id)
    if fulfillment.status in RETRYABLE:
        try:
            writeback_retry(fulfillment=fulfillment, actor=actor, via=via)
        except ValidationError as exc:
            return BackfillOutcome(False, " ".join(exc.messages))
        return _after_queueing(fulfillment_id, "Write-back queued again")
    if fulfillment.status == FulfillmentStatus.WRITING:
        return BackfillOutcome(True, "Being written back right now; nothing to add.")
    return _rewrite_lost_shipment(fulfillment, actor=actor, via=via)


def _rewrite_lost_shipment(fulfillment: Fulfillment, *, actor, via: str) -> BackfillOutcome:
    """Written back, but Acumatica no longer has the Shipment: back to the write-back, which
    finds it if it is there after all (by number, then by reference) and otherwise writes it
    anew. ``writeback_retry`` refuses written-back fulfillments, hence this one step."""
    nbr = fulfillment.erp_shipment_nbr
    with transaction.atomic():
        reopened = writeback_reopen(
            fulfillment=fulfillment,
            reason=(
                f"Shipment {nbr or '(none)'} is gone from Acumatica (reconciliation): written "
                "again unless it is found."
            ),
            shipment_saved=bool(nbr),
        )
        if not reopened:
            return BackfillOutcome(False, "The write-back moved on meanwhile: reconcile again.")
        audit_record(
            actor=actor,
            action="reconciliation.rewrite_shipment",
            summary=(
                f"Write-back of fulfillment {fulfillment.reference} ({fulfillment.order}) "
                f"queued again: Shipment {nbr or '(none)'} is not in Acumatica."
            ),
            store=fulfillment.store,
            target=fulfillment,
            before={"status": FulfillmentStatus.WRITTEN_BACK, "erp_shipment_nbr": nbr},
            after={"status": FulfillmentStatus.PENDING},
            via=via,
        )
    return _after_queueing(fulfillment.pk, "Written back again")


def _after_queueing(fulfillment_id: int, what: str) -> BackfillOutcome:
    # When the job ran at once (a foreground command, tests), say where it ended.
    fulfillment = Fulfillment.objects.get(pk=fulfillment_id)
    if fulfillment.status == FulfillmentStatus.WRITTEN_BACK:
        return BackfillOutcome(
            True, f"{what}: written back as Shipment {fulfillment.erp_shipment_nbr}."
        )
    if fulfillment.status in (FulfillmentStatus.HELD, FulfillmentStatus.FAILED):
        reason = fulfillment.status_reason or fulfillment.last_error
        return BackfillOutcome(
            False, f"{what}, but it is {fulfillment.get_status_display().lower()}: {reason}"
        )
    return BackfillOutcome(True, f"{what}: the write-back runs in the background.")

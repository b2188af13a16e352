"""What 3PL staff do to one order: skip it, or reprocess it. Called by the order page's action
views and the admin's actions; each call is audited and leaves an event on the order's timeline.

Skip takes an order out of the warehouse queue with a reason; imports then leave it skipped
(flagging what changes in Acumatica) until someone reprocesses it. Reprocess re-reads the order
from Acumatica now and retries its stopped write-backs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from stores import access
from stores.audit import actor_label, audit_record
from stores.models import AuditEntry

from .importing import SingleImportResult, order_import_one
from .models import Fulfillment, Order, OrderEventKind, OrderStatus
from .timeline import order_event_record
from .writeback.orders import order_status_refresh
from .writeback.services import REPROCESSABLE, writeback_retry

logger = logging.getLogger("connector.fulfillment")

# Not yet shipped by the warehouse (or stopped by an error): taking it out of the queue loses
# nothing. A shipped order's fulfillments must still be written back; a cancelled or closed one
# has left the queue already.
SKIPPABLE_STATUSES = frozenset(
    {
        OrderStatus.READY,
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.ON_HOLD_AT_SOURCE,
        OrderStatus.ERROR,
    }
)
SKIP_REASON_MAX = 500


def _require_staff(actor) -> None:
    # The views and the admin check first and answer 404; this guards every other caller.
    if actor is not None and not isinstance(actor, str) and not access.is_3pl_staff(actor):
        raise PermissionDenied("Only 3PL staff act on orders.")


def order_skip(*, order: Order, reason: str, actor, via: str = AuditEntry.Via.CONSOLE) -> Order:
    """Take the order out of the warehouse queue: status ``skipped`` with who and why. The
    warehouse API then refuses to acknowledge or fulfill it and ``?status=ready`` no longer
    lists it; its ``updated_at`` moves so a warehouse polling for changes sees it."""
    _require_staff(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the order is skipped; it is kept in the log."})
    if len(reason) > SKIP_REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {SKIP_REASON_MAX} characters."})
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status not in SKIPPABLE_STATUSES:
            raise ValidationError(
                f"{locked.document_label} is {locked.get_status_display().lower()}: only an "
                "order that is ready, acknowledged, on hold in Acumatica or in error can be "
                "skipped."
            )
        who = actor_label(actor)
        before = {"status": locked.status, "status_reason": locked.status_reason}
        now = timezone.now()
        locked.status = OrderStatus.SKIPPED
        locked.status_reason = f"Skipped by {who}: {reason}"
        locked.status_changed_at = locked.updated_at = now
        locked.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
        audit_record(
            actor=actor,
            action="order.skip",
            summary=f"Skipped {locked.document_label}.",
            store=locked.store,
            target=locked,
            before=before,
            after={"status": locked.status, "status_reason": locked.status_reason},
            reason=reason,
            via=via,
        )
        order_event_record(
            order=locked,
            kind=OrderEventKind.ACTION,
            summary=f"Skipped by {who}: {reason}",
            detail={"action": "skip", "before": before["status"], "reason": reason},
            actor=actor,
            at=now,
        )
    logger.info("order %s skipped by %s", locked.pk, who)
    return locked


@dataclass
class ReprocessResult:
    order: Order
    import_result: SingleImportResult
    # References of the fulfillments whose write-back was retried, and why others were not.
    retried: list[str] = field(default_factory=list)
    not_retried: list[str] = field(default_factory=list)
    unskipped: bool = False

    @property
    def ok(self) -> bool:
        return self.import_result.ok and not self.not_retried

    @property
    def message(self) -> str:
        """What happened, in one paragraph for the operator."""
        parts = []
        if self.import_result.ok:
            parts.append(f"Re-read from Acumatica: {self.import_result.reason}")
        else:
            parts.append(f"Could not re-read it from Acumatica: {self.import_result.reason}")
            if self.unskipped:
                parts.append("It stays skipped.")
        if self.unskipped and self.import_result.ok:
            parts.append(f"No longer skipped; it is {self.order.get_status_display().lower()} now.")
        if self.retried:
            parts.append(f"Write-back retried for {', '.join(self.retried)}.")
        parts.extend(self.not_retried)
        return " ".join(p if p.endswith(".") else p + "." for p in parts)


def order_reprocess(*, order: Order, actor, via: str = AuditEntry.Via.CONSOLE) -> ReprocessResult:
    """Re-read the order from Acumatica now and retry its failed or held write-backs.

    A skipped order is first put back so that the import decides its status afresh: without
    fulfillments it becomes ``ready`` and its stored hash is cleared, so the import rewrites it
    from what Acumatica holds now (back on hold, cancelled, or ready again); with fulfillments
    its status is computed from them as the write-back does (the warehouse shipped it). If
    Acumatica cannot be read, an order that was skipped without fulfillments is skipped again:
    it must not reach the warehouse unverified."""
    _require_staff(actor)
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("store").get(pk=order.pk)
        before = {"status": locked.status, "status_reason": locked.status_reason}
        restore = _unskip(locked) if locked.status == OrderStatus.SKIPPED else None

    import_result = order_import_one(store=locked.store, key=_key(locked), actor=actor, via=via)
    if not import_result.ok and restore is not None and restore.get("to_ready"):
        # Only if nothing moved it meanwhile (the warehouse may have taken it).
        Order.objects.filter(pk=locked.pk, status=OrderStatus.READY).update(
            status=OrderStatus.SKIPPED,
            status_reason=before["status_reason"],
            payload_hash=restore["payload_hash"],
            changed_at_source=restore["changed_at_source"],
            updated_at=timezone.now(),
        )

    result = ReprocessResult(
        order=locked, import_result=import_result, unskipped=restore is not None
    )
    stopped = Fulfillment.objects.filter(order=locked, status__in=REPROCESSABLE).order_by("pk")
    for fulfillment in stopped:
        try:
            writeback_retry(fulfillment=fulfillment, actor=actor, via=via)
        except ValidationError as exc:
            result.not_retried.append(f"{fulfillment.reference}: {' '.join(exc.messages)}")
        else:
            result.retried.append(fulfillment.reference)

    locked.refresh_from_db()
    result.order = locked
    run = import_result.run
    audit_record(
        actor=actor,
        action="order.reprocess",
        summary=f"Reprocessed {locked.document_label}: {result.message}"[:500],
        store=locked.store,
        target=locked,
        before=before,
        after={
            "status": locked.status,
            "status_reason": locked.status_reason,
            "import": import_result.outcome,
            "import_run": run.pk if run else None,
            "retried": result.retried,
        },
        via=via,
    )
    order_event_record(
        order=locked,
        kind=OrderEventKind.ACTION,
        summary=f"Reprocessed by {actor_label(actor)}: {result.message}",
        detail={
            "action": "reprocess",
            "import": import_result.outcome,
            "retried": result.retried,
        },
        import_run=run,
        actor=actor,
        is_error=not result.ok,
    )
    logger.info("order %s reprocessed by %s: %s", locked.pk, actor_label(actor), result.message)
    return result


def _unskip(order: Order) -> dict:
    """Put a skipped order back (inside the caller's transaction); returns what to restore if
    the re-read fails."""
    restore = {"payload_hash": order.payload_hash, "changed_at_source": order.changed_at_source}
    now = timezone.now()
    if order.fulfillments.exists():
        # A managed status, then the write-back's own rule decides which one.
        Order.objects.filter(pk=order.pk).update(
            status=OrderStatus.PARTIALLY_SHIPPED, status_reason="", updated_at=now
        )
        order_status_refresh(order_id=order.pk)
    else:
        restore["to_ready"] = True
        # The copy is re-read whole from Acumatica: what changed while skipped is taken in.
        Order.objects.filter(pk=order.pk).update(
            status=OrderStatus.READY,
            status_reason="",
            status_changed_at=now,
            updated_at=now,
            payload_hash="",
            changed_at_source=False,
        )
    return restore


def _key(order: Order) -> str:
    return order.mode.key_text_of(order)

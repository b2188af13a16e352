"""What a write-back changes on its order.

An order the warehouse shipped is ``written_back`` when nothing is left to ship (every line's
fulfilled quantity reaches the quantity the warehouse was asked for) and every one of its
fulfillments is written back. Until then it stays ``partially_shipped`` / ``shipped``: each
fulfillment shows its own write-back, and a partial shipment written back does not claim the
order is done. A failed write-back puts the order in ``error`` with the reason; reprocessing
(or the next success) computes the status again. Orders in any other status (the warehouse has
not shipped them, or Acumatica cancelled or closed them) are left alone.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from ..models import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Order,
    OrderStatus,
)

_MANAGED = frozenset(
    {
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.WRITTEN_BACK,
        OrderStatus.ERROR,
    }
)


def order_status_refresh(*, order_id: int) -> str | None:
    """Recompute the order's status from its fulfillments; returns the new status (None when
    the order is not one the write-back manages)."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.status not in _MANAGED:
        return None
    fulfillments = list(
        Fulfillment.objects.filter(order=order).values_list("reference", "status", "last_error")
    )
    failed = [
        (ref, error) for ref, status, error in fulfillments if status == FulfillmentStatus.FAILED
    ]
    shipped = dict(
        FulfillmentLine.objects.filter(fulfillment__order=order)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("order_line_id", "total")
    )
    lines = list(order.lines.values_list("pk", "open_quantity"))
    complete = bool(lines) and all(shipped.get(pk, Decimal(0)) >= qty for pk, qty in lines)
    reason = ""
    if failed:
        status = OrderStatus.ERROR
        reference, error = failed[0]
        reason = f"Write-back of fulfillment {reference} failed: {error}"
    elif complete and all(s == FulfillmentStatus.WRITTEN_BACK for _, s, _ in fulfillments):
        status = OrderStatus.WRITTEN_BACK
    elif complete:
        status = OrderStatus.SHIPPED
    else:
        status = OrderStatus.PARTIALLY_SHIPPED
    if status != order.status or reason != order.status_reason:
        now = timezone.now()
        Order.objects.filter(pk=order.pk, status=order.status).update(
            status=status,
            status_reason=reason,
            status_changed_at=now if status != order.status else order.status_changed_at,
            updated_at=now,
        )
    return status

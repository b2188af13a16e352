"""The warehouse saying it has taken an order: ``ready`` → ``acknowledged``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import Order, OrderEventKind, OrderStatus
from ..timeline import order_event_record
from .errors import OrderNotInQueue


def order_acknowledge(*, order: Order) -> tuple[Order, bool]:
    """Mark the order as taken by the warehouse; returns it and whether it changed now.

    Safe to repeat: an order already acknowledged is returned unchanged. An order that is not
    waiting for the warehouse (on hold or cancelled in Acumatica, already shipped, ...) raises
    OrderNotInQueue with the reason."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == OrderStatus.ACKNOWLEDGED:
            return locked, False
        if locked.status != OrderStatus.READY:
            reason = f": {locked.status_reason}" if locked.status_reason else ""
            raise OrderNotInQueue(
                f"Order {locked.document_label} is not waiting for the warehouse; it is "
                f"{locked.get_status_display().lower()}{reason}.",
                status=locked.status,
            )
        now = timezone.now()
        locked.status = OrderStatus.ACKNOWLEDGED
        locked.status_changed_at = locked.updated_at = now
        locked.save(update_fields=["status", "status_changed_at", "updated_at"])
        order_event_record(
            order=locked,
            kind=OrderEventKind.ACKNOWLEDGED,
            summary="Picked up by the warehouse (acknowledged).",
            at=now,
        )
        return locked, True

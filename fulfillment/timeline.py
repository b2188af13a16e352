"""Writing the order timeline (``OrderEvent``). Every service that changes an order calls one of
these; the order page reads ``order_timeline``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import Order, OrderEvent, OrderEventKind, OrderStatus
from .models.events import OrderEvent as _OrderEvent

_SOURCE_STATUSES = {
    OrderStatus.ON_HOLD_AT_SOURCE,
    OrderStatus.CANCELLED_AT_SOURCE,
    OrderStatus.CLOSED_AT_SOURCE,
}


def order_event_record(
    *,
    order: Order | int,
    kind: str,
    summary: str,
    detail: dict[str, Any] | None = None,
    fulfillment=None,
    import_run=None,
    actor=None,
    is_error: bool = False,
    at: dt.datetime | None = None,
) -> OrderEvent:
    order_id = order if isinstance(order, int) else order.pk
    return OrderEvent.objects.create(
        order_id=order_id,
        at=at or timezone.now(),
        kind=kind,
        summary=summary[:500],
        detail=detail or {},
        fulfillment=fulfillment,
        import_run=import_run,
        actor=actor if getattr(actor, "pk", None) else None,
        is_error=is_error,
    )


def import_event(
    *,
    order_id: int,
    run_id: int | None,
    created: bool,
    status: str,
    previous_status: str = "",
    status_reason: str = "",
    changes: tuple[str, ...] | list[str] = (),
    flagged: bool = False,
    document: str = "",
    now: dt.datetime,
) -> _OrderEvent:
    """The (unsaved) event for one order an import created or changed; the binder saves them
    in bulk with the page."""
    if created:
        kind, summary = OrderEventKind.IMPORTED, f"Imported {document} from Acumatica."
    elif flagged:
        kind = OrderEventKind.CHANGED_AT_SOURCE
        summary = "Changed in Acumatica after the warehouse took it: " + (
            ", ".join(changes) or "see the record"
        )
    elif status != previous_status and status in _SOURCE_STATUSES:
        kind = OrderEventKind.STATUS_AT_SOURCE
        summary = status_reason or f"Now {OrderStatus(status).label.lower()}."
    elif status != previous_status and previous_status in _SOURCE_STATUSES:
        kind = OrderEventKind.STATUS_AT_SOURCE
        summary = "Eligible again in Acumatica: back in the warehouse queue."
    else:
        kind = OrderEventKind.UPDATED
        summary = "Updated from Acumatica: " + (", ".join(changes) or "details changed")
    detail: dict[str, Any] = {"changes": list(changes)}
    if previous_status and previous_status != status:
        detail["status"] = {"before": previous_status, "after": status}
    return _OrderEvent(
        order_id=order_id,
        at=now,
        kind=kind,
        summary=summary[:500],
        detail=detail,
        import_run_id=run_id,
        is_error=kind == OrderEventKind.CHANGED_AT_SOURCE,
    )


def order_timeline(order: Order) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor", "fulfillment", "import_run").order_by("at", "id")

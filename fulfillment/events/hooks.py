"""Which events a change makes: the one-line hooks in the import binder, the write-back's
attempt recording and the store's status call these, inside their own transactions.

* an import page: from its timeline entries — imported → ``order.ready``; changed after the
  warehouse took it → ``order.changed_at_source``; moved to on hold / cancelled / closed in
  Acumatica → ``order.on_hold`` / ``order.cancelled_at_source`` / ``order.closed_at_source``
  (also when that change is a change after the warehouse took it); back from one of those →
  ``order.released``;
* a write-back attempt: written back → ``fulfillment.written_back``; failed →
  ``fulfillment.failed``; held → ``fulfillment.held`` (once per reason, not at every recheck);
* a store that needs attention (``stores.signals.store_needs_attention``) →
  ``store.needs_attention``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import (
    EventKind,
    Fulfillment,
    Order,
    OrderEvent,
    OrderEventKind,
    OrderStatus,
    WriteBackAttempt,
)
from .payloads import fulfillment_data, order_data, store_data
from .record import EventDraft, event_record, events_record

_LEFT_QUEUE = {
    OrderStatus.ON_HOLD_AT_SOURCE: EventKind.ORDER_ON_HOLD,
    OrderStatus.CANCELLED_AT_SOURCE: EventKind.ORDER_CANCELLED_AT_SOURCE,
    OrderStatus.CLOSED_AT_SOURCE: EventKind.ORDER_CLOSED_AT_SOURCE,
}
_ORDER_FIELDS = (
    "id",
    "store_id",
    "source_kind",
    "erp_order_type",
    "erp_order_nbr",
    "erp_shipment_nbr",
    "status",
    "status_reason",
)


def order_event_kinds(entry: OrderEvent) -> list[str]:
    """The outbound kinds one timeline entry of an import stands for (pure)."""
    status = (entry.detail or {}).get("status") or {}
    before, after = status.get("before", ""), status.get("after", "")
    kinds: list[str] = []
    if entry.kind == OrderEventKind.IMPORTED:
        kinds.append(EventKind.ORDER_READY)
    if entry.kind == OrderEventKind.CHANGED_AT_SOURCE:
        kinds.append(EventKind.ORDER_CHANGED_AT_SOURCE)
    if entry.kind in (OrderEventKind.CHANGED_AT_SOURCE, OrderEventKind.STATUS_AT_SOURCE):
        if after in _LEFT_QUEUE and before != after:
            kinds.append(_LEFT_QUEUE[after])
        elif before in _LEFT_QUEUE and after not in _LEFT_QUEUE:
            kinds.append(EventKind.ORDER_RELEASED)
    return kinds


def import_events_record(*, store, timeline: Iterable[OrderEvent]) -> int:
    """Record the events of one import page from its timeline entries; how many."""
    wanted = [(entry, kind) for entry in timeline for kind in order_event_kinds(entry)]
    if not wanted:
        return 0
    orders = Order.objects.only(*_ORDER_FIELDS).in_bulk({entry.order_id for entry, _ in wanted})
    drafts = [
        EventDraft(
            kind=kind,
            order_id=entry.order_id,
            data=order_data(
                orders[entry.order_id],
                previous_status=((entry.detail or {}).get("status") or {}).get("before", ""),
                changes=(entry.detail or {}).get("changes", []),
            ),
        )
        for entry, kind in wanted
        if entry.order_id in orders
    ]
    return len(events_record(store=store, drafts=drafts))


_FULFILLMENT_KINDS = {
    WriteBackAttempt.Outcome.SUCCEEDED: EventKind.FULFILLMENT_WRITTEN_BACK,
    WriteBackAttempt.Outcome.FAILED: EventKind.FULFILLMENT_FAILED,
    WriteBackAttempt.Outcome.HELD: EventKind.FULFILLMENT_HELD,
}


def writeback_attempt_event(*, fulfillment: Fulfillment, attempt: WriteBackAttempt) -> None:
    """Record the event a finished write-back attempt stands for, if any."""
    kind = _FULFILLMENT_KINDS.get(attempt.outcome)
    if kind is None:
        return
    if kind == EventKind.FULFILLMENT_HELD and _held_before_for_the_same_reason(attempt):
        return
    event_record(
        kind=kind,
        store=fulfillment.store,
        order=fulfillment.order,
        fulfillment=fulfillment,
        data=fulfillment_data(fulfillment, fulfillment.order),
    )


def _held_before_for_the_same_reason(attempt: WriteBackAttempt) -> bool:
    previous = (
        WriteBackAttempt.objects.filter(
            fulfillment_id=attempt.fulfillment_id, number__lt=attempt.number
        )
        .order_by("-number")
        .values_list("outcome", "error")
        .first()
    )
    return previous == (WriteBackAttempt.Outcome.HELD, attempt.error)


def store_needs_attention_event(sender=None, *, store, **kwargs) -> None:
    """Receiver of ``stores.signals.store_needs_attention`` (sent inside the transaction that
    changes the store's status)."""
    event_record(kind=EventKind.STORE_NEEDS_ATTENTION, store=store, data=store_data(store))

"""What is here, read for the comparer (reads only): the store's orders for the keys Acumatica
returned and those imported from a change inside the window, the fulfillments recorded in the
window with their tracking numbers, and what the why-not answers need (the import's watermark,
what recent runs said about a key, read by ``importing.diagnosis``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from stores.models import StoreConnection

from ..importing.diagnosis import import_watermark, recorded_reasons
from ..models import Fulfillment, FulfillmentPackage, Order, OrderStatus
from ..modes import Mode
from .compare import LocalFulfillment, LocalOrder, Window
from .why import WhyContext

# Order numbers per ``IN`` lookup: well below SQLite's and PostgreSQL's parameter limits.
LOOKUP_CHUNK = 500
_ORDER_FIELDS = (
    "id",
    "erp_order_type",
    "erp_order_nbr",
    "erp_shipment_nbr",
    "source_kind",
    "status",
    "status_reason",
    "erp_last_modified",
)


def local_orders_for(
    *, store: StoreConnection, mode: Mode, keys: Iterable[tuple[str, ...]], window: Window
) -> list[LocalOrder]:
    """The store's orders (of the mode's kind) with one of ``keys``, and those whose imported
    LastModified is inside the window."""
    orders = Order.objects.filter(store=store, source_kind=mode.source_kind)
    wanted = set(keys)
    found: dict[int, Order] = {}
    numbered = sorted(wanted)
    for start in range(0, len(numbered), LOOKUP_CHUNK):
        chunk = numbered[start : start + LOOKUP_CHUNK]
        for order in orders.filter(**mode.key_filter(chunk)).only(*_ORDER_FIELDS):
            if mode.order_key(order) in wanted:
                found[order.pk] = order
    changed = orders.filter(erp_last_modified__lte=window.until)
    if window.since is not None:
        changed = changed.filter(erp_last_modified__gte=window.since)
    for order in changed.only(*_ORDER_FIELDS).iterator(chunk_size=2000):
        found.setdefault(order.pk, order)
    labels = dict(OrderStatus.choices)
    return [
        LocalOrder(
            id=order.pk,
            key=mode.order_key(order),
            document=mode.document_label(order),
            status=order.status,
            status_label=labels.get(order.status, order.status),
            status_reason=order.status_reason,
            erp_last_modified=order.erp_last_modified,
        )
        for order in found.values()
    ]


def local_fulfillments_for(*, store: StoreConnection, window: Window) -> list[LocalFulfillment]:
    """The store's fulfillments recorded inside the window, oldest first."""
    fulfillments = Fulfillment.objects.filter(store=store, created_at__lte=window.until)
    if window.since is not None:
        fulfillments = fulfillments.filter(created_at__gte=window.since)
    fulfillments = list(fulfillments.select_related("order").order_by("created_at", "id"))
    tracking: dict[int, list[str]] = defaultdict(list)
    ids = [f.pk for f in fulfillments]
    for start in range(0, len(ids), LOOKUP_CHUNK):
        packages = (
            FulfillmentPackage.objects.filter(fulfillment_id__in=ids[start : start + LOOKUP_CHUNK])
            .order_by("fulfillment_id", "position")
            .values_list("fulfillment_id", "tracking_number")
        )
        for fulfillment_id, number in packages:
            tracking[fulfillment_id].append(number)
    return [
        LocalFulfillment(
            id=f.pk,
            order_id=f.order_id,
            document=f"{f.order.document_label} · {f.reference}",
            reference=f.reference,
            status=f.status,
            status_label=f.get_status_display(),
            status_reason=f.status_reason,
            last_error=f.last_error,
            attempts=f.attempts,
            erp_shipment_nbr=f.erp_shipment_nbr,
            ship_via=f.ship_via,
            tracking_numbers=tuple(tracking[f.pk]),
        )
        for f in fulfillments
    ]


def why_context_for(*, store: StoreConnection, mode: Mode) -> WhyContext:
    """Everything the why-not answers read, whatever the number of rows, through the functions
    "Why wasn't this order imported?" reads them with."""
    return WhyContext(
        store_status=store.status,
        store_status_label=store.get_status_display(),
        watermark=import_watermark(store=store, source_kind=mode.source_kind),
        recorded=recorded_reasons(store=store),
    )

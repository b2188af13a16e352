"""The orders list as CSV: the rows the list's filters select, every page, streamed.

Cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return: text typed by whoever entered the order in Acumatica) are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone

from .selectors import orders_with_fulfillment_summary

HEADER = (
    "Order type",
    "Order number",
    "Shipment number",
    "Store",
    "Merchant",
    "Status",
    "Status reason",
    "Customer reference",
    "Fulfillments",
    "Fulfillment status",
    "Acumatica shipments",
    "Imported at (UTC)",
    "Updated at (UTC)",
    "Changed in Acumatica",
)
CHUNK = 2000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def orders_csv(orders: QuerySet) -> Iterator[str]:
    """CSV lines of ``orders`` (already filtered, scoped and sorted), the header first."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for chunk in _chunks(orders.select_related("store", "store__merchant").iterator(CHUNK)):
        orders_with_fulfillment_summary(chunk)
        for order in chunk:
            yield writer.writerow([_safe(value) for value in _row(order)])


def _chunks(rows: Iterable, size: int = CHUNK) -> Iterator[list]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _row(order) -> list:
    return [
        order.erp_order_type,
        order.erp_order_nbr,
        order.erp_shipment_nbr,
        order.store.name,
        order.store.merchant.name,
        order.get_status_display(),
        order.status_reason,
        order.customer_reference,
        order.fulfillment_count,
        order.fulfillment_worst_label,
        " ".join(order.shipment_nbrs),
        _utc(order.imported_at),
        _utc(order.updated_at),
        "yes" if order.changed_at_source else "",
    ]


def _utc(value) -> str:
    return timezone.localtime(value, dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _safe(value) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value

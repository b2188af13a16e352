"""What an import asks Acumatica for (the adapter): entity, ``$filter`` and ``$expand`` per mode
and per kind of scan.

Full scans (the first import, a re-scan) filter on the eligible statuses: an open-orders scan
costs pages in proportion to what is open, not to the tenant's history.

Incremental scans filter only on what never changes for a record (order type, warehouse) and
on the last-modified time, not on status. That costs a few records the importer then skips, and
buys two things: (1) an order cancelled, put on hold or completed after import is seen (its
LastModified moves, but a status filter would hide it) and leaves the warehouse queue; (2) the
result set only grows while it is paged — a record never drops out of it between two pages —
so ``$skip`` paging cannot jump over a record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from connector.acumatica import odata

from .mapper import SHIPMENT, last_modified_field

FULL = "full"
INCREMENTAL = "incremental"
SINCE = "since"

SALES_ORDER_EXPAND = ("Details", "ShipToAddress", "ShipToContact")
# Nested paths are listed with their parents, as API.md §3's examples do.
SHIPMENT_EXPAND = (
    "Details",
    "Packages",
    "ShippingSettings",
    "ShippingSettings/ShipToAddress",
    "ShippingSettings/ShipToContact",
)


_ADDRESS = ("AddressLine1", "AddressLine2", "City", "State", "PostalCode", "Country")
_CONTACT = ("BusinessName", "Attention", "Email", "Phone1")
# Only what the import reads (every field exists since Default/20.200.001): pages are a
# fraction of the size, and a field Acumatica cannot fetch in bulk ("Optimization cannot be
# performed", API.md §3) cannot break the import unless the import needs it. The stored raw
# payload is exactly what was asked for.
SALES_ORDER_SELECT = (
    "OrderType",
    "OrderNbr",
    "Status",
    "Hold",
    "LastModified",
    "CustomerID",
    "CustomerOrder",
    "ExternalRef",
    "ShipVia",
    "PreferredWarehouseID",
    "Date",
    "RequestedOn",
    "Description",
    *(
        f"Details/{name}"
        for name in (
            "LineNbr",
            "InventoryID",
            "LineDescription",
            "OrderQty",
            "OpenQty",
            "UOM",
            "WarehouseID",
        )
    ),
    *(f"ShipToAddress/{name}" for name in _ADDRESS),
    *(f"ShipToContact/{name}" for name in _CONTACT),
)
SHIPMENT_SELECT = (
    "ShipmentNbr",
    "Type",
    "Operation",
    "Status",
    "Hold",
    "LastModifiedDateTime",
    "CustomerID",
    "ShipVia",
    "WarehouseID",
    "ShipmentDate",
    "Description",
    *(
        f"Details/{name}"
        for name in (
            "LineNbr",
            "InventoryID",
            "Description",
            "OrderedQty",
            "ShippedQty",
            "OpenQty",
            "UOM",
            "WarehouseID",
            "OrderType",
            "OrderNbr",
            "OrderLineNbr",
        )
    ),
    # Packages already on the shipment (boxes, tracking numbers): kept whole.
    "Packages",
    *(f"ShippingSettings/ShipToAddress/{name}" for name in _ADDRESS),
    *(f"ShippingSettings/ShipToContact/{name}" for name in _CONTACT),
)


@dataclass(frozen=True)
class ScanQuery:
    entity: str
    filter: odata.Filter
    expand: tuple[str, ...]
    select: tuple[str, ...]


def scan_query(
    *,
    source_kind: str,
    scan: str,
    order_type: str,
    warehouse: str = "",
    lower_bound: dt.datetime | None = None,
) -> ScanQuery:
    """``lower_bound`` is required for incremental and since scans (``LastModified ge``)."""
    if scan != FULL and lower_bound is None:
        raise ValueError(f"a {scan} scan needs a lower bound")
    changed_since = (
        odata.ge(last_modified_field(source_kind), lower_bound) if scan != FULL else None
    )
    if source_kind == SHIPMENT:
        return ScanQuery(
            entity="Shipment",
            filter=odata.and_(
                odata.eq("Status", "Open") if scan == FULL else None,
                odata.eq("WarehouseID", warehouse) if warehouse else None,
                changed_since,
            ),
            expand=SHIPMENT_EXPAND,
            select=SHIPMENT_SELECT,
        )
    eligible = None
    if scan == FULL:
        eligible = odata.and_(odata.in_("Status", ["Open", "Back Order"]), odata.eq("Hold", False))
    return ScanQuery(
        entity="SalesOrder",
        filter=odata.and_(odata.eq("OrderType", order_type), eligible, changed_since),
        expand=SALES_ORDER_EXPAND,
        select=SALES_ORDER_SELECT,
    )


def out_of_scope(*, source_kind: str, record: dict, order_type: str, warehouse: str = "") -> str:
    """Why a record is outside what every scan of the store asks for — the parts of
    :func:`scan_query`'s ``$filter`` that never change for a record (order type in sales-order
    mode, warehouse in shipment mode) — or "" when it is inside. Read-only checks on one live
    record (single-order import, diagnosis) use it so that they can never disagree with the
    scans."""
    if source_kind == SHIPMENT:
        if not warehouse:
            return ""
        found = _plain_value(record, "WarehouseID")
        if found != warehouse:
            return (
                f"the shipment is for warehouse {found or '(none)'}, not the store's warehouse "
                f"{warehouse}"
            )
        return ""
    found = _plain_value(record, "OrderType")
    if found != order_type:
        return f"order type {found or '(none)'} is not the store's order type {order_type}"
    return ""


def _plain_value(record: dict, name: str) -> str:
    node = record.get(name) if isinstance(record, dict) else None
    value = node.get("value") if isinstance(node, dict) else node
    return value.strip() if isinstance(value, str) else ""

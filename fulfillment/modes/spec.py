"""The two import modes, one spec object each: what differs between importing open Sales Orders
(``SALES_ORDERS``) and open Shipments (``SHIPMENTS``, the store's "Import orders via shipments").

Everything mode-specific lives here — the entity and its keys, ``$filter``/``$expand``/``$select``,
the mapper, which statuses are open or held, how a key is typed, how a document is named, and the
write-back plan (create a new Shipment or complete the imported one). Code elsewhere asks the
store's mode (``mode_for(store)``) or a record's (``mode_of(source_kind)``) and never tests which
mode it is. Pure: no database, no HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from connector.acumatica import odata

from .. import lengths
from .mapping import MappedOrder, map_sales_order, map_shipment

_ORDER_TYPE = re.compile(rf"^[A-Za-z0-9]{{1,{lengths.ORDER_TYPE}}}$")
_NUMBER = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{lengths.DOCUMENT_NBR - 1}}}$")

_ADDRESS = ("AddressLine1", "AddressLine2", "City", "State", "PostalCode", "Country")
_CONTACT = ("BusinessName", "Attention", "Email", "Phone1")


class KeyInvalid(ValueError):
    """What was typed is not a key of this mode; the message says what one looks like."""


@dataclass(frozen=True)
class Mode:
    source_kind: str  # stored on orders, runs and cursors
    label: str  # "Sales order"
    plural: str  # "Sales orders"
    entity: str  # the Acumatica entity read
    key_fields: tuple[str, ...]  # the record's business key in Acumatica
    order_key_fields: tuple[str, ...]  # the same key on our Order
    last_modified_field: str  # API.md §3: LastModified / LastModifiedDateTime
    expand: tuple[str, ...]
    # Only what the import reads (every field exists since Default/20.200.001): pages are a
    # fraction of the size, and a field Acumatica cannot fetch in bulk ("Optimization cannot
    # be performed", API.md §3) cannot break the import unless it needs it. Names here (and
    # last_modified_field, the statuses, the filters) are the connector's vocabulary,
    # Default/24.200.001's: the client writes them as the store's endpoint version names them
    # (26.200.001: LastModifiedDateTime, drop-downs by ID) from connector.acumatica.endpoints.
    select: tuple[str, ...]
    open_statuses: frozenset[str]  # casefolded
    held_statuses: frozenset[str]  # casefolded; the Hold box always holds
    wanted_statuses: str  # for people: "Open or Back Order"
    # Push notifications: the table of the generic inquiry to create and the columns it shows
    # (the key columns are what a notification's rows are read by).
    inquiry_table: str
    inquiry_columns: tuple[str, ...]
    held_reason: str  # why an order is on hold at source; {status} is Acumatica's status
    closed_reason: str  # why an order left the warehouse queue at source
    mapper: Callable[[Mapping[str, Any], Mode], MappedOrder]
    # Write-back plan: PUT a new Shipment for the order's lines (sales orders), or complete the
    # imported Shipment, which takes one fulfillment (shipments).
    creates_shipment: bool

    @property
    def takes_one_fulfillment(self) -> bool:
        """An imported Shipment is confirmed once: what it did not ship goes back to its sales
        order, for a new Shipment that is imported as an order of its own."""
        return not self.creates_shipment

    def map(self, record: Mapping[str, Any]) -> MappedOrder:
        return self.mapper(record, self)

    def order_key(self, order) -> tuple[str, ...]:
        """The key of an Order row (or a ``values()`` dict of one)."""
        if isinstance(order, Mapping):
            return tuple(order[name] for name in self.order_key_fields)
        return tuple(getattr(order, name) for name in self.order_key_fields)

    def key_filter(self, keys) -> dict[str, Any]:
        """Order lookup narrowing to these keys by their number (the caller matches whole keys)."""
        number = self.order_key_fields[-1]
        return {f"{number}__in": {key[-1] for key in keys}}

    # Overridden per mode.
    def scan_filter(self, *, full: bool, order_type: str, warehouse: str) -> odata.Filter | None:
        raise NotImplementedError

    def out_of_scope(self, record: Mapping[str, Any], *, order_type: str, warehouse: str) -> str:
        raise NotImplementedError

    def scope(self, *, order_type: str, warehouse: str) -> tuple[str, str, str]:
        """(check name, what the store imports, the phrase for "only imports …")."""
        raise NotImplementedError

    def parse_key(self, parts: list[str], *, order_type: str) -> tuple[str, ...]:
        raise NotImplementedError

    def reads(self, *, order_type: str, warehouse: str) -> tuple[str, str]:
        """What the store's scans read: ("Sales orders of type SO", "SO order")."""
        raise NotImplementedError

    def number_hint(self, *, order_type: str) -> str:
        raise NotImplementedError

    def document_label(self, order) -> str:
        raise NotImplementedError

    def key_text_of(self, order) -> str:
        """The key as run reports name records ("SO 000123", "000045")."""
        return " ".join(self.order_key(order))

    def line_source(self, order, line) -> tuple[str, str, int | None, int | None]:
        """(order type, order number, sales-order line, shipment line) a shipped line refers to."""
        raise NotImplementedError


class _SalesOrders(Mode):
    def scan_filter(self, *, full, order_type, warehouse):
        eligible = None
        if full:
            eligible = odata.and_(
                odata.in_("Status", ["Open", "Back Order"]), odata.eq("Hold", False)
            )
        return odata.and_(odata.eq("OrderType", order_type), eligible)

    def out_of_scope(self, record, *, order_type, warehouse):
        found = _plain_value(record, "OrderType")
        if found != order_type:
            return f"order type {found or '(none)'} is not the store's order type {order_type}"
        return ""

    def scope(self, *, order_type, warehouse):
        return "Order type", f"{order_type}, the store's order type.", "its order type"

    def parse_key(self, parts, *, order_type):
        if len(parts) == 1:
            kind, number = order_type, parts[0]
        elif len(parts) == 2:
            kind, number = parts[0].upper(), parts[1]
        else:
            raise KeyInvalid("Enter an order number, e.g. 000123 or SO/000123.")
        if not _ORDER_TYPE.match(kind):
            raise KeyInvalid(f"{kind!r} is not an order type (e.g. SO).")
        if not _NUMBER.match(number):
            raise KeyInvalid(
                "Enter an order number (letters, digits, '-', '_' or '.'), e.g. 000123."
            )
        return (kind, number)

    def reads(self, *, order_type, warehouse):
        return f"Sales orders of type {order_type}", f"{order_type} order"

    def number_hint(self, *, order_type):
        return (
            f"check the order type (this store imports {order_type} orders) and the number, "
            "with its leading zeros (e.g. 000123)"
        )

    def document_label(self, order):
        return f"{order.erp_order_type} {order.erp_order_nbr}"

    def line_source(self, order, line):
        return order.erp_order_type, order.erp_order_nbr, line.line_nbr, None


class _Shipments(Mode):
    def scan_filter(self, *, full, order_type, warehouse):
        parts = [
            odata.eq("Status", "Open") if full else None,
            odata.eq("WarehouseID", warehouse) if warehouse else None,
        ]
        return odata.and_(*parts) if any(parts) else None

    def out_of_scope(self, record, *, order_type, warehouse):
        if not warehouse:
            return ""
        found = _plain_value(record, "WarehouseID")
        if found != warehouse:
            return (
                f"the shipment is for warehouse {found or '(none)'}, not the store's warehouse "
                f"{warehouse}"
            )
        return ""

    def scope(self, *, order_type, warehouse):
        imports = (
            f"Warehouse {warehouse}, the store's."
            if warehouse
            else "The store imports shipments of every warehouse."
        )
        return "Warehouse", imports, "its warehouse"

    def parse_key(self, parts, *, order_type):
        if len(parts) != 1 or not _NUMBER.match(parts[0]):
            raise KeyInvalid(
                "Enter a shipment number (letters, digits, '-', '_' or '.'), e.g. 000045."
            )
        return (parts[0],)

    def reads(self, *, order_type, warehouse):
        where = f" of warehouse {warehouse}" if warehouse else ""
        return f"Shipments{where}", "shipment"

    def number_hint(self, *, order_type):
        return "check the number"

    def document_label(self, order):
        return f"Shipment {order.erp_shipment_nbr}"

    def line_source(self, order, line):
        return (
            line.erp_order_type or order.erp_order_type,
            line.erp_order_nbr or order.erp_order_nbr,
            line.erp_order_line_nbr,
            line.line_nbr,
        )


SALES_ORDERS = _SalesOrders(
    source_kind="sales_order",
    label="Sales order",
    plural="Sales orders",
    entity="SalesOrder",
    key_fields=("OrderType", "OrderNbr"),
    order_key_fields=("erp_order_type", "erp_order_nbr"),
    last_modified_field="LastModified",
    expand=("Details", "ShipToAddress", "ShipToContact"),
    select=(
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
    ),
    open_statuses=frozenset({"open", "back order"}),
    # Sales-order statuses that stop shipping until someone releases the order.
    held_statuses=frozenset(
        {"on hold", "credit hold", "pending approval", "awaiting payment", "pending processing"}
    ),
    wanted_statuses="Open or Back Order",
    inquiry_table="SOOrder (Sales Order)",
    inquiry_columns=("OrderType", "OrderNbr", "Status", "Hold", "LastModifiedDateTime"),
    held_reason="On hold in Acumatica ({status}).",
    closed_reason="Order is {status} in Acumatica.",
    mapper=map_sales_order,
    creates_shipment=True,
)

SHIPMENTS = _Shipments(
    source_kind="shipment",
    label="Shipment",
    plural="Shipments",
    entity="Shipment",
    key_fields=("ShipmentNbr",),
    order_key_fields=("erp_shipment_nbr",),
    last_modified_field="LastModifiedDateTime",
    # Nested paths are listed with their parents, as API.md §3's examples do.
    expand=(
        "Details",
        "Packages",
        "ShippingSettings",
        "ShippingSettings/ShipToAddress",
        "ShippingSettings/ShipToContact",
    ),
    select=(
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
    ),
    open_statuses=frozenset({"open"}),
    held_statuses=frozenset({"on hold"}),
    wanted_statuses="Open",
    inquiry_table="SOShipment (Shipment)",
    inquiry_columns=("ShipmentNbr", "Status", "Hold", "SiteID", "LastModifiedDateTime"),
    held_reason="Shipment on hold in Acumatica.",
    closed_reason="Shipment is {status} in Acumatica.",
    mapper=map_shipment,
    creates_shipment=False,
)

MODES = {mode.source_kind: mode for mode in (SALES_ORDERS, SHIPMENTS)}


def mode_of(source_kind: str) -> Mode:
    """The mode an order, run or cursor was imported in."""
    return MODES[source_kind]


def mode_for(store) -> Mode:
    """The mode the store imports in (its "Import orders via shipments" setting)."""
    return SHIPMENTS if store.shipment_mode else SALES_ORDERS


def _plain_value(record: Mapping[str, Any], name: str) -> str:
    node = record.get(name) if isinstance(record, Mapping) else None
    value = node.get("value") if isinstance(node, Mapping) else node
    return value.strip() if isinstance(value, str) else ""

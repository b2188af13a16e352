"""PUT Shipment: create a shipment from sales orders, edit its lines, write packages and
tracking numbers (API.md §5 "Concrete fulfillment flows", examples/put_Shipment_*.json).

A detail with OrderType/OrderNbr and no OrderLineNbr takes every line of that order still to be
shipped from the shipment's warehouse; with OrderLineNbr it takes that line (ShippedQty, or the
sum of its Allocations, or everything still open). Only orders that are Open or Back Order can be
shipped. A shipment that is no longer On Hold or Open ignores changes (its form is read-only).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import shipments
from .data import Record, normalize_key
from .orders import SHIPPABLE_STATES, line_available
from .package_writes import write_package
from .shipments import EDITABLE_STATES, OPERATIONS, SHIPMENT_TYPES
from .writes import (
    WriteContext,
    assign,
    differs,
    given,
    merge_lines,
    value_of,
)

ZERO = Decimal(0)
HEADER = frozenset(
    {
        "Type",
        "Operation",
        "CustomerID",
        "LocationID",
        "WarehouseID",
        "ShipmentDate",
        "Description",
        "ShipVia",
        "Hold",
        "ControlQty",
        "FOBPoint",
        "ShippingTerms",
        "ShippingZoneID",
        "ResidentialDelivery",
        "SaturdayDelivery",
        "Insurance",
        "GroundCollect",
        "UseCustomersAccount",
        "Owner",
        "WorkgroupID",
        "EffectiveDate",
        "Picked",
        "FreightCost",
        "OverrideFreightPrice",
        "FreightPrice",
        "CreateNewShipmentForEveryOrder",
        "UnlimitedPackages",
    }
)
# Fixed once the shipment exists (the form disables them).
HEADER_INSERT_ONLY = frozenset({"Type", "Operation", "CustomerID", "WarehouseID"})
LINE = frozenset({"ShippedQty", "LocationID", "LotSerialNbr", "ReasonCode", "ExpirationDate"})
ALLOCATION = frozenset(
    {"InventoryID", "LocationID", "LotSerialNbr", "Qty", "UOM", "ExpirationDate", "Description"}
)
SHIP_TO = frozenset({"ShipToAddressOverride", "ShipToContactOverride"})


class ShipmentWriter:
    record_name = "Shipment"

    def new(self, w: WriteContext, body: dict) -> Record:
        today = w.now.astimezone(w.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        shipment = shipments.new_shipment(
            w.data, customer_id=None, warehouse_id=None, shipment_date=today
        )
        shipment["ShipmentNbr"] = "<NEW>"
        return shipment

    def apply(self, w: WriteContext, shipment: Record, body: dict) -> None:
        inserted = w.inserting
        if not inserted and shipment["Status"] not in EDITABLE_STATES:
            w.notes["read_only"] = True
            return
        entities = w.schema.entities
        # What this shipment held before the PUT counts as available to it again.
        w.notes["own_qty"] = _qty_by_order_line(shipment) if not inserted else {}
        writable = HEADER if inserted else HEADER - HEADER_INSERT_ONLY
        assign(w, entities["Shipment"], shipment, body, writable, "Shipment", inserted=inserted)
        _check_header(w, shipment, inserted)
        if isinstance(body.get("Details"), list):
            merge_lines(
                w,
                entities["ShipmentDetail"],
                shipment["Details"],
                body["Details"],
                insert=lambda item: _insert_lines(w, shipment, item),
                update=lambda line, item: _update_line(w, line, item),
            )
        if isinstance(body.get("Packages"), list):
            merge_lines(
                w,
                entities["ShipmentPackage"],
                shipment["Packages"],
                body["Packages"],
                insert=lambda item: [
                    write_package(w, shipment, {"id": w.data.new_id()}, item, True)
                ],
                update=lambda package, item: write_package(w, shipment, package, item, False),
            )
        # After the lines: the ship-to copied from the first order is what the body overrides.
        if isinstance(body.get("ShippingSettings"), dict):
            _apply_ship_to(w, shipment, body["ShippingSettings"], inserted)
        if given(body, "Hold") and shipment.get("Hold") is not None:
            shipment["Status"] = "On Hold" if shipment["Hold"] else "Open"
        if inserted:
            for name in ("CustomerID", "WarehouseID"):
                if not shipment.get(name) and name not in shipment.get("_errors", {}):
                    w.empty(shipment, name, "Shipment", inserted=True)
        _check_quantities(w, shipment)
        shipments.recalc(w.data, shipment)

    def save(self, w: WriteContext, shipment: Record, original: Record | None) -> Record:
        data = w.data
        if original is None:
            shipment["ShipmentNbr"] = data.next_number("shipment")
            shipment["NoteID"] = shipment["id"]
            shipment["CreatedDateTime"] = shipment["LastModifiedDateTime"] = w.now
            shipments.recalc(data, shipment)
            data.insert("Shipment", shipment)
        elif differs(shipment, original, frozenset({"LastModifiedDateTime"})):
            shipment["LastModifiedDateTime"] = w.now
            data.replace("Shipment", shipment)
        else:
            return original
        keys = shipments.order_keys(original) | shipments.order_keys(shipment)
        shipments.refresh_orders(data, keys, w.now)
        return shipment


def _check_header(w: WriteContext, shipment: Record, inserted: bool) -> None:
    lookups = w.data.lookups
    if shipment.get("Type") not in SHIPMENT_TYPES:
        w.error(
            shipment,
            "Type",
            f"The value '{shipment.get('Type')}' is not in the list of allowed values.",
            "Shipment",
            inserted=inserted,
        )
    if shipment.get("Operation") not in OPERATIONS:
        w.error(
            shipment,
            "Operation",
            f"The value '{shipment.get('Operation')}' is not in the list of allowed values.",
            "Shipment",
            inserted=inserted,
        )
    checks = (
        ("CustomerID", lookups.customers),
        ("WarehouseID", lookups.warehouses),
        ("ShipVia", lookups.ship_vias),
    )
    for name, known in checks:
        value = shipment.get(name)
        if value is not None and value.upper() not in known:
            w.not_found(shipment, name, "Shipment", inserted=inserted)
        elif value is not None:
            shipment[name] = value.upper()


def _apply_ship_to(w: WriteContext, shipment: Record, body: dict, inserted: bool) -> None:
    entities = w.schema.entities
    settings = shipment.setdefault("ShippingSettings", {"id": w.data.new_id()})
    assign(w, entities["ShipToSettings"], settings, body, SHIP_TO, "Shipment", inserted=inserted)
    for name, entity in (("ShipToAddress", "Address"), ("ShipToContact", "DocContact")):
        if isinstance(body.get(name), dict):
            target = settings.setdefault(name, {"id": w.data.new_id()})
            fields = {f.name for f in entities[entity].value_fields}
            if assign(
                w, entities[entity], target, body[name], fields, "Shipment", inserted=inserted
            ):
                settings[f"{name}Override"] = True


def _insert_lines(w: WriteContext, shipment: Record, item: dict) -> list[Record]:
    """The shipment lines one inserted detail stands for (an echo of the detail carrying the
    error when it cannot be taken from an order)."""
    data = w.data
    echo: Record = {"id": data.new_id(), "Allocations": [], "note": ""}
    echoed = {"OrderType", "OrderNbr", "OrderLineNbr", "ShippedQty", "InventoryID"}
    assign(
        w, w.schema.entities["ShipmentDetail"], echo, item, echoed, "Shipment Line", inserted=True
    )
    order_type = (value_of(item, "OrderType") or "").strip().upper()
    order_nbr = (value_of(item, "OrderNbr") or "").strip()

    def refuse(name: str, message: str | None = None) -> list[Record]:
        if message is None:
            w.not_found(echo, name, "Shipment Line", inserted=True)
        else:
            w.error(echo, name, message, "Shipment Line", inserted=True)
        return [echo]

    if not order_type:
        w.empty(echo, "OrderType", "Shipment Line", inserted=True)
        return [echo]
    if not order_nbr:
        w.empty(echo, "OrderNbr", "Shipment Line", inserted=True)
        return [echo]
    order = data.find("SalesOrder", (order_type, order_nbr))
    if order is None:
        return refuse("OrderNbr")
    label = f"{order['OrderType']} {order['OrderNbr']}"
    if order["Status"] not in SHIPPABLE_STATES:
        return refuse(
            "OrderNbr",
            f"The sales order {label} cannot be shipped because it has the "
            f"{order['Status']} status.",
        )
    customer = shipment.get("CustomerID")
    if customer and normalize_key([customer]) != normalize_key([order["CustomerID"]]):
        return refuse(
            "OrderNbr",
            f"The sales order {label} belongs to the customer "
            f"{order['CustomerID']}, not to the shipment's customer {customer}.",
        )
    if not customer:
        shipment["CustomerID"] = order["CustomerID"]
    if not shipment.get("ShippingSettings"):
        shipments.copy_ship_to(data, shipment, order)
    warehouse = shipment.get("WarehouseID")
    if not warehouse or warehouse not in data.lookups.warehouses:
        return [echo]  # the shipment itself carries the warehouse error
    line_nbr = value_of(item, "OrderLineNbr")
    if line_nbr is not None:
        order_line = next(
            (ln for ln in order["Details"] if ln.get("LineNbr") == int(line_nbr)), None
        )
        if order_line is None:
            return refuse("OrderLineNbr")
        if order_line.get("WarehouseID") != warehouse:
            return refuse(
                "OrderLineNbr",
                f"Line {line_nbr} of the sales order {label} is "
                f"shipped from the {order_line.get('WarehouseID')} warehouse, not from "
                f"{warehouse}.",
            )
        chosen = [order_line]
    else:
        chosen = [
            ln
            for ln in order["Details"]
            if ln.get("WarehouseID") == warehouse and line_available(ln) > 0
        ]
        if not chosen:
            return refuse(
                "OrderNbr",
                f"The sales order {label} has no lines to be shipped from "
                f"the {warehouse} warehouse.",
            )
    created = []
    for order_line in chosen:
        # Defaults to what is still unshipped; _check_quantities holds the total to the limit.
        line = shipments.line_from_order(data, order, order_line, None)
        if line_nbr is not None:
            _update_line(w, line, item, inserted=True)
        created.append(line)
    return created


def _still_open(w: WriteContext, order: Record, order_line: Record) -> Decimal:
    own = w.notes.get("own_qty", {}).get(
        (order["OrderType"], order["OrderNbr"], order_line.get("LineNbr")), ZERO
    )
    return line_available(order_line) + own


def _update_line(w: WriteContext, line: Record, item: dict, *, inserted: bool = False) -> None:
    entities = w.schema.entities
    assign(w, entities["ShipmentDetail"], line, item, LINE, "Shipment Line", inserted=inserted)
    if isinstance(item.get("Allocations"), list):
        merge_lines(
            w,
            entities["ShipmentDetailAllocation"],
            line["Allocations"],
            item["Allocations"],
            insert=lambda sub: [_allocation(w, line, {"id": w.data.new_id(), "note": ""}, sub)],
            update=lambda allocation, sub: _allocation(w, line, allocation, sub),
        )
        if not given(item, "ShippedQty"):
            line["ShippedQty"] = sum((a.get("Qty") or ZERO for a in line["Allocations"]), ZERO)
    qty = line.get("ShippedQty")
    if qty is not None and qty < 0:
        w.error(
            line,
            "ShippedQty",
            "'Shipped Qty.' must be greater than or equal to 0.",
            "Shipment Line",
            inserted=inserted,
        )


def _allocation(w: WriteContext, line: Record, allocation: Record, item: dict) -> Record:
    assign(
        w,
        w.schema.entities["ShipmentDetailAllocation"],
        allocation,
        item,
        ALLOCATION,
        "Shipment Line Split",
        inserted=True,
    )
    inventory = allocation.get("InventoryID")
    if inventory and normalize_key([inventory]) != normalize_key([line.get("InventoryID")]):
        w.error(
            allocation,
            "InventoryID",
            f"The allocation is for {inventory}, the line ships {line.get('InventoryID')}.",
            "Shipment Line Split",
            inserted=True,
        )
    return allocation


def _qty_by_order_line(shipment: Record) -> dict[tuple, Decimal]:
    totals: dict[tuple, Decimal] = {}
    for line in shipment.get("Details", []):
        key = (line.get("OrderType"), line.get("OrderNbr"), line.get("OrderLineNbr"))
        totals[key] = totals.get(key, ZERO) + (line.get("ShippedQty") or ZERO)
    return totals


def _check_quantities(w: WriteContext, shipment: Record) -> None:
    """No order line may go on shipments beyond its quantity (overship threshold included)."""
    used: dict[tuple, list[Any]] = {}
    for line in shipment.get("Details", []):
        if line.get("OrderLineNbr") is None or line.get("_errors"):
            continue
        key = (line.get("OrderType"), line.get("OrderNbr"), line.get("OrderLineNbr"))
        entry = used.setdefault(key, [ZERO, line])
        entry[0] += line.get("ShippedQty") or ZERO
        entry[1] = line
    for (order_type, order_nbr, line_nbr), (qty, last_line) in used.items():
        order = w.data.find("SalesOrder", (order_type, order_nbr))
        if order is None:
            continue
        order_line = next((ln for ln in order["Details"] if ln.get("LineNbr") == line_nbr), None)
        if order_line is None:
            continue
        limit = _still_open(w, order, order_line)
        if qty > limit:
            w.error(
                last_line,
                "ShippedQty",
                f"The shipped quantity ({qty.normalize():f}) exceeds "
                f"the open quantity of line {line_nbr} of the sales order {order_type} "
                f"{order_nbr} ({limit.normalize():f}).",
                "Shipment Line",
                inserted=w.inserting,
            )

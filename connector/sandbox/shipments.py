"""Shipment rules: lines taken from sales order lines, allocations, packages, the totals the
Shipments form computes, and keeping the linked orders in step."""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from . import orders

if TYPE_CHECKING:
    from .data import Record, SandboxData

ZERO = Decimal(0)
# A shipment can be changed, and confirmed only from Open (API.md §4.2).
EDITABLE_STATES = frozenset({"On Hold", "Open"})
SHIPMENT_TYPES = ("Shipment", "Transfer")
OPERATIONS = ("Issue", "Receipt")


def new_shipment(
    data: SandboxData,
    *,
    customer_id: str | None,
    warehouse_id: str | None,
    shipment_date: datetime,
    hold: bool | None = None,
) -> Record:
    """An unsaved shipment with the Shipments form's defaults; ShipmentNbr is given on save."""
    on_hold = data.config.hold_shipments_on_entry if hold is None else hold
    now = data.now()
    return {
        "id": data.new_id(),
        "ShipmentNbr": None,
        "Type": "Shipment",
        "Operation": "Issue",
        "Status": "On Hold" if on_hold else "Open",
        "Hold": on_hold,
        "CustomerID": customer_id,
        "LocationID": "MAIN",
        "WarehouseID": warehouse_id,
        "ShipmentDate": shipment_date,
        "EffectiveDate": shipment_date,
        "CreatedDateTime": now,
        "LastModifiedDateTime": now,
        "BaseCurrencyID": data.lookups.base_currency,
        "CurrencyRate": Decimal(1),
        "ReciprocalRate": Decimal(1),
        "CurrencyRateTypeID": None,
        "CurrencyViewState": False,
        "FreightCurrencyID": data.lookups.base_currency,
        "FreightCost": ZERO,
        "FreightPrice": ZERO,
        "OverrideFreightPrice": False,
        "ControlQty": ZERO,
        "CreateNewShipmentForEveryOrder": False,
        "GroundCollect": False,
        "Insurance": False,
        "ResidentialDelivery": False,
        "SaturdayDelivery": False,
        "UseCustomersAccount": False,
        "UnlimitedPackages": False,
        "Picked": False,
        "Details": [],
        "Packages": [],
        "Orders": [],
        "note": "",
    }


def copy_ship_to(data: SandboxData, shipment: Record, order: Record) -> None:
    """The shipment's ship-to settings and carrier come from the (first) order."""
    shipment["ShippingSettings"] = {
        "id": data.new_id(),
        "ShipToAddress": {**copy.deepcopy(order.get("ShipToAddress") or {}), "id": data.new_id()},
        "ShipToContact": {**copy.deepcopy(order.get("ShipToContact") or {}), "id": data.new_id()},
        "ShipToAddressOverride": bool(order.get("ShipToAddressOverride")),
        "ShipToContactOverride": bool(order.get("ShipToContactOverride")),
        "Validated": bool((order.get("ShipToAddress") or {}).get("Validated")),
    }
    if not shipment.get("ShipVia"):
        shipment["ShipVia"] = order.get("ShipVia")
    if not shipment.get("CustomerID"):
        shipment["CustomerID"] = order.get("CustomerID")
    settings = order.get("ShippingSettings") or {}
    shipment.setdefault("FOBPoint", settings.get("FOBPoint"))
    shipment.setdefault("ShippingTerms", settings.get("ShippingTerms"))
    shipment.setdefault("ShippingZoneID", settings.get("ShippingZone"))


def line_from_order(
    data: SandboxData, order: Record, order_line: Record, qty: Decimal | None
) -> Record:
    """A shipment line for ``qty`` (default: all that is still available) of an order line."""
    available = orders.line_available(order_line)
    return {
        "id": data.new_id(),
        "OrderType": order["OrderType"],
        "OrderNbr": order["OrderNbr"],
        "OrderLineNbr": order_line["LineNbr"],
        "InventoryID": order_line.get("InventoryID"),
        "Description": order_line.get("LineDescription"),
        "UOM": order_line.get("UOM"),
        "WarehouseID": order_line.get("WarehouseID"),
        "LocationID": data.lookups.warehouses.get(order_line.get("WarehouseID"), {}).get(
            "DefaultLocation"
        ),
        "OrderedQty": order_line.get("OrderQty"),
        "OpenQty": available,
        "OriginalQty": available,
        "ShippedQty": available if qty is None else qty,
        "FreeItem": bool(order_line.get("FreeItem")),
        "Allocations": [],
        "note": "",
    }


def recalc(data: SandboxData, shipment: Record) -> None:
    """Line numbers, default allocations, weights and the shipment and per-order totals."""
    total_qty = total_weight = total_volume = ZERO
    per_order: dict[tuple, list[Decimal]] = {}
    for number, line in enumerate(shipment.get("Details", []), start=1):
        line["LineNbr"] = number
        qty = line.get("ShippedQty") or ZERO
        _sync_allocations(data, shipment, line, qty)
        item = data.find("StockItem", [line.get("InventoryID")]) or {}
        line["_weight"] = (item.get("DimensionWeight") or ZERO) * qty
        line["_volume"] = (item.get("DimensionVolume") or ZERO) * qty
        total_qty += qty
        total_weight += line["_weight"]
        total_volume += line["_volume"]
        sums = per_order.setdefault((line.get("OrderType"), line.get("OrderNbr")), [ZERO] * 3)
        sums[0] += qty
        sums[1] += line["_weight"]
        sums[2] += line["_volume"]
    for number, package in enumerate(shipment.get("Packages", []), start=1):
        package["LineNbr"] = number
        package.setdefault("Type", "Manual")
        package["UOM"] = data.lookups.weight_uom
        for split, content in enumerate(package.get("PackageContents", []), start=1):
            content.setdefault("ShipmentSplitLineNbr", split)
    shipment["ShippedQty"] = total_qty
    shipment["ShippedWeight"] = total_weight
    shipment["ShippedVolume"] = total_volume
    shipment["PackageCount"] = len(shipment.get("Packages", []))
    shipment["PackageWeight"] = sum(
        (p.get("Weight") or ZERO for p in shipment.get("Packages", [])), ZERO
    )
    previous = {(o.get("OrderType"), o.get("OrderNbr")): o for o in shipment.get("Orders", [])}
    rows = []
    for (order_type, order_nbr), (qty, weight, volume) in per_order.items():
        order = data.find("SalesOrder", (order_type, order_nbr))
        row = previous.get((order_type, order_nbr)) or {"id": data.new_id()}
        row.update(
            OrderType=order_type,
            OrderNbr=order_nbr,
            ShipmentNbr=shipment.get("ShipmentNbr"),
            ShipmentType=shipment.get("Type"),
            ShippedQty=qty,
            ShippedWeight=weight,
            ShippedVolume=volume,
            OrderNoteID=order["id"] if order else None,
        )
        if shipment.get("_invoice"):
            row.update(InvoiceType="Invoice", InvoiceNbr=shipment["_invoice"])
        rows.append(row)
    shipment["Orders"] = rows


def _sync_allocations(data: SandboxData, shipment: Record, line: Record, qty: Decimal) -> None:
    """Acumatica allocates a line it was not given allocations for to the warehouse's default
    location; a single allocation follows the line's quantity."""
    allocations = line.setdefault("Allocations", [])
    if not allocations:
        allocations.append({"id": data.new_id(), "Qty": qty, "note": ""})
    if len(allocations) == 1:
        allocations[0]["Qty"] = qty
    for split, allocation in enumerate(allocations, start=1):
        allocation["SplitLineNbr"] = split
        allocation.setdefault("InventoryID", line.get("InventoryID"))
        allocation.setdefault("UOM", line.get("UOM"))
        allocation.setdefault("LocationID", line.get("LocationID"))
        allocation["OrderType"] = line.get("OrderType")
        allocation["OrderNbr"] = line.get("OrderNbr")


def order_keys(shipment: Record | None) -> set[tuple]:
    if not shipment:
        return set()
    return {(line.get("OrderType"), line.get("OrderNbr")) for line in shipment.get("Details", [])}


def refresh_orders(data: SandboxData, keys: set[tuple], now: datetime) -> None:
    """Re-derive the given orders after their shipments changed; an order whose quantities or
    status moved is saved with a new LastModified."""
    for key in keys:
        stored = data.find("SalesOrder", key)
        if stored is None:
            continue
        order = copy.deepcopy(stored)
        if orders.refresh_from_shipments(data, order):
            order["LastModified"] = now
            for line in order.get("Details", []):
                line["LastModifiedDate"] = now
        data.replace("SalesOrder", order)

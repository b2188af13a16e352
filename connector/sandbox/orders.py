"""Sales order rules: totals, line quantities as shipments move them, and the order status.

Quantities follow the SOLine DAC (DECOMP PX.Objects/SO/SOLine.cs): ``QtyOnShipments`` is what is
"being prepared for shipment and already shipped" (every shipment, open or confirmed);
``OpenQty`` is the ordered quantity minus what confirmed shipments shipped, 0 once the line is
completed. Both are derived from the shipments on every change, never kept as counters.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .data import Record, SandboxData

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Shipment statuses whose quantities count as shipped for the order (confirmed or beyond).
SHIPPED_STATES = frozenset({"Confirmed", "Invoiced", "Partially Invoiced", "Completed"})
UNCONFIRMED_STATES = frozenset({"On Hold", "Open"})
# Statuses the order moves between by itself as shipments are created and confirmed.
FLOW_STATES = frozenset({"Open", "Back Order", "Shipping", "Completed"})
# Orders a shipment may take lines from: Open and Back Order (API.md §4.2), and Shipping, whose
# lines in another warehouse (or left over) still need their own shipment.
SHIPPABLE_STATES = frozenset({"Open", "Back Order", "Shipping"})
# CancelSalesOrder is available from these (DOC SO_30_10_00 via API.md §4.2).
CANCELABLE_STATES = frozenset({"On Hold", "Open", "Awaiting Payment", "Credit Hold"})
HOLDABLE_STATES = frozenset(
    {"Open", "Back Order", "Credit Hold", "Pending Approval", "Awaiting Payment"}
)
# Closed documents: a PUT changes nothing on them (the form's fields are disabled).
LOCKED_STATES = frozenset({"Completed", "Canceled", "Invoiced"})


def recalc_totals(order: Record) -> None:
    """Line amounts and the order's quantity and money totals (no tax or discounts)."""
    ordered = ZERO
    total = ZERO
    for line in order.get("Details", []):
        qty = line.get("OrderQty") or ZERO
        price = line.get("UnitPrice") or ZERO
        amount = (qty * price).quantize(Decimal("0.01"))
        line["ExtendedPrice"] = amount
        line["Amount"] = amount
        line["DiscountedUnitPrice"] = price
        line["UnbilledAmount"] = amount
        ordered += qty
        total += amount
    order["OrderedQty"] = ordered
    order["OrderTotal"] = total
    order["ControlTotal"] = total
    order["TaxTotal"] = ZERO


def line_available(line: Record) -> Decimal:
    """What a new shipment may still take from the line (overship threshold included)."""
    if line.get("Completed"):
        return ZERO
    threshold = line.get("OvershipThreshold") or HUNDRED
    limit = (line.get("OrderQty") or ZERO) * threshold / HUNDRED
    return max(limit - (line.get("QtyOnShipments") or ZERO), ZERO)


def refresh_from_shipments(data: SandboxData, order: Record) -> bool:
    """Recompute line quantities, the Shipments rows and (for an order in the shipping flow) the
    status from the order's shipments. True when a line quantity or the status changed, i.e.
    when Acumatica would have saved the order itself (and bumped LastModified)."""
    shipments = data.shipments_of_order(order["OrderType"], order["OrderNbr"])
    on_shipments: dict[int, Decimal] = {}
    shipped: dict[int, Decimal] = {}
    rows = []
    for shipment in shipments:
        qty = weight = volume = ZERO
        for line in shipment.get("Details", []):
            if (line.get("OrderType"), line.get("OrderNbr")) != (
                order["OrderType"],
                order["OrderNbr"],
            ):
                continue
            nbr = line.get("OrderLineNbr")
            line_qty = line.get("ShippedQty") or ZERO
            on_shipments[nbr] = on_shipments.get(nbr, ZERO) + line_qty
            if shipment["Status"] in SHIPPED_STATES:
                shipped[nbr] = shipped.get(nbr, ZERO) + line_qty
            qty += line_qty
            weight += line.get("_weight", ZERO)
            volume += line.get("_volume", ZERO)
        rows.append(_shipment_row(order, shipment, qty, weight, volume))
    changed = False
    for line in order.get("Details", []):
        nbr = line.get("LineNbr")
        ordered = line.get("OrderQty") or ZERO
        done = shipped.get(nbr, ZERO)
        undership = line.get("UndershipThreshold") or HUNDRED
        # A canceled order closes every line; otherwise a line is done once confirmed
        # shipments reach the undership threshold.
        completed = order["Status"] == "Canceled" or (
            ordered > 0 and done >= ordered * undership / HUNDRED
        )
        new = {
            "QtyOnShipments": on_shipments.get(nbr, ZERO),
            "OpenQty": ZERO if completed else max(ordered - done, ZERO),
            "Completed": completed,
        }
        if any(line.get(k) != v for k, v in new.items()):
            changed = True
            line.update(new)
    order["Shipments"] = rows
    if order["Status"] in FLOW_STATES:
        status = derive_status(order, shipments)
        if status != order["Status"]:
            order["Status"] = status
            changed = True
    return changed


def derive_status(order: Record, shipments: list[Record]) -> str:
    """Shipping while a shipment is unconfirmed; Completed when every line is; Back Order when
    something shipped but lines remain (shipping rule "Back Order Allowed"); else Open."""
    if any(s["Status"] in UNCONFIRMED_STATES for s in shipments):
        return "Shipping"
    lines = order.get("Details", [])
    if lines and all(line.get("Completed") for line in lines):
        return "Completed"
    if any(s["Status"] in SHIPPED_STATES for s in shipments):
        return "Back Order"
    return "Open"


def _shipment_row(order: Record, shipment: Record, qty, weight, volume) -> Record:
    row = {
        # Stable per (shipment, order): the row is a view of SOOrderShipment, not stored itself.
        "id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"{shipment['id']}/{order['id']}")),
        "ShipmentNbr": shipment["ShipmentNbr"],
        "ShipmentType": shipment.get("Type"),
        "ShipmentDate": shipment.get("ShipmentDate"),
        "ShippedQty": qty,
        "ShippedWeight": weight,
        "ShippedVolume": volume,
        "Status": shipment["Status"],
        "LastModifiedDateTime": shipment.get("LastModifiedDateTime"),
        "OrderNoteID": order["id"],
        "ShippingNoteID": shipment["id"],
    }
    invoice = shipment.get("_invoice")
    if invoice:
        row.update(
            InvoiceType="Invoice",
            InvoiceNbr=invoice,
            InventoryDocType="Issue",
            InventoryRefNbr=shipment.get("_inventory_ref"),
        )
    return row

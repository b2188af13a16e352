"""The bodies sent to Acumatica for a :class:`~.plan.ShipmentPlan` (pure: no database, no HTTP).

Bodies are plain dicts; the client wraps every field as ``{"value": …}`` (API.md §4.1).

* Sales-order mode: one ``PUT Shipment`` creates the Shipment from the order lines
  (``Details`` with OrderType/OrderNbr/OrderLineNbr/ShippedQty), with its packages (box, weight,
  tracking number, dimensions, ``CustomRefNbr1`` = the fulfillment reference, and the package
  contents when the store sends them) and ``Hold: false``, so that a store with "Hold Shipments
  on Entry" does not cost a second request (API.md §4.2: there is no RemoveHold action).
* Shipment mode: one ``PUT Shipment`` on the existing ShipmentNbr sets the Ship Via, each line's
  shipped quantity (the lines the warehouse did not ship are set to 0, so what was not shipped
  stays open on the sales order once the shipment is confirmed), adds the packages and removes
  the placeholder packages Acumatica or a person left without a tracking number. Packages that
  already carry a tracking number and are not this fulfillment's stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.acumatica.values import value_of

from .plan import PackagePlan, ShipmentPlan

SHIPMENT_TYPE = "Shipment"


def expand_for(plan: ShipmentPlan) -> tuple[str, ...]:
    """What every Shipment read or write asks back: what the read-back compares."""
    parts = ("Details", "Packages")
    return (*parts, "Packages/PackageContents") if plan.include_contents else parts


def shipment_keys(shipment_nbr: str) -> dict[str, Any]:
    return {"Type": SHIPMENT_TYPE, "ShipmentNbr": shipment_nbr}


def new_shipment_body(plan: ShipmentPlan) -> dict[str, Any]:
    if not plan.creates_shipment:
        raise ValueError("a shipment-mode fulfillment updates its Shipment; it never creates one")
    return {
        "Type": SHIPMENT_TYPE,
        "CustomerID": plan.customer_id,
        "WarehouseID": plan.warehouse_id,
        "ShipmentDate": plan.shipment_date.isoformat(),
        "ShipVia": plan.ship_via,
        "Description": plan.description,
        "Hold": False,
        "Details": [
            {
                "OrderType": line.order_type,
                "OrderNbr": line.order_nbr,
                "OrderLineNbr": line.order_line_nbr,
                "ShippedQty": line.quantity,
            }
            for line in plan.lines
        ],
        "Packages": [package_body(plan, package) for package in plan.packages],
    }


def shipment_update_body(
    plan: ShipmentPlan, existing: Mapping[str, Any], *, add_packages: bool = True
) -> dict[str, Any]:
    """Shipment mode. ``existing`` is the Shipment as just read (same session, so its detail
    ids are valid in this PUT); lines and packages are addressed by those ids."""
    line_ids = {value_of(line, "LineNbr"): line.get("id") for line in existing.get("Details") or []}
    details = []
    wanted = [(line.shipment_line_nbr, line.quantity) for line in plan.lines]
    wanted += [(nbr, 0) for nbr in plan.unshipped_line_nbrs]
    for line_nbr, quantity in wanted:
        line_id = line_ids.get(line_nbr)
        address = {"id": line_id} if line_id else {"LineNbr": line_nbr}
        details.append({**address, "ShippedQty": quantity})
    body: dict[str, Any] = {
        **shipment_keys(plan.shipment_nbr),
        "ShipVia": plan.ship_via,
        "Hold": False,
        "Details": details,
    }
    if add_packages:
        removed = [
            {"id": package["id"], "delete": True}
            for package in existing.get("Packages") or []
            if package.get("id") and is_placeholder(package, plan.reference)
        ]
        body["Packages"] = removed + [package_body(plan, package) for package in plan.packages]
    return body


def is_placeholder(package: Mapping[str, Any], reference: str) -> bool:
    """A package nobody shipped yet: no tracking number and not written by this fulfillment."""
    return (
        not (value_of(package, "TrackingNbr") or "").strip()
        and (value_of(package, "CustomRefNbr1") or "").strip() != reference
    )


def package_body(plan: ShipmentPlan, package: PackagePlan) -> dict[str, Any]:
    body: dict[str, Any] = {
        "BoxID": package.box_id,
        "Weight": package.weight,
        "TrackingNbr": package.tracking_number,
        "CustomRefNbr1": plan.reference,
    }
    for name in ("Length", "Width", "Height"):
        value = getattr(package, name.lower())
        if value is not None:
            body[name] = value
    if plan.include_contents and package.contents:
        body["PackageContents"] = [
            {
                "InventoryID": content.inventory_id,
                "Quantity": content.quantity,
                "UOM": content.uom,
                "OrigOrderType": content.order_type,
                "OrigOrderNbr": content.order_nbr,
            }
            for content in package.contents
        ]
    return body


def release_hold_body(shipment_nbr: str) -> dict[str, Any]:
    return {**shipment_keys(shipment_nbr), "Hold": False}

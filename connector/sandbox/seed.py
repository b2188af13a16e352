"""Deterministic demo data: setup lookups, stock items, sales orders in every status and the
shipments those statuses imply.

The same ``seed`` and ``orders`` always give the same records, ids and timestamps (a fixed
anchor, not the wall clock), so a failing test can be replayed. What a 3PL integration needs to
meet is there on purpose: orders of types other than SO, every SO status, lines spread over
several warehouses, overridden ship-to addresses, open/on-hold/confirmed shipments with packages
(some with tracking numbers) and groups of orders sharing one LastModified value.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from . import orders, shipments
from .config import SandboxConfig
from .data import SandboxData, format_guid
from .seed_catalog import (
    BOX_IDS,
    BOXES,
    CUSTOMER_IDS,
    CUSTOMERS,
    ORDER_TYPES,
    OTHER_TYPES,
    SHIP_VIA_IDS,
    SHIP_VIAS,
    SO_STATUSES,
    STOCK_ITEMS,
    WAREHOUSE_IDS,
    WAREHOUSES,
)

if TYPE_CHECKING:
    from .data import Record

ANCHOR = datetime(2025, 1, 15, 17, 30, tzinfo=UTC)
D = Decimal


def seeded_data(config: SandboxConfig, *, clock) -> SandboxData:
    """A new SandboxData holding the demo data of ``config`` (its seed and order count)."""
    data = SandboxData(config, clock=clock)
    seed_data(data, seed=config.seed, orders=config.orders)
    return data


def seed_data(data: SandboxData, *, seed: int, orders: int, max_lines: int = 5) -> None:
    """Replace everything in ``data`` with the demo data for ``seed``."""
    with data.lock:
        data.clear()
        rng = random.Random(seed)
        data.id_source = random.Random(rng.getrandbits(64))
        _lookups(data)
        items = _stock_items(data, rng)
        _orders(data, rng, items, count=orders, max_lines=max(1, max_lines))
        # Seeded last, so that adding them changed no id or timestamp seeded before.
        _setup_records(data, rng)
        data.touch()


def _uuid(rng: random.Random) -> str:
    return format_guid(rng.getrandbits(128))


def _lookups(data: SandboxData) -> None:
    lookups = data.lookups
    lookups.warehouses = {k: dict(v) for k, v in WAREHOUSES.items()}
    lookups.boxes = {k: dict(v) for k, v in BOXES.items()}
    lookups.ship_vias = {k: dict(v) for k, v in SHIP_VIAS.items()}
    lookups.order_types = {k: dict(v) for k, v in ORDER_TYPES.items()}
    lookups.customers = {}
    for cid, name, street, city, state, postal, country in CUSTOMERS:
        lookups.customers[cid] = {
            "Name": name,
            "Address": {
                "AddressLine1": street,
                "City": city,
                "State": state or None,
                "PostalCode": postal,
                "Country": country,
            },
            "Contact": {
                "BusinessName": name,
                "Attention": "Receiving",
                "Email": f"orders@{cid.lower()}.example",
                "Phone1": "+1 555 0100",
            },
            "ShipVia": "UPSGROUND" if country == "US" else "FEDEX2DAY",
        }


def _setup_records(data: SandboxData, rng: random.Random) -> None:
    """The Warehouse, ShippingBox and ShipVia records, read from the lookups that PUT
    validation uses, so what GET lists is exactly what a write accepts."""
    lookups = data.lookups
    for index, (warehouse_id, warehouse) in enumerate(sorted(lookups.warehouses.items())):
        location = warehouse["DefaultLocation"]
        modified = ANCHOR - timedelta(days=400 - index, minutes=rng.randint(0, 600))
        data.insert(
            "Warehouse",
            {
                "id": _uuid(rng),
                "WarehouseID": warehouse_id,
                "Description": warehouse["Description"],
                "Active": True,
                "ReceivingLocationID": location,
                "ShippingLocationID": location,
                "RMALocationID": location,
                "DropShipLocationID": location,
                "NonStockPickingLocationID": location,
                "UseItemDefaultLocationForPicking": True,
                "OverrideInventoryAccountSubaccount": False,
                "LastModifiedDateTime": modified,
                "note": "",
            },
        )
    for box_id, box in sorted(lookups.boxes.items()):
        volume = D(box["Length"] * box["Width"] * box["Height"]) / D(1728)
        data.insert(
            "ShippingBox",
            {
                "id": _uuid(rng),
                "BoxID": box_id,
                "Description": box["Description"],
                "BoxWeight": D(box["BoxWeight"]),
                "MaxWeight": D(box["MaxWeight"]),
                "Length": D(box["Length"]),
                "Width": D(box["Width"]),
                "Height": D(box["Height"]),
                "MaxVolume": volume.quantize(D("0.0001")),
                "ActiveByDefault": True,
                "WeightUOM": lookups.weight_uom,
                "LinearUOM": "IN",
                "VolumeUOM": "FT3",
                "note": "",
            },
        )
    for carrier_id, ship_via in sorted(lookups.ship_vias.items()):
        data.insert(
            "ShipVia",
            {
                "id": _uuid(rng),
                "CarrierID": carrier_id,
                "Description": ship_via["Description"],
                # A Ship Via with a carrier plug-in is a common carrier (UPS, FedEx, USPS).
                "CommonCarrier": ship_via["Carrier"] is not None,
                "CalculationMethod": "Manual",
                "note": "",
            },
        )


def _stock_items(data: SandboxData, rng: random.Random) -> list[Record]:
    items = []
    for index, (inv, desc, weight, volume, price, warehouse, status) in enumerate(STOCK_ITEMS):
        modified = ANCHOR - timedelta(days=200 - index, minutes=rng.randint(0, 600))
        record = {
            "id": _uuid(rng),
            "InventoryID": inv,
            "Description": desc,
            "ItemStatus": status,
            "ItemType": "Finished Good",
            "ItemClass": "STOCKITEM",
            "PostingClass": "STOCKITEM",
            "LotSerialClass": "NOTTRACKED",
            "ValuationMethod": "Average",
            "BaseUOM": "EA",
            "SalesUOM": "EA",
            "PurchaseUOM": "EA",
            "WeightUOM": data.lookups.weight_uom,
            "VolumeUOM": "FT3",
            "DimensionWeight": D(weight),
            "DimensionVolume": D(volume),
            "DefaultWarehouseID": warehouse,
            "DefaultIssueLocationID": WAREHOUSES[warehouse]["DefaultLocation"],
            "DefaultReceiptLocationID": WAREHOUSES[warehouse]["DefaultLocation"],
            "DefaultPrice": D(price),
            "MSRP": D(price),
            "AverageCost": (D(price) * D("0.55")).quantize(D("0.01")),
            "LastCost": (D(price) * D("0.57")).quantize(D("0.01")),
            "TaxCategory": "TAXABLE",
            "IsAKit": False,
            "PackagingOption": "Manual",
            "PackSeparately": False,
            "SubjectToCommission": False,
            "ExportToExternal": True,
            "Visibility": "Visible",
            "Availability": "Set as Available (Track Qty)",
            "LastModified": modified,
            "LastModifiedDateTime": modified,
            "note": "",
        }
        record["NoteID"] = record["id"]
        data.insert("StockItem", record)
        items.append(record)
    return items


def _orders(data, rng, items, *, count: int, max_lines: int) -> None:
    sellable = [i for i in items if i["ItemStatus"] == "Active"]
    labels = [s for s, _ in SO_STATUSES]
    weights = [w for _, w in SO_STATUSES]
    moment = ANCHOR - timedelta(days=60)
    late_edits = []
    shipping = 0
    for index in range(count):
        if index < len(labels):
            order_type, status = "SO", labels[index]  # every status at least once
        elif rng.random() < 0.08:
            order_type, status = rng.choice(OTHER_TYPES)
        else:
            order_type, status = "SO", rng.choices(labels, weights)[0]
        # Ties: some orders share the previous order's LastModified exactly, some its second.
        roll = rng.random()
        if index in (4, 5) or (index > 12 and roll < 0.12):
            pass
        elif index == 8 or (index > 12 and roll < 0.16):
            moment = moment.replace(microsecond=0) + timedelta(milliseconds=rng.randint(1, 999))
        else:
            moment += timedelta(seconds=rng.randint(30, 5400), milliseconds=rng.randint(0, 999))
        order = _order(data, rng, sellable, order_type, status, moment, max_lines)
        data.insert("SalesOrder", order)
        if status == "Shipping":
            shipping += 1
        _ship(data, rng, order, status, moment, shipping)
        if index > 12 and rng.random() < 0.08:
            late_edits.append(order)
    # Orders edited later than newer ones: key order and LastModified order differ.
    for order in late_edits:
        when = moment + timedelta(minutes=rng.randint(1, 600))
        order["LastModified"] = when.replace(microsecond=when.microsecond // 1000 * 1000)


def _order(data, rng, sellable, order_type, status, moment, max_lines) -> Record:
    customer_id = rng.choice(CUSTOMER_IDS)
    customer = data.lookups.customers[customer_id]
    created = moment - timedelta(hours=rng.randint(0, 48))
    date = created.astimezone(data.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    order_id = _uuid(rng)
    ship_via = customer["ShipVia"] if rng.random() < 0.7 else rng.choice(SHIP_VIA_IDS)
    home = rng.choice(WAREHOUSE_IDS)
    lines = []
    picked = rng.sample(sellable, k=min(len(sellable), rng.randint(1, max_lines)))
    for number, item in enumerate(picked, start=1):
        # Most lines ship from the order's warehouse, some from another: split shipments.
        warehouse = home if rng.random() < 0.7 else rng.choice(WAREHOUSE_IDS)
        qty = D(rng.choice([1, 1, 2, 2, 3, 4, 5, 6, 10, 12, 24]))
        lines.append(_order_line(rng, item, number, qty, warehouse, date, moment))
    ship_to = dict(customer["Address"])
    override = rng.random() < 0.2
    if override:
        ship_to.update(
            AddressLine1=f"{rng.randint(10, 999)} Distribution Ave",
            AddressLine2=f"Dock {rng.randint(1, 9)}",
        )
    order = {
        "id": order_id,
        "NoteID": order_id,
        "OrderType": order_type,
        "OrderNbr": data.next_number(order_type),
        "Status": status if status not in orders.FLOW_STATES else "Open",
        "Hold": status == "On Hold",
        "CreditHold": status == "Credit Hold",
        "Approved": status not in ("Pending Approval", "Rejected"),
        "CustomerID": customer_id,
        "LocationID": "MAIN",
        "CustomerOrder": f"PO-{rng.randint(10000, 99999)}" if rng.random() < 0.8 else None,
        "ExternalRef": f"#{1000 + rng.randint(0, 99999)}" if rng.random() < 0.4 else None,
        "Description": f"Order from {customer['Name']}",
        "Date": date,
        "RequestedOn": date + timedelta(days=rng.randint(1, 10)),
        "EffectiveDate": date,
        "CreatedDate": created,
        "LastModified": moment,
        "CurrencyID": "USD" if customer["Address"]["Country"] == "US" else "CAD",
        "BaseCurrencyID": data.lookups.base_currency,
        "CurrencyRate": D(1),
        "ReciprocalRate": D(1),
        "ShipVia": ship_via,
        "PreferredWarehouseID": home,
        "DestinationWarehouseID": "EAST" if order_type == "TR" else None,
        "Branch": "HEADOFFICE",
        "Project": "X",
        "PaymentMethod": "CHECK",
        "IsTaxValid": True,
        "TaxCalcMode": "Tax Settings",
        "DisableAutomaticDiscountUpdate": False,
        "DisableAutomaticTaxCalculation": False,
        "WillCall": ship_via == "LOCAL",
        "ExternalOrderOriginal": False,
        "UsrExternalOrderOriginal": False,
        "VATExemptTotal": D(0),
        "VATTaxableTotal": D(0),
        "ShipToAddressOverride": override,
        "ShipToContactOverride": False,
        "ShipToAddressValidated": False,
        "BillToAddressOverride": False,
        "BillToContactOverride": False,
        "BillToAddressValidated": False,
        "ShipToAddress": {"id": _uuid(rng), **ship_to, "Validated": False},
        "ShipToContact": {"id": _uuid(rng), **customer["Contact"]},
        "BillToAddress": {"id": _uuid(rng), **customer["Address"], "Validated": False},
        "BillToContact": {"id": _uuid(rng), **customer["Contact"]},
        "ShippingSettings": {
            "id": _uuid(rng),
            "ShipVia": ship_via,
            "ShippingRule": "Back Order Allowed",
            "PreferredWarehouseID": home,
            "Priority": 0,
            "Canceled": status == "Canceled",
            "CancelByDate": date + timedelta(days=30),
            "ScheduledShipmentDate": date + timedelta(days=1),
            "ShippingTerms": "FOB",
            "FOBPoint": "ORIGIN",
            "GroundCollect": False,
            "Insurance": False,
            "ResidentialDelivery": False,
            "SaturdayDelivery": False,
            "ShipSeparately": False,
            "UseCustomersAccount": False,
            "FreightCost": D(0),
            "FreightPrice": D(0),
            "FreightCostIsuptodate": True,
            "OverrideFreightPrice": False,
            "PremiumFreight": D(0),
        },
        "Details": lines,
        "Shipments": [],
        "note": "",
    }
    orders.recalc_totals(order)
    settings = order["ShippingSettings"]
    settings["OrderWeight"] = sum((_weight_of(data, ln) for ln in lines), D(0))
    settings["OrderVolume"] = D(0)
    settings["PackageWeight"] = D(0)
    for line in lines:
        line["OpenQty"] = D(0) if status == "Canceled" else line["OrderQty"]
        line["Completed"] = status == "Canceled"
    return order


def _weight_of(data, line) -> Decimal:
    item = data.find("StockItem", [line["InventoryID"]])
    return (item.get("DimensionWeight") or D(0)) * line["OrderQty"] if item else D(0)


def _order_line(rng, item, number, qty, warehouse, date, moment) -> Record:
    line_id = _uuid(rng)
    return {
        "id": line_id,
        "NoteID": line_id,
        "LineNbr": number,
        "InventoryID": item["InventoryID"],
        "LineDescription": item["Description"],
        "LineType": "Goods for IN",
        "Operation": "Issue",
        "OrderQty": qty,
        "UnitPrice": item["DefaultPrice"],
        "UnitCost": item["AverageCost"],
        "AverageCost": item["AverageCost"],
        "UOM": item["BaseUOM"],
        "WarehouseID": warehouse,
        "Branch": "HEADOFFICE",
        "TaxCategory": "TAXABLE",
        "ShippingRule": "Back Order Allowed",
        "OvershipThreshold": D(100),
        "UndershipThreshold": D(100),
        "QtyOnShipments": D(0),
        "DiscountAmount": D(0),
        "DiscountPercent": D(0),
        "RequestedOn": date,
        "ShipOn": date,
        "SchedOrderDate": date,
        "LastModifiedDate": moment,
        "FreeItem": False,
        "ManualDiscount": False,
        "ManualPrice": False,
        "MarkForPO": False,
        "AutoCreateIssue": False,
        "CalculateDiscountsOnImport": False,
        "Commissionable": True,
        "note": "",
    }


def _ship(data, rng, order, status, moment, shipping: int) -> None:
    """Create the shipments the order's status implies, then derive the order from them."""
    if status not in ("Shipping", "Back Order", "Completed", "Invoiced"):
        return
    by_warehouse: dict[str, list[Record]] = {}
    for line in order["Details"]:
        by_warehouse.setdefault(line["WarehouseID"], []).append(line)
    groups = sorted(by_warehouse.items())
    if status == "Shipping":
        groups = groups[:1]
    if status == "Back Order":
        if groups[0][1][0]["OrderQty"] < 2:
            groups[0][1][0]["OrderQty"] = D(2)
            orders.recalc_totals(order)
        groups = groups[:1]
    for position, (warehouse, lines) in enumerate(groups):
        shipment_status = {
            # Alternate, so even a small seed has both an Open and an On Hold shipment.
            "Shipping": "Open" if shipping % 2 else "On Hold",
            "Back Order": "Confirmed",
            "Completed": "Confirmed",
            "Invoiced": "Invoiced",
        }[status]
        shipment = shipments.new_shipment(
            data,
            customer_id=order["CustomerID"],
            warehouse_id=warehouse,
            shipment_date=order["Date"] + timedelta(days=1),
            hold=shipment_status == "On Hold",
        )
        shipment["id"] = _uuid(rng)
        shipment["NoteID"] = shipment["id"]
        shipment["Status"] = shipment_status
        shipment["CreatedDateTime"] = shipment["LastModifiedDateTime"] = moment
        shipment["ShipmentNbr"] = data.next_number("shipment")
        shipments.copy_ship_to(data, shipment, order)
        for number, line in enumerate(lines):
            qty = line["OrderQty"]
            if status == "Back Order" and position == 0 and number == 0:
                qty = line["OrderQty"] - 1  # leave something on back order
            detail = shipments.line_from_order(data, order, line, qty)
            detail["id"] = _uuid(rng)
            shipment["Details"].append(detail)
        if shipment_status != "On Hold" or rng.random() < 0.3:
            # Open shipments: every other one already has its tracking numbers.
            tracked = shipment_status not in ("Open", "On Hold") or shipping % 4 == 1
            _packages(
                data,
                rng,
                shipment,
                confirmed=shipment_status not in ("Open", "On Hold"),
                tracked=tracked,
            )
        if shipment_status == "Invoiced":
            shipment["_invoice"] = data.next_number("invoice")
            shipment["_inventory_ref"] = data.next_number("issue")
        shipments.recalc(data, shipment)
        data.insert("Shipment", shipment)
    orders.refresh_from_shipments(data, order)
    if status == "Invoiced":
        order["Status"] = "Invoiced"


def _packages(data, rng, shipment, *, confirmed: bool, tracked: bool) -> None:
    """One or two packages; confirmed shipments always have tracking numbers, open ones
    sometimes (the warehouse may not have shipped yet)."""
    carrier = SHIP_VIAS.get(shipment.get("ShipVia") or "", {}).get("Carrier")
    count = 1 if len(shipment["Details"]) < 3 else 2
    for _ in range(count):
        box = rng.choice(BOX_IDS)
        tracking = None
        if tracked:
            tracking = _tracking_number(rng, carrier)
        shipment["Packages"].append(
            {
                "id": _uuid(rng),
                "BoxID": box,
                "Description": BOXES[box]["Description"],
                "Weight": D(rng.randint(5, 200)) / 10,
                "Length": D(BOXES[box]["Length"]),
                "Width": D(BOXES[box]["Width"]),
                "Height": D(BOXES[box]["Height"]),
                "TrackingNbr": tracking,
                "Confirmed": confirmed,
                "DeclaredValue": D(0),
                "CODAmount": D(0),
                "PackageContents": [],
                "note": "",
            }
        )
        shipment["Packages"][-1]["NoteID"] = shipment["Packages"][-1]["id"]


def _tracking_number(rng: random.Random, carrier: str | None) -> str | None:
    if carrier == "UPS":
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))
    if carrier == "FEDEX":
        return "".join(rng.choice("0123456789") for _ in range(12))
    if carrier == "USPS":
        return "9400" + "".join(rng.choice("0123456789") for _ in range(18))
    return None

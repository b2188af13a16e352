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
from .data import format_guid

if TYPE_CHECKING:
    from .data import Record, SandboxData

ANCHOR = datetime(2025, 1, 15, 17, 30, tzinfo=UTC)
D = Decimal

WAREHOUSES = {
    "WHOLESALE": {"Description": "Wholesale Warehouse", "DefaultLocation": "R1S1"},
    "RETAIL": {"Description": "Retail Warehouse", "DefaultLocation": "MAIN"},
    "EAST": {"Description": "East Coast Warehouse", "DefaultLocation": "A01"},
}
# BoxID → dimensions (inches) and limits; BoxID is at most 15 characters (CSBox).
BOXES = {
    "SMALL": {"Description": "Small box 10x8x4", "Length": 10, "Width": 8, "Height": 4,
              "BoxWeight": D("0.5"), "MaxWeight": 10},
    "MEDIUM": {"Description": "Medium box 16x12x8", "Length": 16, "Width": 12, "Height": 8,
               "BoxWeight": D("1.0"), "MaxWeight": 30},
    "LARGE": {"Description": "Large box 24x18x12", "Length": 24, "Width": 18, "Height": 12,
              "BoxWeight": D("1.8"), "MaxWeight": 70},
    "ENVELOPE": {"Description": "Padded envelope", "Length": 12, "Width": 9, "Height": 1,
                 "BoxWeight": D("0.1"), "MaxWeight": 2},
}  # fmt: skip
SHIP_VIAS = {
    "UPSGROUND": {"Description": "UPS Ground", "Carrier": "UPS"},
    "FEDEX2DAY": {"Description": "FedEx 2Day", "Carrier": "FEDEX"},
    "FEDEXGROUND": {"Description": "FedEx Ground", "Carrier": "FEDEX"},
    "USPSPRIORITY": {"Description": "USPS Priority Mail", "Carrier": "USPS"},
    "LOCAL": {"Description": "Local delivery", "Carrier": None},
}
ORDER_TYPES = {
    "SO": {"Description": "Sales Order", "Behavior": "SO", "Active": True},
    "RM": {"Description": "RMA Order", "Behavior": "RM", "Active": True},
    "QT": {"Description": "Quote", "Behavior": "QT", "Active": True},
    "TR": {"Description": "Transfer", "Behavior": "TR", "Active": True},
    "IN": {"Description": "Invoice", "Behavior": "IN", "Active": True},
}
# (InventoryID, description, unit weight lb, unit volume ft3, price, default warehouse, status)
STOCK_ITEMS = [
    ("AACOMPUT01", "Acer laptop 14in", "4.2", "0.35", "899.00", "WHOLESALE", "Active"),
    ("AALEGO500", "Building bricks set 500 pieces", "2.1", "0.20", "49.99", "RETAIL", "Active"),
    ("BCHAIR-OAK", "Oak dining chair", "14.0", "4.00", "129.00", "WHOLESALE", "Active"),
    ("BLENDER700", "Blender 700W", "6.5", "0.60", "79.90", "EAST", "Active"),
    ("CABLE-USBC1M", "USB-C cable 1 m", "0.1", "0.01", "9.99", "RETAIL", "Active"),
    ("CANDLE-VAN", "Vanilla scented candle", "0.8", "0.05", "14.50", "EAST", "Active"),
    ("COFFEE-1KG", "Coffee beans 1 kg", "2.2", "0.10", "24.00", "EAST", "Active"),
    ("CONGRILL", "Contact grill", "9.0", "0.90", "119.00", "WHOLESALE", "Active"),
    ("DESKLAMP-LED", "LED desk lamp", "1.9", "0.30", "39.00", "RETAIL", "Active"),
    ("DUMBBELL-10", "Dumbbell 10 lb", "10.0", "0.15", "22.00", "WHOLESALE", "Active"),
    ("HDPHONE-BT", "Bluetooth headphones", "0.7", "0.08", "59.00", "RETAIL", "Active"),
    ("JACKET-M-BLU", "Rain jacket M blue", "1.1", "0.12", "89.00", "EAST", "Active"),
    ("KETTLE-STEEL", "Stainless steel kettle", "2.8", "0.40", "45.00", "EAST", "Active"),
    ("MUG-CERAMIC", "Ceramic mug 12 oz", "0.9", "0.03", "8.50", "RETAIL", "Active"),
    ("NOTEBOOK-A5", "A5 notebook dotted", "0.5", "0.02", "6.90", "RETAIL", "Active"),
    ("PAN-NONSTICK", "Non-stick frying pan 28 cm", "3.3", "0.25", "34.00", "WHOLESALE", "Active"),
    ("PILLOW-MEM", "Memory foam pillow", "2.5", "0.90", "42.00", "WHOLESALE", "Active"),
    ("PRINTER-INK", "Printer ink cartridge black", "0.3", "0.01", "27.00", "EAST", "Active"),
    ("RUG-WOOL-5X8", "Wool rug 5x8 ft", "18.0", "3.00", "249.00", "WHOLESALE", "Active"),
    ("SHOES-RUN-42", "Running shoes EU 42", "1.6", "0.30", "110.00", "EAST", "Active"),
    ("SOAP-LAV-6PK", "Lavender soap 6 pack", "1.4", "0.05", "18.00", "RETAIL", "Active"),
    ("SPEAKER-MINI", "Mini speaker", "0.9", "0.05", "35.00", "RETAIL", "Active"),
    ("TEA-GREEN-100", "Green tea 100 bags", "0.4", "0.03", "11.00", "EAST", "Active"),
    ("TENT-2P", "Two-person tent", "6.0", "1.20", "189.00", "WHOLESALE", "Active"),
    ("TOWEL-BATH", "Bath towel cotton", "1.3", "0.10", "19.00", "EAST", "Active"),
    ("WATCH-SPORT", "Sport watch", "0.3", "0.02", "199.00", "RETAIL", "Active"),
    ("YOGAMAT-6MM", "Yoga mat 6 mm", "2.4", "0.40", "29.00", "WHOLESALE", "Active"),
    ("OLDPHONE-X", "Discontinued phone model X", "0.5", "0.02", "299.00", "RETAIL", "Inactive"),
    ("SAMPLE-KIT", "Sales sample kit", "3.0", "0.30", "0.00", "WHOLESALE", "No Sales"),
]
CUSTOMERS = [
    ("ABCSTUDIOS", "ABC Studios Inc", "1200 Sunset Blvd", "Los Angeles", "CA", "90028", "US"),
    ("ALPHAOUTFIT", "Alpha Outfitters", "45 Pine Street", "Seattle", "WA", "98101", "US"),
    ("BEACHHOUSE", "Beach House Goods", "9 Ocean Drive", "Miami", "FL", "33139", "US"),
    ("CITYCAFE", "City Cafe Supplies", "300 Market St", "San Francisco", "CA", "94105", "US"),
    ("GOODFOOD", "Good Food One Ltd", "77 King Street", "Toronto", "ON", "M5H 1J9", "CA"),
    ("HOMEPLUS", "Home Plus Retail", "18 Elm Avenue", "Chicago", "IL", "60601", "US"),
    ("MAPLEHOME", "Maple Home Decor", "560 Rue Sainte-Catherine", "Montreal", "QC", "H3B 1B1",
     "CA"),
    ("NORTHWIND", "Northwind Traders", "2 Harbor Way", "Boston", "MA", "02110", "US"),
    ("PEAKSPORTS", "Peak Sports Co", "88 Summit Rd", "Denver", "CO", "80202", "US"),
    ("THAMESLTD", "Thames Trading Ltd", "10 Strand", "London", "", "WC2N 5HR", "GB"),
    ("URBANLOFT", "Urban Loft Interiors", "415 Broadway", "New York", "NY", "10013", "US"),
    ("ZENWELL", "Zen Wellness", "12 Lotus Lane", "Austin", "TX", "78701", "US"),
]  # fmt: skip
SO_STATUSES = [
    ("Open", 40), ("On Hold", 8), ("Back Order", 7), ("Shipping", 10), ("Completed", 12),
    ("Canceled", 5), ("Credit Hold", 4), ("Pending Approval", 3), ("Awaiting Payment", 3),
    ("Pending Processing", 2), ("Rejected", 2), ("Invoiced", 4),
]  # fmt: skip
OTHER_TYPES = [("RM", "Open"), ("RM", "Completed"), ("QT", "Open"), ("TR", "Open"), ("IN", "Open")]


def seed_data(data: SandboxData, *, seed: int, orders: int, max_lines: int = 5) -> None:
    """Replace everything in ``data`` with the demo data for ``seed``."""
    with data.lock:
        data.clear()
        rng = random.Random(seed)
        data.id_source = random.Random(rng.getrandbits(64))
        _lookups(data)
        items = _stock_items(data, rng)
        _orders(data, rng, items, count=orders, max_lines=max(1, max_lines))
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
            "Address": {"AddressLine1": street, "City": city, "State": state or None,
                        "PostalCode": postal, "Country": country},
            "Contact": {"BusinessName": name, "Attention": "Receiving",
                        "Email": f"orders@{cid.lower()}.example", "Phone1": "+1 555 0100"},
            "ShipVia": "UPSGROUND" if country == "US" else "FEDEX2DAY",
        }  # fmt: skip


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
        _ship(data, rng, order, status, moment)
        if index > 12 and rng.random() < 0.08:
            late_edits.append(order)
    # Orders edited later than newer ones: key order and LastModified order differ.
    for order in late_edits:
        when = moment + timedelta(minutes=rng.randint(1, 600))
        order["LastModified"] = when.replace(microsecond=when.microsecond // 1000 * 1000)


def _order(data, rng, sellable, order_type, status, moment, max_lines) -> Record:
    customer_id = rng.choice(sorted(data.lookups.customers))
    customer = data.lookups.customers[customer_id]
    created = moment - timedelta(hours=rng.randint(0, 48))
    date = created.astimezone(data.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    order_id = _uuid(rng)
    ship_via = customer["ShipVia"] if rng.random() < 0.7 else rng.choice(sorted(SHIP_VIAS))
    home = rng.choice(sorted(WAREHOUSES))
    lines = []
    picked = rng.sample(sellable, k=min(len(sellable), rng.randint(1, max_lines)))
    for number, item in enumerate(picked, start=1):
        # Most lines ship from the order's warehouse, some from another: split shipments.
        warehouse = home if rng.random() < 0.7 else rng.choice(sorted(WAREHOUSES))
        qty = D(rng.choice([1, 1, 2, 2, 3, 4, 5, 6, 10, 12, 24]))
        lines.append(_order_line(rng, item, number, qty, warehouse, date, moment))
    ship_to = dict(customer["Address"])
    override = rng.random() < 0.2
    if override:
        ship_to.update(AddressLine1=f"{rng.randint(10, 999)} Distribution Ave",
                       AddressLine2=f"Dock {rng.randint(1, 9)}")  # fmt: skip
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


def _ship(data, rng, order, status, moment) -> None:
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
            "Shipping": rng.choice(["Open", "On Hold"]),
            "Back Order": "Confirmed",
            "Completed": "Confirmed",
            "Invoiced": "Invoiced",
        }[status]
        shipment = shipments.new_shipment(
            data, customer_id=order["CustomerID"], warehouse_id=warehouse,
            shipment_date=order["Date"] + timedelta(days=1), hold=shipment_status == "On Hold",
        )  # fmt: skip
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
            _packages(data, rng, shipment, confirmed=shipment_status not in ("Open", "On Hold"))
        if shipment_status == "Invoiced":
            shipment["_invoice"] = data.next_number("invoice")
            shipment["_inventory_ref"] = data.next_number("issue")
        shipments.recalc(data, shipment)
        data.insert("Shipment", shipment)
    orders.refresh_from_shipments(data, order)
    if status == "Invoiced":
        order["Status"] = "Invoiced"


def _packages(data, rng, shipment, *, confirmed: bool) -> None:
    """One or two packages; confirmed shipments always have tracking numbers, open ones
    sometimes (the warehouse may not have shipped yet)."""
    carrier = SHIP_VIAS.get(shipment.get("ShipVia") or "", {}).get("Carrier")
    count = 1 if len(shipment["Details"]) < 3 else 2
    for _ in range(count):
        box = rng.choice(sorted(BOXES))
        tracking = None
        if confirmed or rng.random() < 0.4:
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

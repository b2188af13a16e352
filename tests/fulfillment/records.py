"""Acumatica records built by hand, in the wire shape (wrapped values), for the pure tests."""

from __future__ import annotations

import copy
import uuid
from typing import Any


def w(value: Any) -> dict:
    return {} if value is None else {"value": value}


def sales_order(
    nbr: str = "000123",
    *,
    order_type: str = "SO",
    status: str = "Open",
    hold: bool = False,
    last_modified: str = "2025-01-15T17:30:05.12+00:00",
    lines: list[dict] | None = None,
    **fields: Any,
) -> dict:
    record = {
        "id": str(uuid.uuid4()),
        "rowNumber": 1,
        "note": {"value": ""},
        "OrderType": w(order_type),
        "OrderNbr": w(nbr),
        "Status": w(status),
        "Hold": w(hold),
        "LastModified": w(last_modified),
        "CustomerID": w("GOODFOOD"),
        "CustomerOrder": w("PO-43461"),
        "ExternalRef": {},
        "ShipVia": w("UPSGROUND"),
        "PreferredWarehouseID": w("WHOLESALE"),
        "Date": w("2025-01-14T00:00:00+00:00"),
        "Details": lines
        if lines is not None
        else [line(1, "WATCH-SPORT", 1), line(2, "CABLE-USBC1M", 10, open_qty=4)],
        "ShipToAddress": {
            "id": str(uuid.uuid4()),
            "rowNumber": 1,
            "AddressLine1": w("18 Elm Avenue"),
            "AddressLine2": {},
            "City": w("Chicago"),
            "State": w("IL"),
            "PostalCode": w("60601"),
            "Country": w("US"),
            "custom": {},
        },
        "ShipToContact": {
            "id": str(uuid.uuid4()),
            "rowNumber": 1,
            "BusinessName": w("Good Food One Ltd"),
            "Attention": w("Receiving"),
            "Email": w("orders@goodfood.example"),
            "Phone1": w("+1 555 0100"),
            "custom": {},
        },
        "custom": {},
        "_links": {"self": "/AcumaticaERP/entity/Default/24.200.001/SalesOrder/x"},
    }
    for name, value in fields.items():
        record[name] = w(value)
    return record


def line(
    number: int, inventory: str, qty: float, *, open_qty: float | None = None, **fields
) -> dict:
    record = {
        "id": str(uuid.uuid4()),
        "rowNumber": number,
        "LineNbr": w(number),
        "InventoryID": w(inventory),
        "LineDescription": w(f"{inventory} description"),
        "OrderQty": w(qty),
        "OpenQty": w(qty if open_qty is None else open_qty),
        "UOM": w("EA"),
        "WarehouseID": w("WHOLESALE"),
        "custom": {},
        "_links": {"files:put": "/AcumaticaERP/files/x/{filename}"},
    }
    for name, value in fields.items():
        record[name] = w(value)
    return record


def shipment(
    nbr: str = "000045",
    *,
    status: str = "Open",
    hold: bool = False,
    warehouse: str = "EAST",
    last_modified: str = "2025-01-16T09:00:00+00:00",
) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "rowNumber": 1,
        "ShipmentNbr": w(nbr),
        "Type": w("Shipment"),
        "Operation": w("Issue"),
        "Status": w(status),
        "Hold": w(hold),
        "LastModifiedDateTime": w(last_modified),
        "CustomerID": w("HOMEPLUS"),
        "ShipVia": w("FEDEX2DAY"),
        "WarehouseID": w(warehouse),
        "ShipmentDate": w("2025-01-17T00:00:00+00:00"),
        "Details": [
            {
                "id": str(uuid.uuid4()),
                "LineNbr": w(1),
                "InventoryID": w("RUG-WOOL-5X8"),
                "Description": w("Wool rug 5x8 ft"),
                "OrderedQty": w(2.0),
                "ShippedQty": w(2.0),
                "OpenQty": w(2.0),
                "UOM": w("EA"),
                "WarehouseID": w(warehouse),
                "OrderType": w("SO"),
                "OrderNbr": w("000004"),
                "OrderLineNbr": w(2),
            }
        ],
        "Packages": [],
        "ShippingSettings": {
            "id": str(uuid.uuid4()),
            "ShipToAddress": {
                "id": str(uuid.uuid4()),
                "AddressLine1": w("5 Harbour St"),
                "City": w("Toronto"),
                "State": w("ON"),
                "PostalCode": w("M5J 2N8"),
                "Country": w("CA"),
            },
            "ShipToContact": {"id": str(uuid.uuid4()), "BusinessName": w("Home Plus Retail")},
        },
    }


def reread(record: dict) -> dict:
    """The same record read again in another session: new row numbers, detail ids and links."""
    again = copy.deepcopy(record)

    def scramble(node):
        if isinstance(node, dict):
            if "id" in node and node is not again:
                node["id"] = str(uuid.uuid4())
            if "rowNumber" in node:
                node["rowNumber"] = node["rowNumber"] + 7
            if "_links" in node:
                node["_links"] = {"files:put": f"/other/{uuid.uuid4()}"}
            for value in node.values():
                scramble(value)
        elif isinstance(node, list):
            for item in node:
                scramble(item)

    scramble(again)
    return again

"""What the DACs say about some columns, for PUT validation: how long a value may be, and the
display name Acumatica's error texts use for a field."""

from __future__ import annotations

# Column lengths from the DACs (API.md §4.3; DECOMP SOPackageDetail, SOOrder, SOAddress ...).
# A longer value in a PUT answers 422 with the error on the field.
MAX_LENGTHS: dict[tuple[str, str], int] = {
    ("ShipmentPackage", "TrackingNbr"): 60,
    ("ShipmentPackage", "BoxID"): 15,
    ("ShipmentPackage", "CustomRefNbr1"): 30,
    ("ShipmentPackage", "CustomRefNbr2"): 30,
    ("ShipmentPackage", "Description"): 255,
    ("Shipment", "Description"): 256,
    ("SalesOrder", "Description"): 256,
    ("SalesOrder", "CustomerOrder"): 40,
    ("SalesOrder", "ExternalRef"): 40,
    ("SalesOrderDetail", "LineDescription"): 256,
    ("ShipmentDetail", "Description"): 256,
    ("Address", "AddressLine1"): 50,
    ("Address", "AddressLine2"): 50,
    ("Address", "City"): 50,
    ("Address", "State"): 50,
    ("Address", "PostalCode"): 20,
    ("Address", "Country"): 2,
    ("DocContact", "Attention"): 255,
    ("DocContact", "BusinessName"): 255,
    ("DocContact", "Email"): 255,
    ("DocContact", "Phone1"): 50,
    ("StockItem", "InventoryID"): 30,
    ("StockItem", "Description"): 256,
}

# Display names used in Acumatica's "'<Display Name>' cannot be found in the system." texts.
DISPLAY_NAMES = {
    "BoxID": "Box ID",
    "ShipVia": "Ship Via",
    "InventoryID": "Inventory ID",
    "WarehouseID": "Warehouse",
    "DefaultWarehouseID": "Default Warehouse",
    "CustomerID": "Customer",
    "OrderType": "Order Type",
    "OrderNbr": "Order Nbr.",
    "OrderLineNbr": "Order Line Nbr.",
    "OrigOrderNbr": "Orig. Order Nbr.",
    "Type": "Type",
    "Operation": "Operation",
    "ItemStatus": "Item Status",
}

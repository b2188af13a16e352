"""What the connector reads or writes of Acumatica's Default endpoint: every field (in the
connector's vocabulary, Default/24.200.001's names and types) and action. The upgrade cut-over
check holds two endpoint versions to it.

Reads come from the import modes' specs (``fulfillment.modes``: keys, ``$select``, ``$expand``,
the last-modified field), so a field the import starts to read is checked the day it is added;
writes are what the write-back sends and reads back (``fulfillment.writeback.payloads`` and
``verify``; tests/fulfillment/test_cutover.py holds this list to the bodies built there).
"""

from __future__ import annotations

from connector.acumatica.endpoints import LINKS

from ..modes import SALES_ORDERS, SHIPMENTS

# Written (and read back) by the write-back, per entity.
WRITTEN: dict[str, list[str]] = {
    "Shipment": [
        "Type",
        "ShipmentNbr",
        "CustomerID",
        "WarehouseID",
        "ShipmentDate",
        "ShipVia",
        "Description",
        "Hold",
        "Status",
        "LastModifiedDateTime",
        "Details",
        "Packages",
    ],
    "ShipmentDetail": ["OrderType", "OrderNbr", "OrderLineNbr", "LineNbr", "ShippedQty"],
    "ShipmentPackage": [
        "BoxID",
        "Weight",
        "UOM",
        "TrackingNbr",
        "CustomRefNbr1",
        "Length",
        "Width",
        "Height",
        "PackageContents",
    ],
    "ShipmentPackageDetail": ["InventoryID", "Quantity", "UOM", "OrigOrderType", "OrigOrderNbr"],
}
ACTIONS: tuple[tuple[str, str], ...] = (("Shipment", "ConfirmShipment"),)
# Fields a supported version may lack without harm: 20.200.001 has no package dimensions
# (the write-back leaves them out) nor the contents' original order (only sent, never read).
OPTIONAL = frozenset(
    {
        ("ShipmentPackage", "Length"),
        ("ShipmentPackage", "Width"),
        ("ShipmentPackage", "Height"),
        ("ShipmentPackageDetail", "OrigOrderType"),
        ("ShipmentPackageDetail", "OrigOrderNbr"),
    }
)

_S, _D, _I, _B, _T = "StringValue", "DecimalValue", "IntValue", "BooleanValue", "DateTimeValue"
# The 24.200.001 type of every field above (swagger/Default_24.200.001.json).
TYPES: dict[tuple[str, str], str] = {
    **{
        ("SalesOrder", name): kind
        for name, kind in {
            "OrderType": _S,
            "OrderNbr": _S,
            "Status": _S,
            "Hold": _B,
            "LastModified": _T,
            "CustomerID": _S,
            "CustomerOrder": _S,
            "ExternalRef": _S,
            "ShipVia": _S,
            "PreferredWarehouseID": _S,
            "Date": _T,
            "RequestedOn": _T,
            "Description": _S,
            "Details": "SalesOrderDetail[]",
            "ShipToAddress": "Address",
            "ShipToContact": "DocContact",
        }.items()
    },
    **{
        ("SalesOrderDetail", name): kind
        for name, kind in {
            "LineNbr": _I,
            "InventoryID": _S,
            "LineDescription": _S,
            "OrderQty": _D,
            "OpenQty": _D,
            "UOM": _S,
            "WarehouseID": _S,
        }.items()
    },
    **{
        ("Address", name): _S
        for name in ("AddressLine1", "AddressLine2", "City", "State", "PostalCode", "Country")
    },
    **{("DocContact", name): _S for name in ("BusinessName", "Attention", "Email", "Phone1")},
    **{
        ("Shipment", name): kind
        for name, kind in {
            "ShipmentNbr": _S,
            "Type": _S,
            "Operation": _S,
            "Status": _S,
            "Hold": _B,
            "LastModifiedDateTime": _T,
            "CustomerID": _S,
            "ShipVia": _S,
            "WarehouseID": _S,
            "ShipmentDate": _T,
            "Description": _S,
            "Details": "ShipmentDetail[]",
            "Packages": "ShipmentPackage[]",
            "ShippingSettings": "ShipToSettings",
        }.items()
    },
    **{
        ("ShipmentDetail", name): kind
        for name, kind in {
            "LineNbr": _I,
            "InventoryID": _S,
            "Description": _S,
            "OrderedQty": _D,
            "ShippedQty": _D,
            "OpenQty": _D,
            "UOM": _S,
            "WarehouseID": _S,
            "OrderType": _S,
            "OrderNbr": _S,
            "OrderLineNbr": _I,
        }.items()
    },
    **{
        ("ShipmentPackage", name): kind
        for name, kind in {
            "BoxID": _S,
            "Weight": _D,
            "UOM": _S,
            "TrackingNbr": _S,
            "CustomRefNbr1": _S,
            "Length": _D,
            "Width": _D,
            "Height": _D,
            "PackageContents": "ShipmentPackageDetail[]",
        }.items()
    },
    **{
        ("ShipmentPackageDetail", name): kind
        for name, kind in {
            "InventoryID": _S,
            "Quantity": _D,
            "UOM": _S,
            "OrigOrderType": _S,
            "OrigOrderNbr": _S,
        }.items()
    },
    ("ShipToSettings", "ShipToAddress"): "Address",
    ("ShipToSettings", "ShipToContact"): "DocContact",
}


def _resolve(entity: str, path: str) -> list[tuple[str, str]]:
    """``Details/LineNbr`` of SalesOrder → [("SalesOrder", "Details"), ("SalesOrderDetail",
    "LineNbr")]."""
    found = []
    for part in path.split("/"):
        found.append((entity, part))
        entity = LINKS.get((entity, part), "")
    return found


def surface() -> dict[str, list[str]]:
    """Entity → the fields the connector reads or writes, in a stable order."""
    pairs: list[tuple[str, str]] = []
    for mode in (SALES_ORDERS, SHIPMENTS):
        for path in (*mode.key_fields, mode.last_modified_field, *mode.select, *mode.expand):
            pairs += _resolve(mode.entity, path)
    for entity, names in WRITTEN.items():
        pairs += [(entity, name) for name in names]
    out: dict[str, list[str]] = {}
    for entity, name in pairs:
        if name not in out.setdefault(entity, []):
            out[entity].append(name)
    return out

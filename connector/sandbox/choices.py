"""Drop-down values of Contract Version 5 (Default/26.200.001): a ``StringSingleSelectValue``
holds ``{"ID": <internal code>, "Description": <label>}`` and requests and filters use the ID
(API.md §0; the official C# client's ``StringSingleSelectValue``/``StringSelectInnerValue``
models, whose members are ``ID`` and ``Description``).

The records keep what Contract Version 4 shows, the label; this module maps labels to codes per
(entity, field). Codes are Acumatica's own where API.md §4.2 cites them (SOOrderStatus,
SOShipmentStatus, SOShipmentType); the others (SOLineType, the invoice and inventory document
types) are the codes of the matching DACs as the sandbox chooses them (README.md). A label
without a known code is its own code, as order types are (``SO`` is the ID; its description is
the order type's name).
"""

from __future__ import annotations

from typing import Any

_SALES_ORDER_STATUS = {
    "Open": "N",
    "On Hold": "H",
    "Pending Approval": "P",
    "Rejected": "V",
    "Pending Processing": "E",
    "Awaiting Payment": "A",
    "Credit Hold": "R",
    "Completed": "C",
    "Canceled": "L",
    "Back Order": "B",
    "Shipping": "S",
    "Invoiced": "I",
    "Expired": "D",
}
_SHIPMENT_STATUS = {
    "Open": "N",
    "On Hold": "H",
    "Completed": "C",
    "Canceled": "L",
    "Confirmed": "F",
    "Invoiced": "I",
    "Partially Invoiced": "Y",
    "Receipted": "R",
    "Auto-Generated": "A",
}
_SHIPMENT_TYPE = {"Shipment": "I", "Transfer": "T"}
_LINE_TYPE = {"Goods for IN": "GI", "Non-Inventory Goods": "GN", "Misc. Charge": "MI"}
_INVOICE_TYPE = {
    "Invoice": "INV",
    "Credit Memo": "CRM",
    "Debit Memo": "DRM",
    "Cash Sale": "CSL",
    "Cash Return": "RCS",
}
_INVENTORY_DOC_TYPE = {"Issue": "I", "Receipt": "R", "Transfer": "T", "Adjustment": "A"}
# Order types: the ID is the code itself; these are the descriptions shown with it.
ORDER_TYPE_NAMES = {
    "SO": "Sales Order",
    "RM": "RMA Order",
    "QT": "Quote",
    "TR": "Transfer",
    "IN": "Invoice",
}

CODES: dict[tuple[str, str], dict[str, str]] = {
    ("SalesOrder", "Status"): _SALES_ORDER_STATUS,
    ("SalesOrderDetail", "LineType"): _LINE_TYPE,
    ("SalesOrderDetail", "InvoiceType"): _INVOICE_TYPE,
    ("SalesOrderShipment", "Status"): _SHIPMENT_STATUS,
    ("SalesOrderShipment", "ShipmentType"): _SHIPMENT_TYPE,
    ("SalesOrderShipment", "InvoiceType"): _INVOICE_TYPE,
    ("SalesOrderShipment", "InventoryDocType"): _INVENTORY_DOC_TYPE,
    ("Shipment", "Status"): _SHIPMENT_STATUS,
    ("Shipment", "Type"): _SHIPMENT_TYPE,
    ("ShipmentOrderDetail", "ShipmentType"): _SHIPMENT_TYPE,
    ("ShipmentOrderDetail", "InvoiceType"): _INVOICE_TYPE,
    ("ShipmentOrderDetail", "InventoryDocType"): _INVENTORY_DOC_TYPE,
}


def code_of(entity: str, field: str, label: Any) -> Any:
    """The ID of a stored label (the label itself when it has no other code)."""
    if not isinstance(label, str):
        return label
    table = CODES.get((entity, field))
    return table.get(label, label) if table else label


def label_of(entity: str, field: str, code: str) -> str:
    """The stored label of an ID; an unknown ID is kept as given (the writer then refuses it as
    a value not in the list)."""
    table = CODES.get((entity, field))
    if table:
        wanted = code.strip().upper()
        for label, known in table.items():
            if known == wanted:
                return label
    return code


def description_of(entity: str, field: str, label: str) -> str:
    if field == "OrderType":
        return ORDER_TYPE_NAMES.get(label, label)
    return label


def wire_value(entity: str, field: str, label: Any, *, keys: tuple[str, str]) -> Any:
    """``{"ID": "N", "Description": "Open"}`` for a stored label (``keys`` names the members)."""
    if label is None:
        return None
    id_key, description_key = keys
    return {
        id_key: code_of(entity, field, label),
        description_key: description_of(entity, field, str(label)),
    }


def inner_id(inner: Any) -> str | None:
    """The ID of a sent ``{"ID": …}`` (any letter case of the member, as Json.NET binds), or
    None when ``inner`` is not such an object."""
    if not isinstance(inner, dict):
        return None
    for key, value in inner.items():
        if key.lower() == "id" and isinstance(value, str):
            return value
    return None

"""PUT SalesOrder: enough of the Sales Orders form for tests and demos to create and edit
orders (lines, quantities, addresses, hold, carrier) the way an ERP user would
(examples/put_SalesOrder_delete_and_update_lines.json).

New orders are numbered per order type and start Open (On Hold with ``"Hold": true``). Completed,
Canceled and Invoiced orders ignore changes. A line already on a shipment cannot be deleted,
moved to another item or warehouse, or reduced below its quantity on shipments.
"""

from __future__ import annotations

from decimal import Decimal

from . import orders
from .data import Record, normalize_key
from .orders import HOLDABLE_STATES, LOCKED_STATES
from .writes import WriteContext, assign, differs, given, merge_lines, value_of

ZERO = Decimal(0)
HEADER = frozenset(
    {
        "Date",
        "RequestedOn",
        "EffectiveDate",
        "Description",
        "CustomerOrder",
        "ExternalRef",
        "Hold",
        "ShipVia",
        "LocationID",
        "CurrencyID",
        "Branch",
        "Project",
        "PaymentMethod",
        "PreferredWarehouseID",
        "ShipToAddressOverride",
        "ShipToContactOverride",
        "BillToAddressOverride",
        "BillToContactOverride",
        "DestinationWarehouseID",
        "WillCall",
    }
)
HEADER_INSERT_ONLY = frozenset({"OrderType", "CustomerID"})
LINE = frozenset(
    {
        "InventoryID",
        "OrderQty",
        "UnitPrice",
        "WarehouseID",
        "LineDescription",
        "UOM",
        "RequestedOn",
        "ShipOn",
        "ExternalRef",
        "CustomerOrderNbr",
        "FreeItem",
        "ManualPrice",
        "GiftMessage",
        "LotSerialNbr",
        "Location",
    }
)
SHIPPING = frozenset(
    {
        "ShipVia",
        "ScheduledShipmentDate",
        "CancelByDate",
        "ResidentialDelivery",
        "SaturdayDelivery",
        "Insurance",
        "GroundCollect",
        "ShippingTerms",
        "FOBPoint",
        "Priority",
        "ShipSeparately",
        "UseCustomersAccount",
        "PreferredWarehouseID",
    }
)
ADDRESSES = (
    ("ShipToAddress", "Address"),
    ("ShipToContact", "DocContact"),
    ("BillToAddress", "Address"),
    ("BillToContact", "DocContact"),
)
SELLABLE_ITEM_STATES = frozenset({"Active", "No Purchases", "No Request"})


class SalesOrderWriter:
    record_name = "Sales Order"

    def new(self, w: WriteContext, body: dict) -> Record:
        today = w.now.astimezone(w.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        order_id = w.data.new_id()
        return {
            "id": order_id,
            "NoteID": order_id,
            "OrderType": "SO",
            "OrderNbr": "<NEW>",
            "Status": "Open",
            "Hold": False,
            "CreditHold": False,
            "Approved": True,
            "Date": today,
            "RequestedOn": today,
            "EffectiveDate": today,
            "LocationID": "MAIN",
            "BaseCurrencyID": w.data.lookups.base_currency,
            "CurrencyID": w.data.lookups.base_currency,
            "CurrencyRate": Decimal(1),
            "ReciprocalRate": Decimal(1),
            "Branch": "HEADOFFICE",
            "Project": "X",
            "IsTaxValid": True,
            "TaxCalcMode": "Tax Settings",
            "ShippingSettings": {
                "id": w.data.new_id(),
                "ShippingRule": "Back Order Allowed",
                "Priority": 0,
                "Canceled": False,
            },
            "Details": [],
            "Shipments": [],
            "note": "",
        }

    def apply(self, w: WriteContext, order: Record, body: dict) -> None:
        inserted = w.inserting
        if not inserted and order["Status"] in LOCKED_STATES:
            w.notes["read_only"] = True
            return
        entities = w.schema.entities
        writable = HEADER | HEADER_INSERT_ONLY if inserted else HEADER
        assign(w, entities["SalesOrder"], order, body, writable, "Sales Order", inserted=inserted)
        if inserted:
            _defaults_for_new(w, order)
        _check_header(w, order, inserted)
        for name, entity in ADDRESSES:
            if isinstance(body.get(name), dict):
                target = order.setdefault(name, {"id": w.data.new_id()})
                fields = {f.name for f in entities[entity].value_fields}
                if assign(
                    w,
                    entities[entity],
                    target,
                    body[name],
                    fields,
                    "Sales Order",
                    inserted=inserted,
                ) and not given(body, f"{name}Override"):
                    order[f"{name}Override"] = True
        settings = order.setdefault("ShippingSettings", {"id": w.data.new_id()})
        if isinstance(body.get("ShippingSettings"), dict):
            assign(
                w,
                entities["ShippingSettings"],
                settings,
                body["ShippingSettings"],
                SHIPPING,
                "Sales Order",
                inserted=inserted,
            )
            if given(body["ShippingSettings"], "ShipVia") and not given(body, "ShipVia"):
                order["ShipVia"] = settings.get("ShipVia")
        settings["ShipVia"] = order.get("ShipVia")
        if isinstance(body.get("Details"), list):
            merge_lines(
                w,
                entities["SalesOrderDetail"],
                order["Details"],
                body["Details"],
                insert=lambda item: [_line(w, order, None, item)],
                update=lambda line, item: _line(w, order, line, item),
                delete=lambda line: _may_delete(w, order, line),
            )
        if given(body, "Hold"):
            if order.get("Hold") and order["Status"] in HOLDABLE_STATES:
                order["Status"] = "On Hold"
            elif not order.get("Hold") and order["Status"] == "On Hold":
                order["Status"] = "Open"
        order["Hold"] = order["Status"] == "On Hold"
        orders.recalc_totals(order)
        if inserted:
            _open_lines(order)
        else:
            orders.refresh_from_shipments(w.data, order)

    def save(self, w: WriteContext, order: Record, original: Record | None) -> Record:
        data = w.data
        if original is None:
            order["OrderNbr"] = data.next_number(order["OrderType"])
            order["CreatedDate"] = w.now
            _stamp(order, w)
            data.insert("SalesOrder", order)
        elif differs(order, original, frozenset({"LastModified", "LastModifiedDate"})):
            _stamp(order, w)
            data.replace("SalesOrder", order)
        else:
            return original
        return order


def _stamp(order: Record, w: WriteContext) -> None:
    order["LastModified"] = w.now
    for line in order.get("Details", []):
        line["LastModifiedDate"] = w.now


def _defaults_for_new(w: WriteContext, order: Record) -> None:
    order["OrderType"] = (order.get("OrderType") or "SO").upper()
    customer = w.data.lookups.customers.get((order.get("CustomerID") or "").upper())
    if customer is None:
        return
    order["CustomerID"] = order["CustomerID"].upper()
    order.setdefault("ShipVia", customer["ShipVia"])
    if order.get("ShipVia") is None:
        order["ShipVia"] = customer["ShipVia"]
    for name, source in (
        ("ShipToAddress", "Address"),
        ("BillToAddress", "Address"),
        ("ShipToContact", "Contact"),
        ("BillToContact", "Contact"),
    ):
        order[name] = {"id": w.data.new_id(), **customer[source]}
        if source == "Address":
            order[name]["Validated"] = False
        order[f"{name}Override"] = False


def _check_header(w: WriteContext, order: Record, inserted: bool) -> None:
    lookups = w.data.lookups
    if inserted and order["OrderType"] not in lookups.order_types:
        w.not_found(order, "OrderType", "Sales Order", inserted=True)
    if inserted and not order.get("CustomerID"):
        w.empty(order, "CustomerID", "Sales Order", inserted=True)
    elif inserted and order["CustomerID"].upper() not in lookups.customers:
        w.not_found(order, "CustomerID", "Sales Order", inserted=True)
    ship_via = order.get("ShipVia")
    if ship_via is not None and ship_via.upper() not in lookups.ship_vias:
        w.not_found(order, "ShipVia", "Sales Order", inserted=inserted)
    elif ship_via is not None:
        order["ShipVia"] = ship_via.upper()
    for name in ("PreferredWarehouseID", "DestinationWarehouseID"):
        value = order.get(name)
        if value is not None and value.upper() not in lookups.warehouses:
            w.not_found(order, name, "Sales Order", inserted=inserted)


def _line(w: WriteContext, order: Record, line: Record | None, item: dict) -> Record:
    data = w.data
    inserted = line is None
    if line is None:
        numbers = [ln.get("LineNbr") or 0 for ln in order.get("Details", [])]
        line_id = data.new_id()
        line = {
            "id": line_id,
            "NoteID": line_id,
            "LineNbr": max(numbers, default=0) + 1,
            "LineType": "Goods for IN",
            "Operation": "Issue",
            "OrderQty": ZERO,
            "QtyOnShipments": ZERO,
            "OvershipThreshold": Decimal(100),
            "UndershipThreshold": Decimal(100),
            "ShippingRule": "Back Order Allowed",
            "Completed": False,
            "FreeItem": False,
            "ManualPrice": False,
            "ManualDiscount": False,
            "DiscountAmount": ZERO,
            "DiscountPercent": ZERO,
            "Branch": order.get("Branch"),
            "note": "",
        }
    before = {k: line.get(k) for k in ("InventoryID", "WarehouseID", "OrderQty")}
    written = assign(
        w,
        w.schema.entities["SalesOrderDetail"],
        line,
        item,
        LINE,
        "Sales Order Line",
        inserted=inserted,
    )
    item_record = data.find("StockItem", [line.get("InventoryID") or ""])
    if not line.get("InventoryID"):
        w.empty(line, "InventoryID", "Sales Order Line", inserted=inserted)
    elif item_record is None or item_record.get("ItemStatus") not in SELLABLE_ITEM_STATES:
        w.not_found(line, "InventoryID", "Sales Order Line", inserted=inserted)
    elif "InventoryID" in written:
        line["InventoryID"] = item_record["InventoryID"]
        line.setdefault("UOM", item_record.get("SalesUOM"))
        if "LineDescription" not in written:
            line["LineDescription"] = item_record.get("Description")
        if "UnitPrice" not in written:
            line["UnitPrice"] = item_record.get("DefaultPrice")
        line["UnitCost"] = line["AverageCost"] = item_record.get("AverageCost")
        if not line.get("WarehouseID"):
            line["WarehouseID"] = order.get("PreferredWarehouseID") or item_record.get(
                "DefaultWarehouseID"
            )
    warehouse = line.get("WarehouseID")
    if warehouse is not None and warehouse.upper() not in data.lookups.warehouses:
        w.not_found(line, "WarehouseID", "Sales Order Line", inserted=inserted)
    elif warehouse is not None:
        line["WarehouseID"] = warehouse.upper()
    qty = line.get("OrderQty") or ZERO
    on_shipments = line.get("QtyOnShipments") or ZERO
    if qty < 0:
        w.error(
            line,
            "OrderQty",
            "'Quantity' must be greater than or equal to 0.",
            "Sales Order Line",
            inserted=inserted,
        )
    elif on_shipments > 0:
        if qty < on_shipments:
            w.error(
                line,
                "OrderQty",
                f"The quantity cannot be less than the quantity on "
                f"shipments ({on_shipments.normalize():f}).",
                "Sales Order Line",
                inserted=inserted,
            )
        for name in ("InventoryID", "WarehouseID"):
            if normalize_key([line.get(name)]) != normalize_key([before[name]]):
                w.error(
                    line,
                    name,
                    "The value cannot be changed because the line is on a shipment.",
                    "Sales Order Line",
                    inserted=inserted,
                )
    for name in ("RequestedOn", "ShipOn", "SchedOrderDate"):
        line.setdefault(name, order.get("RequestedOn"))
    if value_of(item, "OrderQty") is not None and inserted:
        line["OpenQty"] = qty
    return line


def _may_delete(w: WriteContext, order: Record, line: Record) -> bool:
    if (line.get("QtyOnShipments") or ZERO) > 0:
        w.error(
            line,
            "InventoryID",
            "The line cannot be deleted because it is on a shipment.",
            "Sales Order Line",
            inserted=False,
        )
        return False
    return True


def _open_lines(order: Record) -> None:
    for line in order.get("Details", []):
        line["QtyOnShipments"] = ZERO
        line["OpenQty"] = line.get("OrderQty") or ZERO
        line["Completed"] = False

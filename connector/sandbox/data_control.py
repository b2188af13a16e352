"""``/_sandbox/data/...``: seed, create, edit, cancel and inspect records out of band, the way an
ERP user (or time) would change them behind the connector's back. Never touches sessions.

Routes (``rest`` = the path segments after ``/_sandbox/data``):

  GET    summary                           counts, orders/shipments by status, operations
  POST   seed {"orders", "seed", "lines"}  replace all data (lines = max lines per order)
  GET    lookups                           warehouses, boxes, ship vias, order types, customers
  GET    orders?status=&type=&limit=       compact order list in key order
  POST   orders {...}                      create an order (201; 422 like PUT SalesOrder)
  GET    orders/<type>/<nbr>               the full order
  PATCH  orders/<type>/<nbr> {...}         edit lines, quantities, address, hold, ship via, status
  POST   orders/<type>/<nbr>/cancel        cancel ({"force": true} ignores status and shipments)
  POST   orders/<type>/<nbr>/last-modified {"value": "<ISO date-time>"}
  GET    shipments?status=                 every shipment with its orders and packages
  GET    shipments/<nbr>                   the full shipment
  GET    records/<Entity>/<keys...>        any record, fully expanded
  POST   records/<Entity>/<keys...>/last-modified {"value": "<ISO date-time>"}
  GET    operations                        long-running actions and their state

Order bodies (create/edit) use short names — ``customer``, ``type``, ``hold``, ``shipVia``,
``description``, ``customerOrder``, ``externalRef``, ``warehouse``, ``shipTo`` {AddressLine1,
City, …}, ``shipToContact`` {…}, ``lines`` [{``lineNbr``, ``inventory``, ``qty``, ``warehouse``,
``price``, ``delete``}] — and accept any contract field as is (``"CustomerOrder": {"value":
"PO-1"}``). They go through the same writer as PUT SalesOrder, so LastModified moves only when
something changed. ``status`` (edit only) sets the status label directly.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from . import actions, orders
from .config import DEFAULT_ENDPOINT_VERSION
from .data import Record, SandboxData
from .http import Reply, SandboxHttpError
from .order_writes import SalesOrderWriter
from .render import Projection, RenderContext, render
from .schema import EndpointSchema, endpoint_schema, version_tuple
from .seed import seed_data
from .values import format_datetime, parse_iso
from .writes import WriteContext, put_entity

_SHORT_FIELDS = {
    "customer": "CustomerID",
    "type": "OrderType",
    "hold": "Hold",
    "shipVia": "ShipVia",
    "description": "Description",
    "customerOrder": "CustomerOrder",
    "externalRef": "ExternalRef",
    "warehouse": "PreferredWarehouseID",
    "date": "Date",
}
_LINE_FIELDS = {
    "lineNbr": "LineNbr",
    "inventory": "InventoryID",
    "qty": "OrderQty",
    "warehouse": "WarehouseID",
    "price": "UnitPrice",
    "description": "LineDescription",
}
_LAST_MODIFIED = {
    "SalesOrder": ("LastModified",),
    "Shipment": ("LastModifiedDateTime",),
    "StockItem": ("LastModified", "LastModifiedDateTime"),
    "Warehouse": ("LastModifiedDateTime",),
}


def handle_data_control(
    data: SandboxData, method: str, path: list[str] | str, query: dict[str, str], body: Any
) -> Reply:
    rest = [p for p in (path.split("/") if isinstance(path, str) else path) if p]
    method = method.upper()
    try:
        with data.lock:
            actions.complete_due(data)
            return _route(data, method, rest, query or {}, body)
    except SandboxHttpError as exc:
        return exc.reply
    except ValueError as exc:
        return _error(400, str(exc))


def _route(data: SandboxData, method: str, rest: list[str], query: dict, body: Any) -> Reply:
    head = rest[0] if rest else "summary"
    tail = rest[1:]
    if head == "summary" and method == "GET":
        return Reply(200, _summary(data))
    if head == "seed" and method == "POST":
        return _seed(data, body or {})
    if head == "lookups" and method == "GET":
        return Reply(200, data.lookups.as_json())
    if head == "operations" and method == "GET":
        return Reply(200, [_operation_json(op) for op in data.operations.values()])
    if head == "orders":
        return _orders(data, method, tail, query, body or {})
    if head == "shipments" and method == "GET":
        return _shipments(data, tail, query)
    if head == "records":
        return _records(data, method, tail, body or {})
    return _error(404, f"no data route {method} /{'/'.join(rest)}")


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"error": message})


def _summary(data: SandboxData) -> dict:
    sales_orders = data.records["SalesOrder"].values()
    return {
        "counts": {name: len(records) for name, records in data.records.items()},
        "ordersByStatus": dict(Counter(o["Status"] for o in sales_orders)),
        "ordersByType": dict(Counter(o["OrderType"] for o in sales_orders)),
        "shipmentsByStatus": dict(Counter(s["Status"] for s in data.records["Shipment"].values())),
        "operations": len(data.operations),
    }


def _seed(data: SandboxData, body: dict) -> Reply:
    count = body.get("orders", data.config.orders)
    seed = body.get("seed", data.config.seed)
    lines = body.get("lines", 5)
    for name, value in (("orders", count), ("seed", seed), ("lines", lines)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer")
    data.operations.clear()
    seed_data(data, seed=seed, orders=count, max_lines=max(1, lines))
    return Reply(200, _summary(data))


def _schema(data: SandboxData) -> EndpointSchema:
    # The storage view: data control speaks the records' own names, whatever the versions.
    newest = max(data.config.endpoint_versions or [DEFAULT_ENDPOINT_VERSION], key=version_tuple)
    return endpoint_schema(
        newest, package_contents_exposed=data.config.package_contents_exposed
    ).storage


def _ctx(data: SandboxData) -> RenderContext:
    return RenderContext(_schema(data), "/_sandbox/data/", data.tz, scoped_ids=False)


def _full(data: SandboxData, entity: str, record: Record) -> dict:
    schema = _schema(data)
    return render(_ctx(data), schema.entities[entity], record, _everything(schema, entity))


def _everything(schema: EndpointSchema, entity: str) -> Projection:
    def tree(name: str) -> dict:
        return {f.name: tree(f.type_name) for f in schema.entities[name].nested_fields}

    return Projection(tree(entity))


def _orders(data: SandboxData, method: str, tail: list[str], query: dict, body: dict) -> Reply:
    if not tail and method == "GET":
        listed = []
        for record_id in data.ordered_ids("SalesOrder"):
            order = data.records["SalesOrder"][record_id]
            if query.get("status") and order["Status"] != query["status"]:
                continue
            if query.get("type") and order["OrderType"] != query["type"].upper():
                continue
            listed.append(_order_summary(data, order))
        limit = int(query.get("limit") or 0)
        return Reply(200, listed[:limit] if limit else listed)
    if not tail and method == "POST":
        return _write_order(data, None, body)
    if len(tail) < 2:
        return _error(404, "orders/<type>/<nbr> expected")
    order = data.find("SalesOrder", tail[:2])
    if order is None:
        return _error(404, f"no sales order {tail[0]} {tail[1]}")
    action = tail[2] if len(tail) > 2 else None
    if action is None and method == "GET":
        return Reply(200, _full(data, "SalesOrder", order))
    if action is None and method in ("PATCH", "PUT", "POST"):
        return _write_order(data, order, body)
    if action == "cancel" and method == "POST":
        return _cancel(data, order, bool(body.get("force")))
    if action == "last-modified" and method in ("POST", "PUT"):
        return _set_last_modified(data, "SalesOrder", order, body)
    return _error(404, f"no data route {method} orders/{'/'.join(tail)}")


def _order_summary(data: SandboxData, order: Record) -> dict:
    return {
        "id": order["id"],
        "OrderType": order["OrderType"],
        "OrderNbr": order["OrderNbr"],
        "Status": order["Status"],
        "CustomerID": order["CustomerID"],
        "LastModified": _iso(data, order.get("LastModified")),
        "lines": len(order.get("Details", [])),
        "warehouses": sorted({ln.get("WarehouseID") for ln in order.get("Details", [])}),
        "shipments": [s["ShipmentNbr"] for s in order.get("Shipments", [])],
    }


def _iso(data: SandboxData, moment) -> str | None:
    return format_datetime(moment, data.tz) if moment else None


def _order_body(spec: dict) -> dict:
    body: dict[str, Any] = {k: v for k, v in spec.items() if k[:1].isupper()}
    for short, name in _SHORT_FIELDS.items():
        if short in spec:
            body[name] = {"value": spec[short]}
    for short, name in (("shipTo", "ShipToAddress"), ("shipToContact", "ShipToContact")):
        if isinstance(spec.get(short), dict):
            body[name] = {k: {"value": v} for k, v in spec[short].items()}
    if isinstance(spec.get("lines"), list):
        body["Details"] = []
        for line in spec["lines"]:
            item: dict[str, Any] = {
                name: {"value": line[short]}
                for short, name in _LINE_FIELDS.items()
                if short in line
            }
            if line.get("delete"):
                item["delete"] = True
            body["Details"].append(item)
    return body


def _write_order(data: SandboxData, order: Record | None, spec: dict) -> Reply:
    body = _order_body(spec)
    if order is not None:
        body["OrderType"] = {"value": order["OrderType"]}
        body["OrderNbr"] = {"value": order["OrderNbr"]}
    schema = _schema(data)
    w = WriteContext(data, schema, _ctx(data), data.now())
    reply = put_entity(
        writer=SalesOrderWriter(),
        entity=schema.entities["SalesOrder"],
        w=w,
        body=body,
        query={},
        headers={"if-match": "*"} if order is not None else {"if-none-match": "*"},
        projection=_everything(schema, "SalesOrder"),
    )
    if reply.status != 200:
        return reply
    saved = data.find(
        "SalesOrder", (reply.body["OrderType"]["value"], reply.body["OrderNbr"]["value"])
    )
    if order is not None and spec.get("status") and saved["Status"] != spec["status"]:
        forced = copy.deepcopy(saved)
        forced.update(
            Status=spec["status"],
            Hold=spec["status"] == "On Hold",
            CreditHold=spec["status"] == "Credit Hold",
            LastModified=data.now(),
        )
        saved = data.replace("SalesOrder", forced)
    return Reply(201 if order is None else 200, _full(data, "SalesOrder", saved))


def _cancel(data: SandboxData, order: Record, force: bool) -> Reply:
    if not force:
        try:
            actions.HANDLERS[("SalesOrder", "CancelSalesOrder")][0](data, order, {})
        except SandboxHttpError as exc:
            return _error(409, exc.reply.body["exceptionMessage"])
    canceled = copy.deepcopy(order)
    canceled.update(Status="Canceled", Hold=False, LastModified=data.now())
    canceled.setdefault("ShippingSettings", {"id": data.new_id()})["Canceled"] = True
    orders.refresh_from_shipments(data, canceled)
    data.replace("SalesOrder", canceled)
    return Reply(200, _full(data, "SalesOrder", canceled))


def _set_last_modified(data: SandboxData, entity: str, record: Record, body: dict) -> Reply:
    """Ties on LastModified are what incremental sync has to survive; this makes them."""
    moment = parse_iso(str(body.get("value", "")), data.tz)
    if moment is None:
        raise ValueError('{"value": "<ISO 8601 date-time>"} expected')
    if entity not in _LAST_MODIFIED:
        raise ValueError(f"{entity} has no last-modified field")
    for name in _LAST_MODIFIED[entity]:
        record[name] = moment
    data.touch()
    return Reply(200, _full(data, entity, record))


def _shipments(data: SandboxData, tail: list[str], query: dict) -> Reply:
    if tail:
        shipment = data.find("Shipment", tail[:1])
        if shipment is None:
            return _error(404, f"no shipment {tail[0]}")
        return Reply(200, _full(data, "Shipment", shipment))
    listed = []
    for record_id in data.ordered_ids("Shipment"):
        shipment = data.records["Shipment"][record_id]
        if query.get("status") and shipment["Status"] != query["status"]:
            continue
        listed.append(
            {
                "id": shipment["id"],
                "ShipmentNbr": shipment["ShipmentNbr"],
                "Status": shipment["Status"],
                "WarehouseID": shipment.get("WarehouseID"),
                "CustomerID": shipment.get("CustomerID"),
                "LastModifiedDateTime": _iso(data, shipment.get("LastModifiedDateTime")),
                "orders": [f"{o['OrderType']} {o['OrderNbr']}" for o in shipment["Orders"]],
                "packages": [
                    {
                        "BoxID": p.get("BoxID"),
                        "TrackingNbr": p.get("TrackingNbr"),
                        "Weight": float(p["Weight"]) if p.get("Weight") is not None else None,
                        "Confirmed": p.get("Confirmed"),
                    }
                    for p in shipment.get("Packages", [])
                ],
            }
        )
    return Reply(200, listed)


def _records(data: SandboxData, method: str, tail: list[str], body: dict) -> Reply:
    if not tail or tail[0] not in data.records:
        return _error(404, f"records/<{'|'.join(data.records)}>/<keys> expected")
    entity = tail[0]
    keys = tail[1:]
    if keys and keys[-1] == "last-modified":
        keys = keys[:-1]
    record = data.find(entity, keys) if keys else None
    if record is None and len(keys) == 1:
        record = data.get(entity, keys[0])
    if record is None:
        return _error(404, f"no {entity} {' '.join(keys)}")
    if tail[-1] == "last-modified" and method in ("POST", "PUT"):
        return _set_last_modified(data, entity, record, body)
    if method == "GET":
        return Reply(200, _full(data, entity, record))
    return _error(405, f"{method} not supported here")


def _operation_json(operation: actions.Operation) -> dict:
    return {
        "id": operation.id,
        "entity": operation.entity,
        "action": operation.action,
        "record": operation.record_id,
        "state": operation.state,
        "error": operation.error,
        "session": operation.session_id or None,
    }

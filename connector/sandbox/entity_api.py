"""Everything under ``<site>/entity/<endpoint>/<version>/`` once the server has let the request
in: lists, records by key or id, ``$adHocSchema``, PUT/PATCH, DELETE, actions and their status.

Lists come in key order (SalesOrder by OrderType then OrderNbr, Shipment by ShipmentNbr,
StockItem by InventoryID, the setup entities by their ID, compared as SQL Server would:
case-insensitive). Acumatica documents no order; a stable one lets ``$skip`` paging work, and key
order (not LastModified order) is what makes a client that pages an incremental query without a
stable filter miss records, as it would against the real thing.

The setup entities (Warehouse, ShippingBox, ShipVia) are read-only here: any other method than
GET answers 405, as Web API does for a verb a route lacks.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from . import actions, inbound, swagger
from . import entity_errors as errors
from .config import SandboxConfig
from .data import Record, SandboxData
from .http import EntityRequest, Reply, SandboxHttpError
from .odata import FilterError, compile_filter
from .order_writes import SalesOrderWriter
from .render import (
    Projection,
    QueryError,
    RenderContext,
    ad_hoc_schema,
    parse_projection,
    render,
)
from .schema import EndpointSchema, EntityDef, endpoint_schema
from .shipment_writes import ShipmentWriter
from .shipments import EDITABLE_STATES, order_keys, refresh_orders
from .stock_item_writes import StockItemWriter
from .values import coerce
from .webapi import method_not_allowed, no_resource
from .writes import WriteContext, put_entity

WRITERS = {
    "SalesOrder": SalesOrderWriter(),
    "Shipment": ShipmentWriter(),
    "StockItem": StockItemWriter(),
}


class EntityApi:
    def __init__(self, data: SandboxData, config: SandboxConfig):
        self.data = data
        self.config = config

    # -- called by the server ----------------------------------------------------------------

    def handle(self, request: EntityRequest) -> Reply:
        try:
            with self.data.lock:
                return self._route(request)
        except SandboxHttpError as exc:
            return exc.reply

    def swagger(self, endpoint_name: str, version: str, server_url: str) -> dict[str, Any]:
        """The OpenAPI 3.0.1 document of ``<endpoint_name>/<version>`` as this sandbox serves
        it; ``server_url`` is the site URL (or the endpoint URL) for ``servers``."""
        return swagger.build(self.schema(version), endpoint_name, version, server_url)

    def session_closed(self, session_id: str) -> None:
        with self.data.lock:
            actions.session_closed(self.data, session_id)

    def schema(self, version: str) -> EndpointSchema:
        return endpoint_schema(
            version, package_contents_exposed=self.config.package_contents_exposed
        )

    # -- routing -------------------------------------------------------------------------------

    def _route(self, request: EntityRequest) -> Reply:
        path = request.path
        schema = self.schema(request.version)
        # Entity names match case-insensitively, like ASP.NET routes.
        name = (path[0] if path else "").lower()
        entity = next((schema.entities[n] for n in schema.top_level if n.lower() == name), None)
        if entity is None:
            return no_resource(request.endpoint_path + "/".join(path))
        method = request.method.upper()
        if entity.read_only and method != "GET":
            return method_not_allowed(method, "GET")
        if method == "GET" and len(path) == 4 and path[2].lower() == "status":
            return actions.status(self.data, session_id=request.session_id, operation_id=path[3])
        if actions.blocking(self.data, request.session_id, entity.name):
            return errors.operation_in_progress()
        if method == "GET":
            if len(path) == 1:
                return self._list(request, schema, entity)
            if len(path) == 2 and path[1] == "$adHocSchema":
                return Reply(200, ad_hoc_schema(self._render_ctx(request, schema), entity))
            record = self._addressed(entity, path[1:])
            projection = _projection(request, schema)
            return Reply(200, render(self._render_ctx(request, schema), entity, record, projection))
        storage = schema.storage.entities[entity.name]
        if method in ("PUT", "PATCH") and len(path) == 1:
            projection = _projection(request, schema)
            return put_entity(
                writer=WRITERS[entity.name],
                entity=storage,
                w=self._write_ctx(request, schema),
                body=_stored_body(schema, entity, request.body, root="entity", path=""),
                query=request.query,
                headers=request.headers,
                projection=projection,
                patch=method == "PATCH",
            )
        if method == "POST" and len(path) == 2:
            body = request.body
            if isinstance(body, dict) and isinstance(body.get("entity"), dict):
                body = {
                    **body,
                    "entity": _stored_body(
                        schema, entity, body["entity"], root="invocation", path="entity."
                    ),
                }
            return actions.invoke(
                self.data,
                entity=storage,
                action_name=path[1],
                body=body,
                w=self._write_ctx(request, schema),
                session_id=request.session_id,
                endpoint_path=request.endpoint_path,
            )
        if method == "DELETE" and len(path) >= 2:
            return self._delete(entity, self._addressed(entity, path[1:]))
        if len(path) >= 3 and path[-2] == "files":
            # Files are not simulated; README.md says so.
            return no_resource(request.endpoint_path + "/".join(path))
        allowed = {1: "GET, PUT, PATCH", 2: "GET, POST, DELETE"}.get(len(path), "GET, DELETE")
        return method_not_allowed(method, allowed)

    def _render_ctx(self, request: EntityRequest, schema: EndpointSchema) -> RenderContext:
        return RenderContext(
            schema,
            request.endpoint_path,
            self.data.tz,
            session_id=request.session_id,
            scoped_ids=self.config.session_scoped_ids,
            choice_keys=choice_keys(self.config),
        )

    def _write_ctx(self, request: EntityRequest, schema: EndpointSchema) -> WriteContext:
        return WriteContext(
            self.data, schema.storage, self._render_ctx(request, schema), self.data.now()
        )

    # -- reading -------------------------------------------------------------------------------

    def _addressed(self, entity: EntityDef, segments: list[str]) -> Record:
        """The record named by ``<keys>`` (``/`` or ``|`` separated) or by ``<id>``; missing →
        500 NoEntitySatisfiesTheCondition."""
        record = None
        if len(segments) == 1 and _is_guid(segments[0]):
            record = self.data.get(entity.name, segments[0].strip("{}"))
        if record is None:
            keys = segments[0].split("|") if len(segments) == 1 else segments
            if len(keys) == len(entity.keys):
                record = self.data.find(entity.name, keys)
        if record is None:
            raise SandboxHttpError(errors.no_entity())
        return record

    def _list(self, request: EntityRequest, schema: EndpointSchema, entity: EntityDef) -> Reply:
        query = request.query
        top = _count(query, "$top")
        skip = _count(query, "$skip") or 0
        text = (query.get("$filter") or "").strip()
        data = self.data
        if text:
            try:
                predicate = compile_filter(text, entity, schema, data.tz)
            except FilterError as exc:
                return errors.bad_filter(str(exc))
            records = data.records[entity.name]

            def matching() -> list[str]:
                return [i for i in data.ordered_ids(entity.name) if predicate(records[i]) is True]

            cache_key = (entity.name, schema.version, self.config.timezone_offset, text)
            ids = data.cached_query(cache_key, matching)
        else:
            ids = data.ordered_ids(entity.name)
        page = ids[skip:] if top is None else ids[skip : skip + top]
        projection = _projection(request, schema)
        ctx = self._render_ctx(request, schema)
        records = data.records[entity.name]
        return Reply(
            200,
            [
                render(ctx, entity, records[i], projection, row_number=n)
                for n, i in enumerate(page, start=1)
            ],
        )

    # -- deleting ------------------------------------------------------------------------------

    def _delete(self, entity: EntityDef, record: Record) -> Reply:
        data = self.data
        if entity.name == "Shipment":
            if record["Status"] not in EDITABLE_STATES:
                return errors.px_exception(
                    f"The shipment {record['ShipmentNbr']} cannot be deleted because it has the "
                    f"{record['Status']} status."
                )
            data.delete("Shipment", record["id"])
            refresh_orders(data, order_keys(record), data.now())
        elif entity.name == "SalesOrder":
            if data.shipments_of_order(record["OrderType"], record["OrderNbr"]):
                return errors.px_exception(
                    f"The sales order {record['OrderType']} {record['OrderNbr']} cannot be "
                    "deleted because shipments have been created for it."
                )
            data.delete("SalesOrder", record["id"])
        else:
            inventory = record["InventoryID"]
            for order in data.records["SalesOrder"].values():
                if any(line.get("InventoryID") == inventory for line in order["Details"]):
                    return errors.px_exception(
                        f"The item {inventory} cannot be deleted because it is used in "
                        f"the sales order {order['OrderType']} {order['OrderNbr']}."
                    )
            data.delete("StockItem", record["id"])
        return Reply(204)


def choice_keys(config: SandboxConfig) -> tuple[str, str]:
    """The members of a StringSingleSelectValue's value (README.md: ``single_select_casing``)."""
    if config.single_select_casing == "lower":
        return ("id", "description")
    return ("ID", "Description")


def _projection(request: EntityRequest, schema: EndpointSchema) -> Projection:
    try:
        return parse_projection(
            request.query.get("$expand"), request.query.get("$select"), contract=schema.contract
        )
    except QueryError as exc:
        raise SandboxHttpError(errors.bad_filter(str(exc))) from exc


def _stored_body(schema: EndpointSchema, entity: EntityDef, body: Any, *, root: str, path: str):
    """The body in the writers' terms (inbound.py); a drop-down that does not bind → 400."""
    model_state: dict[str, list[str]] = {}
    stored = inbound.to_storage(schema, entity, body, model_state, path=path, root=root)
    if model_state:
        raise SandboxHttpError(errors.invalid_data(model_state))
    return stored


def _is_guid(text: str) -> bool:
    try:
        coerce("GuidValue", text, UTC)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True


def _count(query: dict[str, str], name: str) -> int | None:
    """``$top``/``$skip``: a non-negative int32 or 400 (what Web API's binding answers)."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0 or value > 2**31 - 1:
        raise SandboxHttpError(
            errors.invalid_data({name: [f"The value '{raw}' is not valid for {name}."]})
        )
    return value

"""Long-running actions (API.md §5): ``POST …/<Entity>/<Action>`` → 202 + ``Location``; polling
that Location in the same session → 202 while it runs (``config.action_duration`` seconds), then
204. The effect is applied when the operation completes, not when it is invoked.

Checked at once (the reply to the POST): the body binds (400), the record exists (500
NoEntitySatisfiesTheCondition), the record's status allows the action (500 PXException).
Checked again when it completes, plus what only the operation itself finds out (e.g. no lines to
ship from the warehouse): a failure is answered on the status URL as a 500 HttpError.

While an operation runs, other requests of the same session to the same form (entity) fail with
500 "The previous operation has not been completed yet." (API.md §5 quotes the guide: only the
status request succeeds). A status URL of another session, or an unknown one, answers 204 (the
guide: 204 = "completed or was not created").
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from . import entity_errors as errors
from . import orders, shipments
from .data import Record, SandboxData
from .http import Reply, SandboxHttpError, http_error
from .orders import CANCELABLE_STATES, SHIPPABLE_STATES, line_available
from .schema import EntityDef
from .values import coerce, json_type_name
from .webapi import no_resource
from .writes import WriteContext, check_shape, locate

ZERO = Decimal(0)


class ActionFailed(Exception):
    """The operation could not be completed; the text is what the status URL reports."""


@dataclass
class Operation:
    id: str
    session_id: str
    entity: str
    action: str
    record_id: str
    parameters: dict[str, Any]
    deadline: float
    record_path: str
    status_path: str = ""
    state: str = "running"  # running | done | failed
    error: str | None = None
    reported: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def invoke(
    data: SandboxData,
    *,
    entity: EntityDef,
    action_name: str,
    body: Any,
    w: WriteContext,
    session_id: str,
    endpoint_path: str,
) -> Reply:
    action = entity.action(action_name)
    handler = HANDLERS.get((entity.name, action_name))
    if action is None or handler is None:
        raise SandboxHttpError(no_resource(f"{endpoint_path}{entity.name}/{action_name}"))
    if not isinstance(body, dict) or not isinstance(body.get("entity"), dict):
        raise SandboxHttpError(errors.invalid_data({"invocation.entity": ["Required."]}))
    model_state: dict[str, list[str]] = {}
    check_shape(w, entity, body["entity"], "entity.", model_state, root="invocation")
    raw_parameters = body.get("parameters") or {}
    parameters: dict[str, Any] = {}
    if not isinstance(raw_parameters, dict):
        model_state.setdefault("invocation.parameters", []).append("Expected an object.")
        raw_parameters = {}
    for name, type_name in action.parameters:
        wrapper = raw_parameters.get(name)
        if wrapper is None:
            continue
        try:
            if not isinstance(wrapper, dict):
                raise ValueError(name)
            parameters[name] = coerce(type_name, wrapper.get("value"), w.tz)
        except ValueError:
            model_state.setdefault(f"invocation.parameters.{name}", []).append(
                f"Error converting value {json.dumps(wrapper)} to type "
                f"'{json_type_name(type_name)}'. Path 'parameters.{name}'."
            )
    if model_state:
        raise SandboxHttpError(errors.invalid_data(model_state))
    record = locate(w, entity, body["entity"], {})
    if record is None:
        raise SandboxHttpError(errors.no_entity())
    check, _ = handler
    check(data, record, parameters)
    operation = Operation(
        id=data.new_id(),
        session_id=session_id,
        entity=entity.name,
        action=action_name,
        record_id=record["id"],
        parameters=parameters,
        deadline=data.seconds() + max(0.0, data.config.action_duration),
        record_path=f"{endpoint_path}{entity.name}/{record['id']}",
    )
    operation.status_path = f"{endpoint_path}{entity.name}/{action_name}/status/{operation.id}"
    if data.config.action_duration <= 0:
        _complete(data, operation)
        return _result(operation)
    data.operations[operation.id] = operation
    return Reply(202, None, headers={"Location": operation.status_path})


def status(data: SandboxData, *, session_id: str, operation_id: str) -> Reply:
    complete_due(data)
    operation = data.operations.get(operation_id.lower())
    if operation is None or operation.session_id != session_id:
        return Reply(204)
    if operation.state == "running":
        return Reply(202, None, headers={"Location": operation.status_path})
    operation.reported = True
    return _result(operation)


def _result(operation: Operation) -> Reply:
    if operation.state == "failed":
        return http_error(500, operation.error or "Operation failed", errors.PX_EXCEPTION)
    return Reply(204, None, headers={"Location": operation.record_path})


def blocking(data: SandboxData, session_id: str, entity_name: str) -> Operation | None:
    """The operation that keeps this session's form busy, if any."""
    complete_due(data)
    for operation in data.operations.values():
        if (
            operation.state == "running"
            and operation.session_id == session_id
            and operation.entity == entity_name
        ):
            return operation
    return None


def complete_due(data: SandboxData) -> None:
    """Apply every operation whose time has come, oldest first."""
    now = data.seconds()
    due = sorted(
        (op for op in data.operations.values() if op.state == "running" and op.deadline <= now),
        key=lambda op: op.deadline,
    )
    for operation in due:
        _complete(data, operation)


def session_closed(data: SandboxData, session_id: str) -> None:
    """A closed session's operations still finish (the server keeps working); only their status
    URLs go away with it."""
    complete_due(data)
    for operation_id in [i for i, op in data.operations.items() if op.session_id == session_id]:
        operation = data.operations[operation_id]
        if operation.state != "running":
            del data.operations[operation_id]
        else:
            operation.session_id = ""


def _complete(data: SandboxData, operation: Operation) -> None:
    check, run = HANDLERS[(operation.entity, operation.action)]
    try:
        record = data.get(operation.entity, operation.record_id)
        if record is None:
            raise ActionFailed("No entity satisfies the condition.")
        # What held at invocation is checked again: the record may have changed meanwhile.
        check(data, record, operation.parameters)
        run(data, record, operation.parameters)
        operation.state = "done"
    except (ActionFailed, SandboxHttpError) as exc:
        operation.state = "failed"
        if isinstance(exc, SandboxHttpError):
            operation.error = (exc.reply.body or {}).get("exceptionMessage")
        else:
            operation.error = str(exc)
    if not operation.session_id:
        data.operations.pop(operation.id, None)


# -- the actions -------------------------------------------------------------------------------


def _refuse(message: str) -> SandboxHttpError:
    return SandboxHttpError(errors.px_exception(message))


def _order_label(order: Record) -> str:
    return f"{order['OrderType']} {order['OrderNbr']}"


def _check_confirm(data: SandboxData, shipment: Record, parameters: dict) -> None:
    if shipment["Status"] != "Open":
        raise _refuse(
            f"The shipment {shipment['ShipmentNbr']} cannot be confirmed because it "
            f"has the {shipment['Status']} status."
        )


def _run_confirm(data: SandboxData, stored: Record, parameters: dict) -> None:
    if not any((line.get("ShippedQty") or ZERO) > 0 for line in stored.get("Details", [])):
        raise ActionFailed(
            f"The shipment {stored['ShipmentNbr']} cannot be confirmed because "
            "no quantity is shipped on any of its lines."
        )
    _save_shipment(data, stored, "Confirmed", package_confirmed=True)


def _check_correct(data: SandboxData, shipment: Record, parameters: dict) -> None:
    if shipment["Status"] != "Confirmed":
        raise _refuse(
            f"The shipment {shipment['ShipmentNbr']} cannot be corrected because it "
            f"has the {shipment['Status']} status."
        )


def _run_correct(data: SandboxData, stored: Record, parameters: dict) -> None:
    _save_shipment(data, stored, "Open", package_confirmed=False)


def _save_shipment(data: SandboxData, stored: Record, status: str, *, package_confirmed) -> None:
    shipment = copy.deepcopy(stored)
    now = data.now()
    shipment["Status"] = status
    shipment["Hold"] = False
    for package in shipment.get("Packages", []):
        package["Confirmed"] = package_confirmed
    shipment["LastModifiedDateTime"] = now
    data.replace("Shipment", shipment)
    shipments.refresh_orders(data, shipments.order_keys(shipment), now)


def _check_cancel(data: SandboxData, order: Record, parameters: dict) -> None:
    label = _order_label(order)
    if order["Status"] not in CANCELABLE_STATES:
        raise _refuse(
            f"The sales order {label} cannot be canceled because it has the "
            f"{order['Status']} status."
        )
    if data.shipments_of_order(order["OrderType"], order["OrderNbr"]):
        raise _refuse(
            f"The sales order {label} cannot be canceled because shipments have "
            "been created for it."
        )


def _run_cancel(data: SandboxData, stored: Record, parameters: dict) -> None:
    order = copy.deepcopy(stored)
    now = data.now()
    order.update(Status="Canceled", Hold=False, LastModified=now)
    order.setdefault("ShippingSettings", {"id": data.new_id()})["Canceled"] = True
    orders.refresh_from_shipments(data, order)
    for line in order.get("Details", []):
        line["LastModifiedDate"] = now
    data.replace("SalesOrder", order)


def _check_create_shipment(data: SandboxData, order: Record, parameters: dict) -> None:
    if order["Status"] not in SHIPPABLE_STATES:
        raise _refuse(
            f"The sales order {_order_label(order)} cannot be shipped because it has "
            f"the {order['Status']} status."
        )
    warehouse = parameters.get("WarehouseID")
    if warehouse is not None and warehouse.upper() not in data.lookups.warehouses:
        raise _refuse("'Warehouse' cannot be found in the system.")


def _run_create_shipment(data: SandboxData, stored: Record, parameters: dict) -> None:
    open_lines = [ln for ln in stored.get("Details", []) if line_available(ln) > 0]
    warehouse = (parameters.get("WarehouseID") or "").upper() or (
        open_lines[0]["WarehouseID"] if open_lines else stored.get("PreferredWarehouseID")
    )
    lines = [ln for ln in open_lines if ln.get("WarehouseID") == warehouse]
    if not lines:
        raise ActionFailed(
            f"The shipment cannot be created because the sales order "
            f"{_order_label(stored)} has no lines to be shipped from the "
            f"{warehouse} warehouse."
        )
    now = data.now()
    when: datetime = parameters.get("ShipmentDate") or now.astimezone(data.tz).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    shipment = shipments.new_shipment(
        data, customer_id=stored["CustomerID"], warehouse_id=warehouse, shipment_date=when
    )
    shipments.copy_ship_to(data, shipment, stored)
    shipment["Details"] = [shipments.line_from_order(data, stored, ln, None) for ln in lines]
    shipment["ShipmentNbr"] = data.next_number("shipment")
    shipment["NoteID"] = shipment["id"]
    shipments.recalc(data, shipment)
    data.insert("Shipment", shipment)
    shipments.refresh_orders(data, shipments.order_keys(shipment), now)


Check = Callable[[SandboxData, Record, dict], None]
HANDLERS: dict[tuple[str, str], tuple[Check, Check]] = {
    ("Shipment", "ConfirmShipment"): (_check_confirm, _run_confirm),
    ("Shipment", "CorrectShipment"): (_check_correct, _run_correct),
    ("SalesOrder", "CancelSalesOrder"): (_check_cancel, _run_cancel),
    ("SalesOrder", "SalesOrderCreateShipment"): (_check_create_shipment, _run_create_shipment),
}

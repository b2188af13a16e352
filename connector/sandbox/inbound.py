"""A request body as an endpoint version sent it → the body the writers read.

Writers (order_writes.py, shipment_writes.py, …) work on the storage view of the schema
(schema.py): the names the records keep and Contract Version 4 values. This turns a body written
for any version into that form:

* a field the version does not have is dropped, as Acumatica ignores a field it does not know
  (README.md: "Unknown fields in a PUT … ignored silently") — ``Length`` sent to 20.200.001 is
  not saved, ``LastModified`` sent to 26.200.001 neither;
* a renamed field is put under its stored name (20.200.001's ``FreightAmount``);
* a Contract Version 5 drop-down must be ``{"value": {"ID": "<code>"}}`` (``Description`` is
  optional, member names bind in any letter case, as Json.NET does); its label replaces it. A
  bare string there is what Json.NET cannot convert into the inner object: 400, with the
  modelState entry ASP.NET writes.
"""

from __future__ import annotations

import json
from typing import Any

from . import choices
from .schema import SINGLE_SELECT, EndpointSchema, EntityDef

SYSTEM_KEYS = frozenset({"id", "rowNumber", "note", "custom", "_links", "files", "error", "delete"})
_INNER = "PX.Api.ContractBased.Models.StringSelectInnerValue"


def to_storage(
    schema: EndpointSchema,
    entity: EntityDef,
    body: Any,
    model_state: dict[str, list[str]],
    *,
    path: str = "",
    root: str = "entity",
) -> Any:
    """``body`` for the writers; conversion problems are added to ``model_state``. Anything that
    is not an object is returned as it is, for the writers' own shape checks to refuse."""
    if not isinstance(body, dict):
        return body
    out: dict[str, Any] = {}
    for name, value in body.items():
        if name in SYSTEM_KEYS:
            out[name] = value
            continue
        definition = entity.field(name)
        if definition is None:
            continue
        key = definition.store_key
        if definition.kind == "linked":
            nested = schema.entities[definition.type_name]
            out[key] = to_storage(
                schema, nested, value, model_state, path=f"{path}{name}.", root=root
            )
        elif definition.kind == "detail":
            nested = schema.entities[definition.type_name]
            out[key] = (
                [
                    to_storage(
                        schema, nested, item, model_state, path=f"{path}{name}[{i}].", root=root
                    )
                    for i, item in enumerate(value)
                ]
                if isinstance(value, list)
                else value
            )
        elif definition.type_name == SINGLE_SELECT and isinstance(value, dict):
            out[key] = _choice(entity, name, value, model_state, f"{root}.{path}{name}.value")
        else:
            out[key] = value
    return out


def _choice(
    entity: EntityDef, name: str, wrapper: dict, model_state: dict[str, list[str]], where: str
) -> dict:
    if "value" not in wrapper or wrapper["value"] is None:
        return dict(wrapper)
    code = choices.inner_id(wrapper["value"])
    if code is None:
        model_state.setdefault(where, []).append(
            f"Error converting value {json.dumps(wrapper['value'])} to type '{_INNER}'. "
            f"Path '{where.split('.', 1)[1]}'."
        )
        return {}
    return {**wrapper, "value": choices.label_of(entity.name, name, code)}

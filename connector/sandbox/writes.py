"""PUT (upsert) and PATCH of top-level records (API.md §2, §4.1, §6).

The flow: the body must bind (every field wrapped as ``{"value": …}``, values of the right type)
or the answer is 400; the record is found by ``id``, by its key fields, or by ``$filter``, else
inserted (``If-None-Match: *`` / ``If-Match: *`` give 412); the changes are applied to a copy by
the entity's writer (order_writes.py, shipment_writes.py, stock_item_writes.py), which records
problems as ``error`` texts on the objects; any error → 422 with the copy rendered (errors next
to the values, the top-level text naming the record), nothing saved; otherwise the copy is saved
and returned as 200 with the request's ``$expand``/``$select``.

Unknown fields are ignored, as are read-only ones (Status, totals…) and every change to a record
whose form is closed for editing: Acumatica saves only fields the form lets the user change and
still answers 200 (API.md §4.1: "A 200 does not prove the value was saved").
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from . import entity_errors as errors
from .columns import DISPLAY_NAMES, MAX_LENGTHS
from .data import Record, SandboxData, normalize_key
from .http import Reply, SandboxHttpError
from .odata import FilterError, compile_filter
from .render import Projection, RenderContext, render
from .schema import EndpointSchema, EntityDef
from .values import coerce, json_type_name

SYSTEM_KEYS = frozenset({"id", "rowNumber", "note", "custom", "_links", "files", "error", "delete"})


@dataclass
class WriteContext:
    data: SandboxData
    # The storage view (schema.py): names the records keep, Contract Version 4 values.
    schema: EndpointSchema
    render_ctx: RenderContext
    now: datetime
    inserting: bool = False
    # DAC name of the first object an error was put on, for the top-level 422 text.
    failed_record: str | None = None
    failed_operation: str = "Updating"
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self):
        return self.render_ctx.tz

    def wire(self, entity: EntityDef) -> EntityDef:
        """``entity`` as the endpoint version names it (``schema`` is the storage view the
        writers use, the render context's schema the version's own)."""
        return self.render_ctx.schema.entities.get(entity.name, entity)

    def error(
        self, target: Record, name: str, message: str, record_name: str, *, inserted: bool
    ) -> None:
        target.setdefault("_errors", {})[name] = message
        if self.failed_record is None:
            self.failed_record = record_name
            self.failed_operation = "Inserting" if inserted else "Updating"

    def not_found(self, target: Record, name: str, record_name: str, *, inserted: bool) -> None:
        label = DISPLAY_NAMES.get(name, name)
        self.error(
            target,
            name,
            f"'{label}' cannot be found in the system.",
            record_name,
            inserted=inserted,
        )

    def empty(self, target: Record, name: str, record_name: str, *, inserted: bool) -> None:
        label = DISPLAY_NAMES.get(name, name)
        self.error(target, name, f"'{label}' cannot be empty.", record_name, inserted=inserted)

    def shown_id(self, stored: Record) -> str:
        return self.render_ctx.object_id(stored["id"])


class EntityWriter(Protocol):
    # The DAC's display name, as in "Inserting  'Shipment' record raised at least one error."
    record_name: str

    def new(self, w: WriteContext, body: dict) -> Record: ...

    def apply(self, w: WriteContext, working: Record, body: dict) -> None: ...

    def save(self, w: WriteContext, working: Record, original: Record | None) -> Record:
        """Store ``working`` (insert, or replace when it differs from ``original``) and return
        the record as saved."""
        ...


def put_entity(
    *,
    writer: EntityWriter,
    entity: EntityDef,
    w: WriteContext,
    body: Any,
    query: dict[str, str],
    headers: dict[str, str],
    projection: Projection,
    patch: bool = False,
) -> Reply:
    model_state: dict[str, list[str]] = {}
    if not isinstance(body, dict):
        raise SandboxHttpError(errors.invalid_data({"entity": ["The entity is required."]}))
    check_shape(w, entity, body, "", model_state)
    if model_state:
        raise SandboxHttpError(errors.invalid_data(model_state))
    original = locate(w, entity, body, query)
    if headers.get("if-none-match", "").strip() == "*" and original is not None:
        raise SandboxHttpError(errors.precondition_failed(exists=True))
    if headers.get("if-match", "").strip() == "*" and original is None:
        raise SandboxHttpError(errors.precondition_failed(exists=False))
    if patch and original is None:
        raise SandboxHttpError(errors.no_entity_404())
    w.inserting = original is None
    working = copy.deepcopy(original) if original is not None else writer.new(w, body)
    writer.apply(w, working, body)
    if has_errors(working):
        working["_error"] = (
            f"{w.failed_operation}  '{w.failed_record or writer.record_name}' record raised at "
            "least one error. Please review the errors."
        )
        shown = projection.with_expanded(error_paths(entity, working, w.schema))
        return Reply(422, render(w.render_ctx, w.wire(entity), working, shown))
    strip_private(working)
    # A closed form saves nothing and answers with the record as it is.
    saved = original if w.notes.get("read_only") else writer.save(w, working, original)
    return Reply(200, render(w.render_ctx, w.wire(entity), saved, projection))


def check_shape(
    w: WriteContext,
    entity: EntityDef,
    body: dict,
    path: str,
    model_state: dict,
    root: str = "entity",
) -> None:
    """What Json.NET refuses to bind into the entity model: each problem → a modelState entry
    keyed like ASP.NET's (``<body parameter>.<JSON path>``)."""

    def refuse(name: str, value: Any, type_name: str) -> None:
        where = f"{path}{name}"
        model_state.setdefault(f"{root}.{where}", []).append(
            f"Error converting value {json.dumps(value)} to type '{json_type_name(type_name)}'. "
            f"Path '{where}'."
        )

    for name, value in body.items():
        if name == "id":
            if value is not None and not _looks_like_guid(value):
                refuse(name, value, "Guid")
            continue
        if name == "delete":
            if not isinstance(value, bool):
                refuse(name, value, "Boolean")
            continue
        if name == "note":
            if value is not None and not isinstance(value, (dict, str)):
                refuse(name, value, "StringValue")
            continue
        if name in SYSTEM_KEYS:
            continue
        definition = entity.field(name)
        if definition is None:
            continue
        if definition.kind == "value":
            if value is None:
                continue
            if not isinstance(value, dict):
                refuse(name, value, definition.type_name)
                continue
            try:
                coerce(definition.type_name, value.get("value"), w.tz)
            except ValueError:
                refuse(f"{name}.value", value.get("value"), definition.type_name)
        elif definition.kind == "linked":
            if value is None:
                continue
            if not isinstance(value, dict):
                refuse(name, value, definition.type_name)
                continue
            linked = w.schema.entities[definition.type_name]
            check_shape(w, linked, value, f"{path}{name}.", model_state, root)
        else:
            if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
                refuse(name, value, f"List`1[{definition.type_name}]")
                continue
            nested = w.schema.entities[definition.type_name]
            for index, item in enumerate(value):
                check_shape(w, nested, item, f"{path}{name}[{index}].", model_state, root)


def _looks_like_guid(value: Any) -> bool:
    try:
        coerce("GuidValue", value, None)  # type: ignore[arg-type]
    except ValueError:
        return False
    return isinstance(value, str)


def locate(w: WriteContext, entity: EntityDef, body: dict, query: dict) -> Record | None:
    """The record a PUT addresses: by ``id``, by key fields, by ``$filter`` (first match)."""
    data = w.data
    if body.get("id"):
        found = data.get(entity.name, str(body["id"]).strip("{}"))
        if found is None:
            raise SandboxHttpError(errors.no_entity())
        return found
    keys = [value_of(body, k) for k in entity.keys]
    if entity.keys and all(k not in (None, "") for k in keys):
        return data.find(entity.name, keys)
    if query.get("$filter"):
        try:
            predicate = compile_filter(query["$filter"], w.wire(entity), w.render_ctx.schema, w.tz)
        except FilterError as exc:
            raise SandboxHttpError(errors.bad_filter(str(exc))) from exc
        for record_id in data.ordered_ids(entity.name):
            if predicate(data.records[entity.name][record_id]) is True:
                return data.records[entity.name][record_id]
    return None


def value_of(body: dict, name: str) -> Any:
    wrapper = body.get(name)
    return wrapper.get("value") if isinstance(wrapper, dict) else None


def given(body: dict, name: str) -> bool:
    """The field is in the body with a ``value`` key (``{}`` means "leave it")."""
    return isinstance(body.get(name), dict) and "value" in body[name]


def assign(
    w: WriteContext,
    entity: EntityDef,
    target: Record,
    body: dict,
    writable: frozenset[str] | set[str],
    record_name: str,
    *,
    inserted: bool,
) -> set[str]:
    """Copy the writable value fields of ``body`` onto ``target``; length limits become field
    errors. Returns the names written."""
    written = set()
    for name in writable:
        definition = entity.field(name)
        if definition is None or definition.kind != "value" or not given(body, name):
            continue
        value = coerce(definition.type_name, body[name]["value"], w.tz)
        if isinstance(value, str):
            value = value.rstrip() if name.endswith("ID") else value
            if value == "":
                value = None
        limit = MAX_LENGTHS.get((entity.name, name))
        target[name] = value
        written.add(name)
        if limit and isinstance(value, str) and len(value) > limit:
            w.error(
                target,
                name,
                f"The length of the value exceeds the maximum length of {limit} characters.",
                record_name,
                inserted=inserted,
            )
    if given(body, "note") or isinstance(body.get("note"), str):
        note = body["note"]
        target["note"] = note.get("value") if isinstance(note, dict) else note
    return written


def merge_lines(
    w: WriteContext,
    entity: EntityDef,
    lines: list[Record],
    items: list[dict],
    *,
    insert: Callable[[dict], list[Record]],
    update: Callable[[Record, dict], None],
    delete: Callable[[Record], bool] = lambda line: True,
) -> None:
    """Apply a detail collection of a PUT body: an item with ``id`` (or the line's key fields)
    updates that line, with ``"delete": true`` removes it, without either is inserted. An ``id``
    that matches no line of the record answers 500 "No entity satisfies the condition"."""
    for item in items:
        target = _find_line(w, entity, lines, item)
        if item.get("delete") is True:
            if target is not None and delete(target):
                lines.remove(target)
            continue
        if target is not None:
            update(target, item)
        else:
            lines.extend(insert(item))


def _find_line(w: WriteContext, entity: EntityDef, lines: list[Record], item: dict):
    if item.get("id"):
        wanted = str(item["id"]).strip("{}").lower()
        for line in lines:
            if w.shown_id(line) == wanted:
                return line
        raise SandboxHttpError(errors.no_entity())
    keys = [value_of(item, k) for k in entity.line_keys]
    if entity.line_keys and all(k is not None for k in keys):
        wanted_key = normalize_key(keys)
        for line in lines:
            if normalize_key(line.get(k) for k in entity.line_keys) == wanted_key:
                return line
    return None


def has_errors(obj: Any) -> bool:
    if isinstance(obj, dict):
        if obj.get("_errors") or obj.get("_error"):
            return True
        return any(has_errors(v) for k, v in obj.items() if not k.startswith("_"))
    if isinstance(obj, list):
        return any(has_errors(v) for v in obj)
    return False


def error_paths(entity: EntityDef, record: Record, schema: EndpointSchema, prefix=()) -> list:
    """``$expand`` paths down to every nested object carrying an error, so the 422 shows it."""
    paths = []
    for definition in entity.nested_fields:
        value = record.get(definition.name)
        nested = schema.entities.get(definition.type_name)
        if nested is None or not value:
            continue
        for item in value if isinstance(value, list) else [value]:
            if has_errors(item):
                paths.append((*prefix, definition.name))
                paths.extend(error_paths(nested, item, schema, (*prefix, definition.name)))
    return paths


def strip_private(obj: Any) -> Any:
    """The record without error marks (what gets saved after a successful write)."""
    if isinstance(obj, dict):
        for key in ("_errors", "_error"):
            obj.pop(key, None)
        for value in obj.values():
            strip_private(value)
    elif isinstance(obj, list):
        for value in obj:
            strip_private(value)
    return obj


def differs(a: Any, b: Any, ignore: frozenset[str]) -> bool:
    """Whether a PUT changed anything worth saving (LastModified fields excluded)."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = (set(a) | set(b)) - ignore
        return any(differs(a.get(k), b.get(k), ignore) for k in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) != len(b) or any(differs(x, y, ignore) for x, y in zip(a, b, strict=True))
    return a != b

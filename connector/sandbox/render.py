"""Stored record → Acumatica's JSON (API.md §4.1), shaped by ``$expand`` and ``$select``.

As in real captures: every field wrapped as ``{"value": …}``, fields without a value as ``{}``;
``id``, ``rowNumber``, ``note`` (``{"value": ""}`` on top-level and detail objects, ``null`` on
linked ones) and ``custom: {}`` on every object; ``_links`` on top-level records (and the
``files:put`` link on detail lines that can carry files); fields in case-insensitive name order.
Only expanded linked/detail entities are returned; ``$select`` trims at every level.

Detail and linked objects get session-scoped ids (API.md §2: only top-level ids are persistent):
the id a session sees is derived from the line's stored id and the session id, so the same line
has another id in the next session, as in Acumatica.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timezone
from typing import Any

from . import choices
from .schema import SINGLE_SELECT, EndpointSchema, EntityDef
from .values import render_value


class QueryError(ValueError):
    """``$expand``/``$select`` the endpoint's query syntax cannot read (Contract Version 5
    wants nested entities in parentheses); answered like a bad ``$filter``."""


@dataclass
class SelectNode:
    """One level of ``$select``: fields named at this level and paths into nested entities."""

    fields: set[str] = field(default_factory=set)
    children: dict[str, SelectNode] = field(default_factory=dict)
    # Every value field of this level (Contract Version 5: a nested $select below, none here).
    everything: bool = False


@dataclass
class Projection:
    expand: dict[str, dict]
    # None: every field (no $select, or this entity was selected as a whole).
    select: SelectNode | None = None

    def shows_value(self, name: str) -> bool:
        return self.select is None or self.select.everything or name in self.select.fields

    def shows_nested(self, name: str) -> bool:
        if name not in self.expand:
            return False
        return self.select is None or name in self.select.fields or name in self.select.children

    def child(self, name: str) -> Projection:
        select = None
        if self.select is not None and name not in self.select.fields:
            select = self.select.children.get(name, SelectNode())
        return Projection(self.expand.get(name, {}), select)

    def with_expanded(self, paths: list[tuple[str, ...]]) -> Projection:
        """The same projection with more paths expanded (a 422 shows the lines in error)."""
        expand = _copy_tree(self.expand)
        for path in paths:
            node = expand
            for name in path:
                node = node.setdefault(name, {})
        return Projection(expand, self.select)


def _copy_tree(tree: dict) -> dict:
    return {k: _copy_tree(v) for k, v in tree.items()}


def parse_projection(expand: str | None, select: str | None, *, contract: int = 4) -> Projection:
    """Contract Version 4 (OData v3 paths): ``$expand=Details,Details/Allocations`` and
    ``$select=ShipmentNbr,Packages/TrackingNbr``. Contract Version 5 (OData 4.01): nested
    entities in parentheses, ``$expand=Details($expand=Allocations;$select=LineNbr)``, and a
    slash path is a QueryError. Unknown names are kept and simply match nothing (the sandbox
    does not reject them)."""
    if contract >= 5:
        tree, root = _nested_level(expand, select)
        return Projection(tree, root)
    tree: dict[str, dict] = {}
    for path in _paths(expand):
        node = tree
        for name in path:
            node = node.setdefault(name, {})
    root = None
    if select is not None and select.strip():
        root = SelectNode()
        for path in _paths(select):
            node = root
            for name in path[:-1]:
                node = node.children.setdefault(name, SelectNode())
            node.fields.add(path[-1])
    return Projection(tree, root)


def _nested_level(expand: str | None, select: str | None) -> tuple[dict, SelectNode | None]:
    """One level of Contract Version 5's ``$expand``/``$select``."""
    node = None
    if select is not None and select.strip():
        node = SelectNode(fields={_plain_name(n, "$select") for n in _split(select, ",")})
    tree: dict[str, dict] = {}
    children: dict[str, SelectNode | None] = {}
    for item in _split(expand or "", ","):
        name, _, rest = item.partition("(")
        name = _plain_name(name, "$expand")
        options: dict[str, str] = {}
        if rest:
            if not rest.endswith(")"):
                raise QueryError(f"Syntax error in $expand item '{item}'.")
            for option in _split(rest[:-1], ";"):
                key, eq, value = option.partition("=")
                if not eq or key.strip().lower() not in ("$expand", "$select"):
                    raise QueryError(f"Unsupported nested option '{option}' in $expand.")
                options[key.strip().lower()] = value
        tree[name], children[name] = _nested_level(options.get("$expand"), options.get("$select"))
    if node is None and any(child is not None for child in children.values()):
        node = SelectNode(everything=True)
    if node is not None:
        for name, child in children.items():
            if child is None:
                node.fields.add(name)
            else:
                node.children[name] = child
    return tree, node


def _plain_name(text: str, option: str) -> str:
    name = text.strip()
    if "/" in name:
        raise QueryError(
            f"The path '{name}' in {option} is not valid for this endpoint: Contract Version 5 "
            f"names a nested entity inside $expand, e.g. {name.split('/')[0]}($expand="
            f"{'/'.join(name.split('/')[1:])})."
        )
    if not name:
        raise QueryError(f"Empty item in {option}.")
    return name


def _split(text: str, separator: str) -> list[str]:
    """Split at ``separator`` outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise QueryError(f"Unbalanced parentheses in '{text}'.")
        if char == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if depth:
        raise QueryError(f"Unbalanced parentheses in '{text}'.")
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _paths(text: str | None) -> list[tuple[str, ...]]:
    if not text:
        return []
    paths = []
    for item in text.split(","):
        parts = tuple(p.strip() for p in item.strip().split("/") if p.strip())
        if parts:
            paths.append(parts)
    return paths


EVERYTHING = Projection({})


@dataclass
class RenderContext:
    schema: EndpointSchema
    # Site-relative endpoint prefix, e.g. "/AcumaticaERP/entity/Default/24.200.001/".
    endpoint_path: str
    tz: timezone
    session_id: str | None = None
    scoped_ids: bool = True
    # The members of a StringSingleSelectValue's value (Contract Version 5).
    choice_keys: tuple[str, str] = ("ID", "Description")

    def object_id(self, stored_id: str) -> str:
        if not self.scoped_ids or not self.session_id:
            return stored_id
        namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"acumatica-sandbox-session:{self.session_id}")
        return str(uuid.uuid5(namespace, stored_id))

    def files_link(self, entity: EntityDef, object_id: str) -> str:
        return f"{self.endpoint_path}files/{entity.graph}/{entity.view}/{object_id}/{{filename}}"


def render(
    ctx: RenderContext,
    entity: EntityDef,
    record: dict,
    projection: Projection = EVERYTHING,
    *,
    row_number: int = 1,
    level: str = "top",
) -> dict[str, Any]:
    """One object; ``level`` is "top", "detail" or "linked"."""
    object_id = record["id"] if level == "top" else ctx.object_id(record["id"])
    out: dict[str, Any] = {"id": object_id, "rowNumber": row_number}
    out["note"] = None if level == "linked" else {"value": record.get("note") or ""}
    if record.get("_error"):
        out["error"] = record["_error"]
    errors = record.get("_errors") or {}
    fields = sorted(entity.fields, key=lambda f: f.name.lower())
    for definition in fields:
        name = definition.name
        if definition.kind == "value":
            if not projection.shows_value(name):
                continue
            value = record.get(definition.store_key)
            if value is None and name == "NoteID" and level != "linked":
                value = record["id"]
            wrapped: dict[str, Any] = {}
            if value is not None and definition.type_name == SINGLE_SELECT:
                wrapped["value"] = choices.wire_value(
                    entity.name, name, value, keys=ctx.choice_keys
                )
            elif value is not None:
                wrapped["value"] = render_value(definition.type_name, value, ctx.tz)
            if name in errors:
                wrapped["error"] = errors[name]
            out[name] = wrapped
            continue
        if not projection.shows_nested(name):
            continue
        nested_entity = ctx.schema.entities[definition.type_name]
        nested_projection = projection.child(name)
        if definition.kind == "linked":
            value = record.get(name)
            out[name] = render(
                ctx,
                nested_entity,
                value or {"id": _placeholder_id(record, name)},
                nested_projection,
                level="linked",
            )
        else:
            out[name] = [
                render(ctx, nested_entity, line, nested_projection, row_number=n, level="detail")
                for n, line in enumerate(record.get(name) or [], start=1)
            ]
    out["custom"] = {}
    if level == "top":
        out["_links"] = {
            "self": f"{ctx.endpoint_path}{entity.name}/{object_id}",
            "files:put": ctx.files_link(entity, object_id),
        }
    elif level == "detail" and entity.graph:
        out["_links"] = {"files:put": ctx.files_link(entity, object_id)}
    return out


def _placeholder_id(record: dict, name: str) -> str:
    """A stable id for a linked entity the record has no values for."""
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{record['id']}/{name}"))


def ad_hoc_schema(ctx: RenderContext, entity: EntityDef) -> dict[str, Any]:
    """``$adHocSchema``: the entity skeleton with every contract field as ``{}`` (the real
    capture's shape) and no custom fields or workflow actions, since the sandbox has none."""
    out: dict[str, Any] = {"id": str(uuid.UUID(int=0)), "rowNumber": 1, "note": {"value": ""}}
    for definition in sorted(entity.fields, key=lambda f: f.name.lower()):
        if definition.kind == "value":
            out[definition.name] = {}
        elif definition.kind == "linked":
            nested = ctx.schema.entities[definition.type_name]
            out[definition.name] = {
                "id": str(uuid.UUID(int=0)),
                "rowNumber": 1,
                "note": None,
                **{f.name: {} for f in nested.value_fields},
                "custom": {},
            }
        else:
            out[definition.name] = []
    out["custom"] = {}
    out["_workflowActions"] = []
    return out

"""Requests and records between the connector's vocabulary (24.200.001 names, Contract Version
4 values) and one endpoint version (:mod:`.endpoints`).

Out: a field the version lacks is left out of ``$select``/``$expand`` and of a PUT or action body
(Acumatica would ignore it there; not sending it keeps request and record honest) and refused
in ``$filter`` (Acumatica would answer 500); a renamed field takes the version's name; on a
Contract Version 5 endpoint a drop-down value becomes ``{"value": {"ID": …}}``, filters are
written in OData 4.01 and nested entities are expanded in parentheses.

In: a renamed field comes back under its canonical name and a ``StringSingleSelectValue`` as
the plain label Contract Version 4 shows (its ``Description``, else the label of its ID), so a
record reads the same on every version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from . import odata
from .endpoints import EndpointVersion
from .values import BARE_KEYS, is_wrapped


class FieldNotInEndpoint(ValueError):
    """A filter names a field the store's endpoint version does not have."""


# --- out ----------------------------------------------------------------------------------------


def body(ev: EndpointVersion, entity: str, wrapped: Mapping[str, Any]) -> dict[str, Any]:
    """A wrapped request body (``values.wrap``) for this version."""
    out: dict[str, Any] = {}
    for key, value in wrapped.items():
        if key in BARE_KEYS or key in ("note", "custom"):
            out[key] = value
            continue
        if not ev.has(entity, key):
            continue
        name = ev.name_of(entity, key)
        nested = ev.nested_entity(entity, key)
        if isinstance(value, list):
            out[name] = [
                body(ev, nested or "", item) if isinstance(item, Mapping) else item
                for item in value
            ]
        elif isinstance(value, Mapping) and not is_wrapped(value):
            out[name] = body(ev, nested or "", value)
        elif ev.is_drop_down(entity, key) and isinstance(value, Mapping):
            out[name] = _drop_down_out(ev, entity, key, value)
        else:
            out[name] = value
    return out


def _drop_down_out(ev: EndpointVersion, entity: str, key: str, wrapper: Mapping) -> dict:
    label = wrapper.get("value")
    if not isinstance(label, str):
        return dict(wrapper)
    return {**wrapper, "value": {"ID": ev.drop_down_id(entity, key, label)}}


def paths(ev: EndpointVersion, entity: str, names: Iterable[str]) -> list[str]:
    """``$select``/``$expand`` paths in this version's names, without the fields it lacks."""
    out = []
    for path in names:
        translated = _path(ev, entity, path)
        if translated is not None:
            out.append(translated)
    return out


def _path(ev: EndpointVersion, entity: str, path: str) -> str | None:
    current: str | None = entity
    parts = []
    for part in path.split("/"):
        if current is not None and not ev.has(current, part):
            return None
        parts.append(ev.name_of(current, part) if current else part)
        current = ev.nested_entity(current, part) if current else None
    return "/".join(parts)


def query(
    ev: EndpointVersion,
    entity: str,
    *,
    filter: odata.Filter | str | None = None,
    expand: Iterable[str] | None = None,
    select: Iterable[str] | None = None,
) -> dict[str, str]:
    """``$filter``, ``$expand``, ``$select`` for this version (only those given)."""
    params: dict[str, str] = {}
    if filter:
        params["$filter"] = (
            filter.render(_Syntax(ev, entity)) if isinstance(filter, odata.Filter) else filter
        )
    expand_paths = paths(ev, entity, expand or ())
    select_paths = paths(ev, entity, select or ()) if select is not None else None
    if ev.contract >= 5:
        expand_text, select_text = _nested(expand_paths, select_paths)
    else:
        expand_text = ",".join(expand_paths)
        select_text = ",".join(select_paths) if select_paths is not None else ""
    if expand_text:
        params["$expand"] = expand_text
    if select_text:
        params["$select"] = select_text
    return params


def _nested(expand: list[str], select: list[str] | None) -> tuple[str, str]:
    """Contract Version 5: ``Details($select=LineNbr;$expand=Allocations)`` instead of slash
    paths. An entity selected whole (or not named in ``select``) gets no nested ``$select``."""
    tree: dict[str, Any] = {}
    for path in expand:
        node = tree
        for part in path.split("/"):
            node = node.setdefault(part, {})
    root_fields: list[str] = []
    chosen: dict[tuple[str, ...], list[str]] = {}
    for path in select or ():
        parts = tuple(path.split("/"))
        node = tree
        for part in parts[:-1]:
            node = node.get(part, {})
        if parts[-1] in node:
            continue  # a whole entity: expanded, all its fields
        if len(parts) == 1:
            root_fields.append(parts[0])
        else:
            chosen.setdefault(parts[:-1], []).append(parts[-1])

    def level(node: dict, prefix: tuple[str, ...]) -> str:
        items = []
        for name, children in node.items():
            here = (*prefix, name)
            options = []
            if chosen.get(here):
                options.append("$select=" + ",".join(chosen[here]))
            if children:
                options.append("$expand=" + level(children, here))
            items.append(f"{name}({';'.join(options)})" if options else name)
        return ",".join(items)

    return level(tree, ()), ",".join(root_fields)


class _Syntax(odata.FilterSyntax):
    def __init__(self, ev: EndpointVersion, entity: str) -> None:
        self.ev = ev
        self.entity = entity

    def _owner(self, path: str) -> tuple[str, str]:
        """(entity, field) of a canonical path, e.g. ("Address", "City")."""
        parts = path.split("/")
        entity = self.entity
        for part in parts[:-1]:
            entity = self.ev.nested_entity(entity, part) or ""
        return entity, parts[-1]

    def field(self, name: str) -> str:
        translated = _path(self.ev, self.entity, name)
        if translated is None:
            raise FieldNotInEndpoint(
                f"{self.entity} has no field {name} in endpoint version {self.ev.version}"
            )
        return translated

    def literal(self, name: str, value: Any) -> str:
        entity, field = self._owner(name)
        if isinstance(value, str) and self.ev.is_drop_down(entity, field):
            value = self.ev.drop_down_id(entity, field, value)
        if self.ev.contract >= 5 and isinstance(value, dt.datetime):
            # OData 4.01: a bare date-time (the client URL-encodes its "+").
            return odata.datetime_literal(value)[len("datetimeoffset'") : -1]
        if self.ev.contract >= 5 and isinstance(value, dt.date):
            return value.isoformat()
        return odata.literal(value)

    def function(self, function: str, name: str, value: str) -> str:
        if self.ev.contract >= 5 and function == "substringof":
            function = "contains"
        if function == "substringof":
            return super().function(function, name, value)
        return f"{function}({name},{odata.string_literal(value)})"


# --- in -----------------------------------------------------------------------------------------


def record(ev: EndpointVersion, entity: str, data: Any) -> Any:
    """A record (or anything else) as Acumatica answered it → the connector's vocabulary."""
    if not isinstance(data, Mapping) or not ev.reads_differently:
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in BARE_KEYS or key in ("note", "custom"):
            out[key] = value
            continue
        name = ev.canonical_of(entity, key)
        nested = ev.nested_entity(entity, name) or ""
        if isinstance(value, list):
            out[name] = [record(ev, nested, item) for item in value]
        elif is_wrapped(value):
            out[name] = _drop_down_in(ev, entity, name, value)
        elif isinstance(value, Mapping):
            out[name] = record(ev, nested, value)
        else:
            out[name] = value
    return out


def _drop_down_in(ev: EndpointVersion, entity: str, name: str, wrapper: Mapping) -> Mapping:
    inner = wrapper.get("value")
    if not isinstance(inner, Mapping):
        return wrapper
    lowered = {str(k).lower(): v for k, v in inner.items()}
    description, code = lowered.get("description"), lowered.get("id")
    if ev.shown_by_id(entity, name) and isinstance(code, str):
        return {**wrapper, "value": code}
    label = description if isinstance(description, str) and description else None
    if label is None and isinstance(code, str):
        label = ev.drop_down_label(entity, name, code)
    return {**wrapper, "value": label}

"""Acumatica's JSON entity representation (API.md §4.1): ``{"value": ...}`` wrapping.

General fields are wrapped (``"CustomerID": {"value": "C1"}``); system fields are bare (``id``,
``rowNumber``, ``delete``, ``files``, ``_links``, the entity-level ``error``); ``note`` is a
StringValue object; ``custom`` holds ``{View: {Field: {"type": ..., "value": ...}}}``. A linked
entity is a nested object, a detail entity a list of objects. An empty field comes back as ``{}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Keys that Acumatica sends and accepts without a value wrapper.
BARE_KEYS = frozenset({"id", "rowNumber", "delete", "files", "_links", "error"})
# Keys a value wrapper can carry. A dict made only of these is a field, not a linked entity.
_WRAPPER_KEYS = frozenset({"value", "error", "type"})


def is_wrapped(obj: Any) -> bool:
    """True for a field value object: ``{}``, ``{"value": ...}``, ``{"value": ..., "error": ...}``
    or a custom field ``{"type": ..., "value": ...}``."""
    return isinstance(obj, Mapping) and set(obj) <= _WRAPPER_KEYS


def _plain(value: Any) -> Any:
    # Turned into what json.dumps can encode without losing what Acumatica needs: dates as ISO
    # strings with their offset, Decimals as numbers.
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def wrap(record: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a plain dict into a request body: ``{"Nbr": "1"}`` → ``{"Nbr": {"value": "1"}}``.

    Already-wrapped fields pass through, so half-wrapped bodies are fine. Nested dicts become
    linked entities, lists of dicts detail lines; ``note`` and the fields under ``custom`` are
    wrapped too. ``error`` and ``_links`` are response-only and dropped.
    """
    body: dict[str, Any] = {}
    for key, value in record.items():
        if key in ("error", "_links"):
            continue
        if key in BARE_KEYS:
            body[key] = value
        elif key == "note":
            body[key] = value if is_wrapped(value) or value is None else {"value": value}
        elif key == "custom":
            body[key] = {
                view: {name: _wrap_value(field) for name, field in fields.items()}
                for view, fields in (value or {}).items()
            }
        else:
            body[key] = _wrap_value(value)
    return body


def _wrap_value(value: Any) -> Any:
    if is_wrapped(value):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Mapping):
        return wrap(value)
    if isinstance(value, list | tuple) and all(isinstance(item, Mapping) for item in value):
        return [wrap(item) for item in value]
    return {"value": _plain(value)}


def unwrap(record: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a response entity into plain values: ``{"value": x}`` → ``x``, ``{}`` → None.

    ``id``, ``rowNumber``, ``files``, ``_links`` and ``error`` stay as they are; ``note`` becomes
    its text; ``custom`` becomes ``{View: {Field: value}}``. Field-level errors are dropped: read
    them first with :func:`collect_field_errors`.
    """
    plain: dict[str, Any] = {}
    for key, value in record.items():
        if key in BARE_KEYS:
            plain[key] = value
        elif key == "custom":
            plain[key] = {
                view: {name: _unwrap_value(field) for name, field in (fields or {}).items()}
                for view, fields in (value or {}).items()
            }
        else:
            plain[key] = _unwrap_value(value)
    return plain


def _unwrap_value(value: Any) -> Any:
    if is_wrapped(value):
        return value.get("value")
    if isinstance(value, Mapping):
        return unwrap(value)
    if isinstance(value, list):
        return [unwrap(item) if isinstance(item, Mapping) else item for item in value]
    return value


def value_of(record: Mapping[str, Any], path: str, default: Any = None) -> Any:
    """Read one wrapped field, following linked entities: ``value_of(o, "ShipToAddress/City")``."""
    node: Any = record
    for part in path.split("/"):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    if is_wrapped(node):
        return node.get("value", default)
    return default if node is None else node


@dataclass(frozen=True)
class FieldError:
    """One error Acumatica attached to a record: ``path`` like ``Packages[0].BoxID`` (empty for
    the top-level record) and the message as Acumatica wrote it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def collect_field_errors(entity: Any) -> list[FieldError]:
    """Every ``error`` in an entity body (API.md §6, 422): the record's own, each field's,
    detail lines' and linked entities', in document order."""
    return list(_walk_errors(entity, ""))


def _walk_errors(node: Any, path: str) -> Iterator[FieldError]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk_errors(item, f"{path}[{index}]")
        return
    if not isinstance(node, Mapping):
        return
    if is_wrapped(node):
        if node.get("error"):
            yield FieldError(path, str(node["error"]))
        return
    if isinstance(node.get("error"), str) and node["error"]:
        yield FieldError(path, node["error"])
    for key, value in node.items():
        if key in BARE_KEYS:
            continue
        child = f"{path}.{key}" if path else key
        if key == "custom" and isinstance(value, Mapping):
            for view, fields in value.items():
                for name, field in (fields or {}).items():
                    yield from _walk_errors(field, f"{child}.{view}.{name}")
        else:
            yield from _walk_errors(value, child)

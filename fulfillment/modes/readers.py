"""Typed readers for Acumatica's wrapped fields: each returns a plain value or raises
:class:`MappingError` saying which field is wrong and how."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from connector.acumatica.values import is_wrapped

from .. import lengths

MAX_QUANTITY = Decimal(10) ** 14


class MappingError(ValueError):
    """The record cannot be imported as it is; ``reason`` says why."""

    def __init__(self, reason: str, *, key: str = "") -> None:
        self.reason = reason
        self.key = key
        super().__init__(f"{key}: {reason}" if key else reason)


def raw(record: Mapping[str, Any], name: str) -> Any:
    """A field's value: ``{"value": x}`` → x, ``{}``/missing/null → None. A bare value (not
    wrapped) is taken as is: some proxies and older builds unwrap."""
    if not isinstance(record, Mapping):
        return None
    node = record.get(name)
    if is_wrapped(node):
        return node.get("value")
    if isinstance(node, Mapping | list):
        raise MappingError(f"{name} is not a value")
    return node


def string(record: Mapping[str, Any], name: str, *, required: bool = False, max_len: int) -> str:
    value = raw(record, name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise MappingError(f"{name} is not text: {value!r}")
    value = value.strip()
    if required and not value:
        raise MappingError(f"{name} missing")
    if len(value) > max_len:
        raise MappingError(f"{name} is longer than {max_len} characters")
    return value


def text(record: Mapping[str, Any], name: str) -> str:
    """Free text: trimmed to the column instead of refusing the record."""
    value = raw(record, name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MappingError(f"{name} is not text: {value!r}")
    return value.strip()[: lengths.TEXT]


def boolean(record: Mapping[str, Any], name: str) -> bool:
    value = raw(record, name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise MappingError(f"{name} is not true/false: {value!r}")
    return value


def whole_number(record: Mapping[str, Any], name: str) -> int:
    value = raw(record, name)
    if value is None:
        raise MappingError(f"{name} missing")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MappingError(f"{name} is not a whole number: {value!r}")
    if value != int(value) or value < 0:
        raise MappingError(f"{name} is not a whole number: {value!r}")
    return int(value)


def quantity(
    record: Mapping[str, Any],
    name: str,
    *,
    required: bool = False,
    default: Decimal | None = Decimal(0),
) -> Decimal | None:
    value = raw(record, name)
    if value is None:
        if required:
            raise MappingError(f"{name} missing")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise MappingError(f"{name} is not a number: {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise MappingError(f"{name} is not a number: {value!r}") from None
    if not number.is_finite() or number < 0 or number >= MAX_QUANTITY:
        raise MappingError(f"{name} is out of range: {value!r}")
    return number.quantize(Decimal("0.000001"))


def moment(record: Mapping[str, Any], name: str, *, required: bool) -> dt.datetime | None:
    value = raw(record, name)
    if value is None or value == "":
        if required:
            raise MappingError(f"{name} missing")
        return None
    if not isinstance(value, str):
        raise MappingError(f"{name} is not a date: {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise MappingError(f"{name} is not a date: {value!r}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        # Without an offset the moment is ambiguous by hours: a cursor built on it could skip.
        raise MappingError(f"{name} has no UTC offset: {value!r}")
    return parsed

"""Query options for the contract-based API (OData v3 conventions, API.md §3).

``$filter`` expressions are built from small functions so that values are always quoted and
formatted the way Acumatica parses them::

    f = and_(eq("Status", "Open"), gt("LastModified", since), eq("OrderType", "SO"))
    params = query_params(filter=f, expand=["Details", "ShipToAddress"], top=100)

Dates: Acumatica wants ``datetimeoffset'yyyy-MM-ddTHH:mm:ss.fffK'`` and has no way to know what
zone a naive datetime means, so only timezone-aware datetimes are accepted. Numbers: Decimal and
float become OData decimals (``12.5M``), the type of Acumatica's quantity and amount fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

# A field path as the endpoint names it: ``Status``, ``MainContact/Email``.
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*$")
# A custom-field reference: cf.String(f='ItemSettings.UsrRepairItemType').
_CUSTOM_FIELD = re.compile(r"^cf\.[A-Za-z]+\(f='[A-Za-z0-9_]+\.[A-Za-z0-9_]+'\)$")
_CUSTOM_TYPES = frozenset(
    {"String", "Int", "Boolean", "Byte", "DateTime", "Double", "Short", "Long", "Decimal", "Guid"}
)


def datetime_literal(value: dt.datetime) -> str:
    """``datetimeoffset'2024-07-15T10:31:28.402+03:00'`` from an aware datetime.

    Microseconds are truncated to milliseconds (the recommended ``.fff``): for a ``gt`` cursor
    that can only re-include a record, never skip one.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware datetime (e.g. tzinfo=UTC)")
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    stamp = value.strftime("%Y-%m-%dT%H:%M:%S") + f".{value.microsecond // 1000:03d}"
    return f"datetimeoffset'{stamp}{sign}{hours:02d}:{mins:02d}'"


def date_literal(value: dt.date) -> str:
    """``datetimeoffset'2024-12-31'``: the date-only form the official CV4 requests use."""
    return f"datetimeoffset'{value.isoformat()}'"


def string_literal(value: str) -> str:
    """``'O''Brien'``: single quotes doubled, as OData requires."""
    return "'" + value.replace("'", "''") + "'"


def literal(value: Any) -> str:
    """Any supported Python value as an OData literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return datetime_literal(value)
    if isinstance(value, dt.date):
        return date_literal(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        if isinstance(value, float) and value != value:  # NaN
            raise ValueError("NaN cannot be used in a filter")
        text = format(Decimal(str(value)), "f")
        return f"{text}M"
    if isinstance(value, str):
        return string_literal(value)
    raise TypeError(f"cannot use a {type(value).__name__} in an OData filter")


def field_path(name: str) -> str:
    """Check a field path (``Status``, ``ShipToAddress/City``, or a ``cf.*(f='…')`` reference) so
    that nothing but a field name lands on the left of an operator."""
    if _FIELD.match(name) or _CUSTOM_FIELD.match(name):
        return name
    raise ValueError(f"not a field path: {name!r}")


def custom_field(type_name: str, view_field: str) -> str:
    """``custom_field("String", "ItemSettings.UsrRepairItemType")`` → ``cf.String(f='…')``."""
    if type_name not in _CUSTOM_TYPES:
        raise ValueError(f"unknown custom field type {type_name!r}")
    return field_path(f"cf.{type_name}(f='{view_field}')")


class FilterSyntax:
    """How a filter's parts are written: Contract Version 4 as built here, field names as given.
    ``connector.acumatica.dialect`` writes them for another endpoint version (renamed fields,
    drop-down IDs, OData 4.01 literals)."""

    def field(self, name: str) -> str:
        return name

    def literal(self, name: str, value: Any) -> str:
        return literal(value)

    def function(self, function: str, name: str, value: str) -> str:
        if function == "substringof":
            return f"substringof({string_literal(value)},{name})"
        return f"{function}({name},{string_literal(value)})"


CV4 = FilterSyntax()


@dataclass(frozen=True)
class Filter:
    """A ``$filter`` expression. Combine with ``&``, ``|`` and ``~`` or :func:`and_`/:func:`or_`.

    ``text`` is the expression as Contract Version 4 reads it; ``node`` keeps its parts so that
    :meth:`render` can write it for another endpoint version. A filter made from a string has
    no parts and renders as that string."""

    text: str
    # "atom", "and", "or", "not": what to parenthesise when nesting.
    kind: str = "atom"
    # ("cmp", op, field, value) | ("func", name, field, value) | ("and"|"or", parts) |
    # ("not", inner) | () for a filter given as text.
    node: tuple = field(default=(), compare=False, repr=False)

    def __str__(self) -> str:
        return self.text

    def render(self, syntax: FilterSyntax = CV4) -> str:
        node = self.node
        if not node:
            return self.text
        if node[0] == "cmp":
            _, op, name, value = node
            return f"{syntax.field(name)} {op} {syntax.literal(name, value)}"
        if node[0] == "func":
            _, function, name, value = node
            return syntax.function(function, syntax.field(name), value)
        if node[0] == "not":
            return f"not ({node[1].render(syntax)})"
        joiner, parts = node
        wrap = "or" if joiner == "and" else "and"
        return f" {joiner} ".join(
            f"({p.render(syntax)})" if p.kind == wrap else p.render(syntax) for p in parts
        )

    def __and__(self, other: Filter) -> Filter:
        return and_(self, other)

    def __or__(self, other: Filter) -> Filter:
        return or_(self, other)

    def __invert__(self) -> Filter:
        return not_(self)


def _compare(op: str, name: str, value: Any) -> Filter:
    return Filter(f"{field_path(name)} {op} {literal(value)}", node=("cmp", op, name, value))


def eq(name: str, value: Any) -> Filter:
    return _compare("eq", name, value)


def ne(name: str, value: Any) -> Filter:
    return _compare("ne", name, value)


def gt(name: str, value: Any) -> Filter:
    return _compare("gt", name, value)


def ge(name: str, value: Any) -> Filter:
    return _compare("ge", name, value)


def lt(name: str, value: Any) -> Filter:
    return _compare("lt", name, value)


def le(name: str, value: Any) -> Filter:
    return _compare("le", name, value)


def _function(function: str, name: str, value: str) -> Filter:
    text = CV4.function(function, field_path(name), value)
    return Filter(text, node=("func", function, name, value))


def startswith(name: str, value: str) -> Filter:
    return _function("startswith", name, value)


def endswith(name: str, value: str) -> Filter:
    return _function("endswith", name, value)


def substringof(value: str, name: str) -> Filter:
    """OData v3 argument order: the needle first, then the field (``contains(field, needle)``
    on a Contract Version 5 endpoint, written so by :meth:`Filter.render`)."""
    return _function("substringof", name, value)


def _parts(filters: Iterable[Filter | str | None]) -> list[Filter]:
    return [f if isinstance(f, Filter) else Filter(f, "or") for f in filters if f]


def and_(*filters: Filter | str | None) -> Filter:
    """Join with ``and``; ``or`` groups are parenthesised. None/empty parts are skipped, which
    makes optional conditions easy."""
    parts = _parts(filters)
    if len(parts) == 1:
        return parts[0]
    text = " and ".join(f"({p})" if p.kind == "or" else str(p) for p in parts)
    return Filter(text, "and", node=("and", tuple(parts)))


def or_(*filters: Filter | str | None) -> Filter:
    parts = _parts(filters)
    if len(parts) == 1:
        return parts[0]
    # "and" binds tighter than "or", but explicit parentheses read better in request logs.
    text = " or ".join(f"({p})" if p.kind == "and" else str(p) for p in parts)
    return Filter(text, "or", node=("or", tuple(parts)))


def not_(inner: Filter) -> Filter:
    return Filter(f"not ({inner})", "not", node=("not", inner))


def in_(name: str, values: Iterable[Any]) -> Filter:
    """``Status eq 'Open' or Status eq 'Back Order'`` (OData v3 has no ``in``)."""
    options = list(values)
    if not options:
        raise ValueError("in_() needs at least one value")
    return or_(*(eq(name, v) for v in options))


def _joined(value: str | Iterable[str] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    return ",".join(value) or None


def query_params(
    *,
    filter: Filter | str | None = None,
    expand: str | Iterable[str] | None = None,
    select: str | Iterable[str] | None = None,
    custom: str | Iterable[str] | None = None,
    top: int | None = None,
    skip: int | None = None,
) -> dict[str, str]:
    """The ``$``-options as a dict, leaving out what is not set. Lists are comma-joined."""
    params: dict[str, str] = {}
    if filter:
        params["$filter"] = str(filter)
    for key, value in (("$expand", expand), ("$select", select), ("$custom", custom)):
        joined = _joined(value)
        if joined:
            params[key] = joined
    for key, number in (("$top", top), ("$skip", skip)):
        if number is not None:
            if number < 0:
                raise ValueError(f"{key} must not be negative")
            params[key] = str(number)
    return params


def encode_query(params: Mapping[str, str]) -> str:
    """``$filter=Status%20eq%20'Open'&$top=5``: spaces as ``%20`` (ASP.NET reads ``+`` as a
    space, so a ``+03:00`` offset must travel as ``%2B``), ``$``, quotes, commas, slashes and
    parentheses left readable."""
    return "&".join(
        f"{quote(key, safe='$')}={quote(value, safe=chr(39) + ',/()*')}"
        for key, value in params.items()
    )

"""How a compiled ``$filter`` evaluates, the way the SQL it becomes does (API.md §3).

A comparison with a missing value is "unknown" (None), ``and``/``or`` follow three-valued logic,
and text compares ignoring case and trailing spaces (SQL Server's default collation). odata.py
parses the filter into these pieces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .schema import NUMERIC_TYPES

Predicate = Callable[[dict], bool | None]
Getter = Callable[[dict], Any]


class FilterError(Exception):
    """The filter cannot be parsed or applied; the text is Microsoft.Data.OData-style."""


@dataclass
class Operand:
    """A compiled operand: its OData type ("string", "number", "datetime", "boolean", "guid",
    "null") and how to read it from a record."""

    edm: str
    get: Getter


_OPERATOR_KINDS = {
    "eq": "Equal",
    "ne": "NotEqual",
    "gt": "GreaterThan",
    "ge": "GreaterThanOrEqual",
    "lt": "LessThan",
    "le": "LessThanOrEqual",
}
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}
COMPARISONS = frozenset(_OPS)


def edm_of(type_name: str) -> str:
    """The OData type a contract field of ``type_name`` compares as."""
    if type_name == "DateTimeValue":
        return "datetime"
    if type_name in NUMERIC_TYPES:
        return "number"
    if type_name == "BooleanValue":
        return "boolean"
    if type_name == "GuidValue":
        return "guid"
    return "string"


def text_test(test: Callable[[str, str], bool]) -> Callable[[Any, Any], bool | None]:
    """``test`` on folded text; unknown when either side is missing."""

    def run(haystack: Any, needle: Any) -> bool | None:
        if haystack is None or needle is None:
            return None
        return test(_fold(haystack), _fold(needle))

    return run


def _fold(value: Any) -> str:
    return str(value).rstrip().casefold()


def compare(op: str, left: Operand, right: Operand, text: str) -> Operand:
    kinds = {left.edm, right.edm} - {"null"}
    if len(kinds) > 1:
        raise FilterError(
            "A binary operator with incompatible types was detected. Found operand types "
            f"'{_edm_name(left.edm)}' and '{_edm_name(right.edm)}' for operator kind "
            f"'{_OPERATOR_KINDS[op]}'."
        )
    edm = kinds.pop() if kinds else "null"
    if edm == "boolean" and op not in ("eq", "ne"):
        raise FilterError(f"The operator '{op}' cannot compare boolean values in '{text}'.")
    normalize = _fold if edm == "string" else (lambda v: v)
    operator = _OPS[op]

    def predicate(record: dict) -> bool | None:
        a, b = left.get(record), right.get(record)
        if left.edm == "null" or right.edm == "null":
            # `Field eq null` / `ne null`: the only comparisons that see a missing value.
            value = b if left.edm == "null" else a
            if op == "eq":
                return value is None
            if op == "ne":
                return value is not None
            return None
        if a is None or b is None:
            return None
        return operator(normalize(a), normalize(b))

    return Operand("boolean", predicate)


def _edm_name(edm: str) -> str:
    return {
        "string": "Edm.String",
        "number": "Edm.Decimal",
        "datetime": "Edm.DateTimeOffset",
        "boolean": "Edm.Boolean",
        "guid": "Edm.Guid",
        "null": "<null>",
    }[edm]


def kleene_and(a: Predicate, b: Predicate) -> Predicate:
    return _kleene(a, b, decisive=False)


def kleene_or(a: Predicate, b: Predicate) -> Predicate:
    return _kleene(a, b, decisive=True)


def _kleene(a: Predicate, b: Predicate, *, decisive: bool) -> Predicate:
    """``and`` (``decisive`` False) or ``or`` (True): one side with the decisive value decides;
    otherwise an unknown side leaves the result unknown."""

    def run(record: dict) -> bool | None:
        x = a(record)
        if x is decisive:
            return decisive
        y = b(record)
        if y is decisive:
            return decisive
        return None if x is None or y is None else not decisive

    return run

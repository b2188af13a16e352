"""``$filter`` as Contract Version 4 reads it: OData v3 URI conventions (API.md §3).

Supported: ``eq ne gt ge lt le``, ``and or not``, parentheses, ``substringof startswith
endswith``, string literals with ``''`` escaping, ``datetimeoffset'…'`` / ``datetime'…'`` (with
or without offset, or date only), ``date'…'``, ``guid'…'``, numbers with an optional ``M``/``D``/
``F``/``L`` suffix, ``true``/``false``/``null``, and linked-entity paths (``ShipToAddress/City``).

Evaluation follows the SQL the real query becomes (odata_logic.py): string comparisons ignore
case and trailing spaces (SQL Server's default collation), a comparison with a missing value is
"unknown" and ``not unknown`` stays unknown, so a record is returned only when the whole filter
is true.
Anything else (a detail-entity path, an unknown field, a custom field ``cf.…``, a malformed
literal, a type mismatch) raises FilterError; entity_api answers it with a 500 HttpError.

Contract Version 5 (Default/26.200.001) reads OData 4.01 instead (API.md §0): date-times are
bare (``LastModifiedDateTime gt 2025-01-01T00:00:00.000+00:00``; a ``datetimeoffset'…'``
literal is a syntax error), ``contains(Field,'x')`` replaces ``substringof``, and a drop-down
(``StringSingleSelectValue``) compares by its ID (``Status eq 'N'``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from . import choices
from .odata_logic import (
    COMPARISONS,
    FilterError,
    Operand,
    Predicate,
    compare,
    edm_of,
    kleene_and,
    kleene_or,
    text_test,
)
from .schema import SINGLE_SELECT, EndpointSchema, EntityDef
from .values import parse_iso

__all__ = ["FilterError", "Predicate", "compile_filter", "tokenize"]

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<custom>cf\.[A-Za-z]+\(\s*f\s*=\s*'(?:[^']|'')*'\s*\))
  | (?P<typed>(?:datetimeoffset|datetime|date|guid|time)'(?:[^']|'')*')
  | (?P<string>'(?:[^']|'')*')
  | (?P<bare>\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?)?)
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<punct>[(),])
    """,
    re.VERBOSE,
)
_FUNCTIONS = {
    4: {"substringof", "startswith", "endswith"},
    5: {"contains", "startswith", "endswith"},
}


@dataclass
class Token:
    kind: str
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise FilterError(f"Syntax error at position {position} in '{text}'.")
        if match.lastgroup != "ws":
            tokens.append(Token(match.lastgroup, match.group(), position))
        position = match.end()
    return tokens


def compile_filter(text: str, entity: EntityDef, schema: EndpointSchema, tz: timezone) -> Predicate:
    """Parse ``text`` into a predicate over stored records of ``entity``."""
    return _Parser(text, entity, schema, tz).parse()


class _Parser:
    def __init__(self, text: str, entity: EntityDef, schema: EndpointSchema, tz: timezone):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.entity = entity
        self.schema = schema
        self.tz = tz
        self.contract = schema.contract

    # -- token helpers ---------------------------------------------------------------------

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise FilterError(f"Expression expected at position {len(self.text)} in '{self.text}'.")
        self.index += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token.kind == "name" and token.text in words:
            self.index += 1
            return token.text
        return None

    def expect(self, text: str) -> None:
        token = self.peek()
        if token is None:
            raise FilterError(f"'{text}' expected at position {len(self.text)} in '{self.text}'.")
        self.index += 1
        if token.text != text:
            raise FilterError(f"'{text}' expected at position {token.position} in '{self.text}'.")

    # -- grammar -----------------------------------------------------------------------------

    def parse(self) -> Predicate:
        if not self.tokens:
            raise FilterError(f"Expression expected at position 0 in '{self.text}'.")
        result = self.or_expr()
        token = self.peek()
        if token is not None:
            raise FilterError(f"Syntax error at position {token.position} in '{self.text}'.")
        return self.boolean(result)

    def boolean(self, operand: Operand) -> Predicate:
        if operand.edm != "boolean":
            raise FilterError(
                f"The $filter expression must evaluate to a single boolean value in '{self.text}'."
            )
        return operand.get

    def or_expr(self) -> Operand:
        left = self.and_expr()
        while self.keyword("or"):
            a, b = self.boolean(left), self.boolean(self.and_expr())
            left = Operand("boolean", kleene_or(a, b))
        return left

    def and_expr(self) -> Operand:
        left = self.not_expr()
        while self.keyword("and"):
            a, b = self.boolean(left), self.boolean(self.not_expr())
            left = Operand("boolean", kleene_and(a, b))
        return left

    def not_expr(self) -> Operand:
        if self.keyword("not"):
            inner = self.boolean(self.not_expr())
            return Operand("boolean", lambda r: None if (v := inner(r)) is None else not v)
        return self.comparison()

    def comparison(self) -> Operand:
        left = self.primary()
        token = self.peek()
        if token and token.kind == "name" and token.text in COMPARISONS:
            self.index += 1
            right = self.primary()
            return compare(token.text, left, right, self.text)
        return left

    def primary(self) -> Operand:
        token = self.take()
        if token.text == "(":
            inner = self.or_expr()
            self.expect(")")
            return inner
        if token.kind == "string":
            value = token.text[1:-1].replace("''", "'")
            return Operand("string", lambda r, v=value: v)
        if token.kind == "number":
            return self.number(token)
        if token.kind == "typed":
            if self.contract >= 5:
                raise FilterError(
                    f"Syntax error at position {token.position} in '{self.text}': OData 4.01 "
                    "writes literals without a type prefix (e.g. 2025-01-01T00:00:00Z)."
                )
            return self.typed(token)
        if token.kind == "bare":
            if self.contract < 5:
                raise FilterError(f"Syntax error at position {token.position} in '{self.text}'.")
            moment = parse_iso(token.text, self.tz)
            if moment is None:
                raise self.bad_literal("Edm.DateTimeOffset", token)
            return Operand("datetime", lambda r, v=moment: v)
        if token.kind == "custom":
            raise FilterError(
                f"Custom fields (cf.*) in $filter are not supported by the sandbox "
                f"(position {token.position} in '{self.text}')."
            )
        if token.kind == "name":
            if token.text in ("true", "false"):
                return Operand("boolean", lambda r, v=token.text == "true": v)
            if token.text == "null":
                return Operand("null", lambda r: None)
            if token.text in _FUNCTIONS[min(self.contract, 5)]:
                return self.function(token)
            if self.peek() and self.peek().text == "(":
                raise FilterError(
                    f"Unknown function '{token.text}' at position "
                    f"{token.position} in '{self.text}'."
                )
            return self.field(token)
        raise FilterError(f"Syntax error at position {token.position} in '{self.text}'.")

    def number(self, token: Token) -> Operand:
        digits = token.text.rstrip("mMdDfFlL")
        try:
            value = Decimal(digits)
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
            raise FilterError(f"Syntax error at position {token.position}.") from exc
        return Operand("number", lambda r, v=value: v)

    def typed(self, token: Token) -> Operand:
        prefix, _, rest = token.text.partition("'")
        body = rest[:-1].replace("''", "'")
        if prefix == "guid":
            if not re.fullmatch(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", body):
                raise self.bad_literal("Edm.Guid", token)
            guid = body.lower()
            return Operand("guid", lambda r: guid)
        if prefix == "time":
            raise self.bad_literal("Edm.Time", token)
        moment = _parse_datetime_literal(body, prefix, self.tz)
        if moment is None:
            edm = {"datetimeoffset": "Edm.DateTimeOffset", "datetime": "Edm.DateTime"}
            raise self.bad_literal(edm.get(prefix, "Edm.Date"), token)
        return Operand("datetime", lambda r, v=moment: v)

    def bad_literal(self, edm: str, token: Token) -> FilterError:
        return FilterError(
            f"Unrecognized '{edm}' literal '{token.text}' at '{token.position}' in '{self.text}'."
        )

    def function(self, token: Token) -> Operand:
        self.expect("(")
        first = self.or_expr()
        self.expect(",")
        second = self.or_expr()
        self.expect(")")
        for operand in (first, second):
            if operand.edm not in ("string", "null"):
                raise FilterError(
                    f"No function signature for the function with name '{token.text}' matches "
                    f"the specified arguments in '{self.text}'."
                )
        if token.text == "substringof":
            needle, haystack = first.get, second.get
            test = text_test(lambda h, n: n in h)
        elif token.text == "contains":
            haystack, needle = first.get, second.get
            test = text_test(lambda h, n: n in h)
        else:
            haystack, needle = first.get, second.get
            test = text_test(
                (lambda h, n: h.startswith(n))
                if token.text == "startswith"
                else (lambda h, n: h.endswith(n))
            )
        return Operand("boolean", lambda r: test(haystack(r), needle(r)))

    def field(self, token: Token) -> Operand:
        entity = self.entity
        segments = token.text.split("/")
        getters: list[str] = []
        for depth, name in enumerate(segments):
            definition = entity.field(name)
            if definition is None:
                raise FilterError(
                    f"Could not find a property named '{name}' on type '{entity.name}' "
                    f"(position {token.position} in '{self.text}')."
                )
            getters.append(definition.store_key)
            last = depth == len(segments) - 1
            if definition.kind == "detail":
                # The guide: filtering on detail entities "is not supported (results cannot be
                # predicted)"; the sandbox refuses it instead of guessing.
                raise FilterError(
                    f"Filtering by fields of the detail entity '{name}' is not supported "
                    f"(position {token.position} in '{self.text}')."
                )
            if definition.kind == "linked":
                if last:
                    raise FilterError(
                        f"'{name}' is an entity, not a field (position {token.position} in "
                        f"'{self.text}')."
                    )
                entity = self.schema.entities[definition.type_name]
                continue
            if not last:
                raise FilterError(f"'{name}' has no fields (position {token.position}).")
            edm = edm_of(definition.type_name)

            def get(record: dict, path=tuple(getters)) -> Any:
                value: Any = record
                for step in path:
                    if not isinstance(value, dict):
                        return None
                    value = value.get(step)
                return value

            if definition.type_name == SINGLE_SELECT:
                return Operand(edm, _by_code(get, entity.name, name))
            return Operand(edm, get)
        raise FilterError(f"Syntax error at position {token.position} in '{self.text}'.")


def _by_code(get: Any, entity: str, name: str) -> Any:
    """A drop-down compares by its ID in Contract Version 5; the records keep the label."""
    return lambda record: choices.code_of(entity, name, get(record))


def _parse_datetime_literal(body: str, prefix: str, tz: timezone) -> datetime | None:
    """``datetimeoffset'2024-07-15T10:31:28.402+03:00'``, without offset (local time), or date
    only. A ``+`` a client forgot to URL-encode arrives as a space and is refused, as the OData
    parser does."""
    if " " in body:
        return None
    if prefix == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", body):
        return None
    return parse_iso(body, tz) if "T" in body or len(body) == 10 else None

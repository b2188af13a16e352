"""The $filter parser and evaluator on their own (no server): OData v3 as CV4 reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from connector.sandbox.odata import FilterError, compile_filter
from connector.sandbox.schema import endpoint_schema

SCHEMA = endpoint_schema("24.200.001")
ORDER = SCHEMA.entities["SalesOrder"]

RECORDS = [
    {
        "id": "a",
        "OrderType": "SO",
        "OrderNbr": "000001",
        "Status": "Open",
        "Hold": False,
        "CustomerID": "ABCSTUDIOS",
        "CustomerOrder": "PO-O'Brien",
        "OrderTotal": Decimal("150.00"),
        "LastModified": datetime(2025, 1, 10, 8, 0, 0, 123000, tzinfo=UTC),
        "Date": datetime(2025, 1, 10, tzinfo=UTC),
        "NoteID": "8afc5bee-e426-4c9f-bade-312dc725bd97",
        "ShipToAddress": {"id": "x", "City": "Seattle", "State": "WA"},
    },
    {
        "id": "b",
        "OrderType": "SO",
        "OrderNbr": "000002",
        "Status": "On Hold",
        "Hold": True,
        "CustomerID": "GOODFOOD",
        "CustomerOrder": None,
        "OrderTotal": Decimal("75.5"),
        "LastModified": datetime(2025, 1, 10, 8, 0, 0, 123000, tzinfo=UTC),
        "Date": datetime(2025, 1, 9, tzinfo=UTC),
        "ShipToAddress": {"id": "y", "City": "Toronto", "State": "ON"},
    },
    {
        "id": "c",
        "OrderType": "RM",
        "OrderNbr": "000001",
        "Status": "Open",
        "Hold": False,
        "CustomerID": "ZENWELL",
        "CustomerOrder": "PO-7",
        "OrderTotal": Decimal("0"),
        "LastModified": datetime(2025, 1, 11, 0, 0, tzinfo=UTC),
        "Date": datetime(2025, 1, 11, tzinfo=UTC),
        "ShipToAddress": None,
    },
]


def matches(text: str, tz: timezone = UTC) -> list[str]:
    predicate = compile_filter(text, ORDER, SCHEMA, tz)
    return [r["id"] for r in RECORDS if predicate(r) is True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Status eq 'Open'", ["a", "c"]),
        ("Status ne 'Open'", ["b"]),
        ("Status eq 'open '", ["a", "c"]),  # case and trailing spaces ignored
        ("OrderType eq 'SO' and Status eq 'Open'", ["a"]),
        ("OrderType eq 'RM' or Hold eq true", ["b", "c"]),
        ("not (Status eq 'Open')", ["b"]),
        ("(OrderType eq 'SO' or OrderType eq 'RM') and not Hold eq true", ["a", "c"]),
        ("OrderTotal gt 100", ["a"]),
        ("OrderTotal ge 75.5M", ["a", "b"]),
        ("OrderTotal lt 75.5m", ["c"]),
        ("OrderTotal le 0", ["c"]),
        ("OrderTotal eq 150.00M", ["a"]),
        ("Hold eq false", ["a", "c"]),
        ("CustomerOrder eq null", ["b"]),
        ("CustomerOrder ne null", ["a", "c"]),
        ("CustomerOrder eq 'PO-O''Brien'", ["a"]),
        ("substringof('brien', CustomerOrder)", ["a"]),
        ("startswith(CustomerID, 'GOOD')", ["b"]),
        ("endswith(CustomerID, 'well')", ["c"]),
        ("startswith(CustomerID,'ABC') eq true", ["a"]),
        ("ShipToAddress/City eq 'Toronto'", ["b"]),
        ("ShipToAddress/State ne 'WA'", ["b"]),
        ("NoteID eq guid'8AFC5BEE-E426-4C9F-BADE-312DC725BD97'", ["a"]),
    ],
)
def test_operators_functions_literals(text, expected):
    assert matches(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LastModified gt datetimeoffset'2025-01-10T08:00:00.123+00:00'", ["c"]),
        ("LastModified ge datetimeoffset'2025-01-10T08:00:00.123Z'", ["a", "b", "c"]),
        # Same instant, written in another offset.
        ("LastModified eq datetimeoffset'2025-01-10T11:00:00.123+03:00'", ["a", "b"]),
        # Date only and no offset: local time of the sandbox (UTC here).
        ("LastModified gt datetimeoffset'2025-01-11'", []),
        ("LastModified ge datetimeoffset'2025-01-11'", ["c"]),
        ("LastModified lt datetimeoffset'2025-01-10T08:00:00'", []),
        ("Date gt date'2025-01-09'", ["a", "c"]),
        ("Date ge datetime'2025-01-10T00:00:00'", ["a", "c"]),
    ],
)
def test_date_time_literals(text, expected):
    assert matches(text) == expected


def test_literal_without_offset_is_local_time_of_the_instance():
    plus_two = timezone(timedelta(hours=2))
    # 10:00:00.123 at +02:00 is 08:00:00.123 UTC: records a and b are not after it.
    assert matches("LastModified gt datetimeoffset'2025-01-10T10:00:00.123'", plus_two) == ["c"]


def test_unencoded_plus_that_became_a_space_is_refused():
    with pytest.raises(FilterError, match=r"Unrecognized 'Edm\.DateTimeOffset' literal"):
        matches("LastModified gt datetimeoffset'2025-01-10T08:00:00.123 00:00'")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Status eq", "Expression expected"),
        ("Status eq 'Open' and", "Expression expected"),
        ("(Status eq 'Open'", r"'\)' expected"),
        ("Status eq 'Open", "Syntax error"),
        ("Status 'Open'", "Syntax error"),
        ("Status", "boolean"),
        ("Nope eq 1", "Could not find a property named 'Nope'"),
        ("Details/InventoryID eq 'X'", "detail entity 'Details'"),
        ("ShipToAddress eq 'x'", "is an entity"),
        ("OrderTotal eq 'abc'", "incompatible types"),
        ("Status gt 5", "incompatible types"),
        ("Hold gt true", "cannot compare boolean"),
        ("tolower(Status) eq 'open'", "Unknown function 'tolower'"),
        ("substringof(OrderTotal, Status)", "No function signature"),
        ("cf.String(f='Document.UsrX') eq 'a'", "Custom fields"),
        ("LastModified gt datetimeoffset'yesterday'", "Unrecognized"),
        ("Date gt date'2025-01-09T00:00:00'", "Unrecognized 'Edm.Date'"),
        ("NoteID eq guid'nope'", "Edm.Guid"),
        ("Status eq 'Open' # x", "Syntax error"),
    ],
)
def test_malformed_or_unsupported_filters_raise(text, message):
    with pytest.raises(FilterError, match=message):
        matches(text)


def test_missing_linked_entity_and_null_comparisons_are_unknown_not_true():
    # Record c has no ShipToAddress: neither the comparison nor its negation is true.
    assert "c" not in matches("ShipToAddress/City eq 'Seattle'")
    assert "c" not in matches("not (ShipToAddress/City eq 'Seattle')")
    assert "c" in matches("ShipToAddress/City eq null")
    # Unknown or true is true; unknown and false is false.
    assert "c" in matches("ShipToAddress/City eq 'x' or OrderType eq 'RM'")
    assert matches("CustomerOrder gt 'A'") == ["a", "c"]

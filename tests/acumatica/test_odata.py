"""$filter literals and query encoding (API.md §3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs

import pytest

from connector.acumatica import odata
from connector.acumatica.odata import (
    and_,
    custom_field,
    datetime_literal,
    encode_query,
    eq,
    gt,
    in_,
    literal,
    not_,
    or_,
    query_params,
    startswith,
    substringof,
)

UTC = dt.UTC
PLUS3 = dt.timezone(dt.timedelta(hours=3))
MINUS0530 = dt.timezone(-dt.timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            dt.datetime(2024, 7, 15, 10, 31, 28, 402123, tzinfo=PLUS3),
            "datetimeoffset'2024-07-15T10:31:28.402+03:00'",
        ),
        (dt.datetime(2025, 1, 1, tzinfo=UTC), "datetimeoffset'2025-01-01T00:00:00.000+00:00'"),
        (
            dt.datetime(2025, 1, 1, 23, 59, 59, 999999, tzinfo=MINUS0530),
            "datetimeoffset'2025-01-01T23:59:59.999-05:30'",
        ),
    ],
)
def test_datetime_literal_format(value, expected):
    assert datetime_literal(value) == expected


def test_datetime_literal_truncates_never_rounds_up():
    # A cursor "gt 10:00:00.1239" must not become "gt .124", which would skip a record at .1235.
    value = dt.datetime(2025, 1, 1, 10, 0, 0, 123900, tzinfo=UTC)
    assert ".123+" in datetime_literal(value)


def test_naive_datetime_refused():
    with pytest.raises(ValueError, match="naive"):
        datetime_literal(dt.datetime(2025, 1, 1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Open", "'Open'"),
        ("O'Brien's", "'O''Brien''s'"),
        ("", "''"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (5, "5"),
        (Decimal("0"), "0M"),
        (Decimal("12.50"), "12.50M"),
        (2.5, "2.5M"),
        (dt.date(2024, 12, 31), "datetimeoffset'2024-12-31'"),
    ],
)
def test_literals(value, expected):
    assert literal(value) == expected


def test_unsupported_literal():
    with pytest.raises(TypeError):
        literal(object())


def test_field_paths_are_checked():
    assert str(eq("ShipToAddress/City", "Oslo")) == "ShipToAddress/City eq 'Oslo'"
    with pytest.raises(ValueError):
        eq("Status eq 'x' or 1", "y")
    assert str(eq(custom_field("String", "ItemSettings.UsrType"), "Battery")) == (
        "cf.String(f='ItemSettings.UsrType') eq 'Battery'"
    )
    with pytest.raises(ValueError):
        custom_field("Nope", "A.B")


def test_and_or_nesting():
    f = and_(
        eq("OrderType", "SO"),
        in_("Status", ["Open", "Back Order"]),
        None,  # optional parts are skipped
        gt("LastModified", dt.datetime(2025, 1, 1, tzinfo=UTC)),
    )
    assert str(f) == (
        "OrderType eq 'SO' and (Status eq 'Open' or Status eq 'Back Order') and "
        "LastModified gt datetimeoffset'2025-01-01T00:00:00.000+00:00'"
    )
    assert str(or_(eq("A", 1) & eq("B", 2), eq("C", 3))) == "(A eq 1 and B eq 2) or C eq 3"
    assert str(~eq("Hold", True)) == "not (Hold eq true)"
    assert str(not_(eq("A", 1))) == "not (A eq 1)"
    assert str(and_(eq("A", 1))) == "A eq 1"


def test_string_functions():
    assert str(startswith("OrderNbr", "SO'1")) == "startswith(OrderNbr,'SO''1')"
    assert str(substringof("x", "Description")) == "substringof('x',Description)"
    assert str(odata.endswith("OrderNbr", "9")) == "endswith(OrderNbr,'9')"


def test_query_params():
    params = query_params(
        filter=eq("Status", "Open"),
        expand=["Details", "ShipToAddress"],
        select="OrderNbr,Status",
        top=100,
        skip=0,
    )
    assert params == {
        "$filter": "Status eq 'Open'",
        "$expand": "Details,ShipToAddress",
        "$select": "OrderNbr,Status",
        "$top": "100",
        "$skip": "0",
    }
    assert query_params() == {}
    with pytest.raises(ValueError):
        query_params(top=-1)


def test_encode_query_escapes_plus_colon_and_spaces():
    since = dt.datetime(2024, 7, 15, 10, 31, 28, 402000, tzinfo=PLUS3)
    encoded = encode_query(
        query_params(filter=gt("LastModified", since), expand="Details,Packages/PackageContents")
    )
    # The guide's own example: colons and the plus sign of the offset are percent-encoded.
    assert "datetimeoffset'2024-07-15T10%3A31%3A28.402%2B03%3A00'" in encoded
    assert encoded.startswith("$filter=LastModified%20gt%20")
    assert "+" not in encoded
    assert "$expand=Details,Packages/PackageContents" in encoded
    decoded = parse_qs(encoded)
    assert decoded["$filter"] == ["LastModified gt datetimeoffset'2024-07-15T10:31:28.402+03:00'"]


def test_encode_query_special_characters_round_trip():
    value = "A&B=C #1 'q' 100% é"
    decoded = parse_qs(encode_query({"$filter": str(eq("Description", value))}))
    assert decoded["$filter"] == ["Description eq 'A&B=C #1 ''q'' 100% é'"]

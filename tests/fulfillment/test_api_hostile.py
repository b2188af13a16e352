"""Every invalid request to the fulfillments endpoint gets a 4xx with a message per field, and
nothing anyone can send makes it answer 500 (the test client re-raises a server error, so one
would fail these tests). Nothing invalid is recorded."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fulfillment.models import Fulfillment

from .conftest import fulfillment_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(shippable_order, api_token, api_client):
    order = shippable_order()
    other = next(
        o
        for o in type(order).objects.filter(store=order.store).exclude(pk=order.pk)
        if o.lines.exists()
    )
    _, key = api_token()
    return order, other, api_client(key)


def post(client, order, body, *, content_type=None, format="json"):
    url = f"/api/v1/orders/{order.pk}/fulfillments"
    if format == "json":
        # Encoded here: json.dumps escapes what the test client cannot encode (lone surrogates).
        return client.post(url, json.dumps(body), content_type="application/json")
    return client.post(url, body, content_type=content_type)


def set_path(body: dict, path: str, value) -> dict:
    """``set_path(body, "packages.0.weight", 0)``; the value ``DELETE`` removes the key."""
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is DELETE:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return body


DELETE = object()

# (path to change, value, the error key expected in the answer)
FIELD_CASES = [
    ("idempotency_key", DELETE, "idempotency_key"),
    ("idempotency_key", "", "idempotency_key"),
    ("idempotency_key", "k" * 201, "idempotency_key"),
    ("idempotency_key", {"a": 1}, "idempotency_key"),
    ("shipped_at", DELETE, "shipped_at"),
    ("shipped_at", "yesterday", "shipped_at"),
    ("shipped_at", "2025-13-01T00:00:00Z", "shipped_at"),
    ("shipped_at", "2025-02-30", "shipped_at"),
    ("shipped_at", 1717243200, "shipped_at"),
    ("shipped_at", None, "shipped_at"),
    ("shipped_at", "0001-01-01T00:00:00+05:00", "shipped_at"),
    ("shipped_at", "9999-12-31T23:59:59-12:00", "shipped_at"),
    ("shipped_at", "2999-01-01T00:00:00Z", "shipped_at"),
    ("shipped_at", "1970-01-01T00:00:00Z", "shipped_at"),
    ("carrier", DELETE, "carrier"),
    ("carrier", "", "carrier"),
    ("carrier", "   ", "carrier"),
    ("carrier", 123, "carrier"),
    ("carrier", ["UPS"], "carrier"),
    ("carrier", "U" * 101, "carrier"),
    ("carrier", "UPS\u0000", "carrier"),
    ("service", 5, "service"),
    ("lines", DELETE, "lines"),
    ("lines", [], "lines"),
    ("lines", {"line_id": 1}, "lines"),
    ("lines", "all", "lines"),
    ("lines", None, "lines"),
    ("lines.0", "line", "lines[0]"),
    ("lines.0.line_id", DELETE, "lines[0].line_id"),
    ("lines.0.line_id", 0, "lines[0].line_id"),
    ("lines.0.line_id", -1, "lines[0].line_id"),
    ("lines.0.line_id", 99999999999999999999999, "lines[0].line_id"),
    ("lines.0.line_id", "abc", "lines[0].line_id"),
    ("lines.0.line_id", 1.5, "lines[0].line_id"),
    ("lines.0.line_id", True, "lines[0].line_id"),
    ("lines.0.line_id", 987654321, "lines[0].line_id"),
    ("lines.0.quantity", DELETE, "lines[0].quantity"),
    ("lines.0.quantity", 0, "lines[0].quantity"),
    ("lines.0.quantity", -1, "lines[0].quantity"),
    ("lines.0.quantity", "abc", "lines[0].quantity"),
    ("lines.0.quantity", "", "lines[0].quantity"),
    ("lines.0.quantity", True, "lines[0].quantity"),
    ("lines.0.quantity", [], "lines[0].quantity"),
    ("lines.0.quantity", {}, "lines[0].quantity"),
    ("lines.0.quantity", None, "lines[0].quantity"),
    ("lines.0.quantity", "NaN", "lines[0].quantity"),
    ("lines.0.quantity", "Infinity", "lines[0].quantity"),
    ("lines.0.quantity", "1e999999", "lines[0].quantity"),
    ("lines.0.quantity", "1.0000001", "lines[0].quantity"),
    ("lines.0.quantity", 10**30, "lines[0].quantity"),
    ("lines.0.quantity", 100000, "lines[0].quantity"),  # more than is open
    ("lines.0.extra", 1, "lines[0].extra"),
    ("packages", DELETE, "packages"),
    ("packages", [], "packages"),
    ("packages", {}, "packages"),
    ("packages.0.tracking_number", DELETE, "packages[0].tracking_number"),
    ("packages.0.tracking_number", "", "packages[0].tracking_number"),
    ("packages.0.tracking_number", None, "packages[0].tracking_number"),
    ("packages.0.tracking_number", "1" * 61, "packages[0].tracking_number"),
    ("packages.0.tracking_number", 1234567, "packages[0].tracking_number"),
    ("packages.0.weight", DELETE, "packages[0].weight"),
    ("packages.0.weight", 0, "packages[0].weight"),
    ("packages.0.weight", -2.5, "packages[0].weight"),
    ("packages.0.weight", "heavy", "packages[0].weight"),
    ("packages.0.weight", "1e20", "packages[0].weight"),
    ("packages.0.weight_unit", DELETE, "packages[0].weight_unit"),
    ("packages.0.weight_unit", "stone", "packages[0].weight_unit"),
    ("packages.0.weight_unit", "", "packages[0].weight_unit"),
    ("packages.0.weight_unit", 1, "packages[0].weight_unit"),
    ("packages.0.weight_unit", ["lb"], "packages[0].weight_unit"),
    ("packages.0.box_id", "B" * 16, "packages[0].box_id"),
    ("packages.0.box_id", 7, "packages[0].box_id"),
    ("packages.0.length", 10, "packages[0].dimension_unit"),
    ("packages.0.length", -1, "packages[0].length"),
    ("packages.0.dimension_unit", "ft", "packages[0].dimension_unit"),
    ("packages.0.lenght", 10, "packages[0].lenght"),
    ("packages.0.contents", {"line_id": 1}, "packages[0].contents"),
    ("packages.0.contents", [{"line_id": 1}], "packages[0].contents[0].quantity"),
    ("packages.0.contents", [{"quantity": 1}], "packages[0].contents[0].line_id"),
    ("surprise", "field", "surprise"),
]


@pytest.mark.parametrize(("path", "value", "field"), FIELD_CASES, ids=lambda v: repr(v)[:40])
def test_each_invalid_field_is_a_400_naming_it(target, path, value, field):
    order, _, client = target
    response = post(client, order, set_path(fulfillment_body(order), path, value))
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert body["errors"].get(field), body["errors"]
    assert all(isinstance(m, str) and m for msgs in body["errors"].values() for m in msgs)
    assert not Fulfillment.objects.exists()


def test_rules_that_need_the_order(target):
    order, other, client = target
    first, second = order.lines.order_by("line_nbr")[:2]
    cases = {
        "unknown line (another order's)": (
            {"lines": [{"line_id": other.lines.first().pk, "quantity": 1}]},
            "lines[0].line_id",
        ),
        "duplicate line ids": (
            {"lines": [{"line_id": first.pk, "quantity": 1}, {"line_id": first.pk, "quantity": 1}]},
            "lines[1].line_id",
        ),
        "contents of a line not shipped": (
            {
                "lines": [{"line_id": first.pk, "quantity": 1}],
                "packages": [
                    {
                        "weight": 1,
                        "weight_unit": "kg",
                        "tracking_number": "T",
                        "contents": [{"line_id": second.pk, "quantity": 1}],
                    }
                ],
            },
            "packages[0].contents[0].line_id",
        ),
        "contents over the shipped quantity": (
            {
                "lines": [{"line_id": first.pk, "quantity": 1}],
                "packages": [
                    {
                        "weight": 1,
                        "weight_unit": "kg",
                        "tracking_number": "T",
                        "contents": [{"line_id": first.pk, "quantity": 2}],
                    }
                ],
            },
            "packages[0].contents[0].quantity",
        ),
    }
    for name, (change, field) in cases.items():
        response = post(client, order, {**fulfillment_body(order), **change})
        assert response.status_code == 400, name
        assert response.json()["errors"].get(field), (name, response.json())
    assert not Fulfillment.objects.exists()


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'{"a": NaN}', "application/json", 400),
        (b"\xff\xfe\x00", "application/json", 400),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
        (b"", "application/json", 400),
        (b"null", "application/json", 400),
        (b"[]", "application/json", 400),
        (b'"text"', "application/json", 400),
        (b"42", "application/json", 400),
        # Lone surrogates: valid JSON escapes, but no text to store or to echo in an error.
        (b'{"\\ud800": 1}', "application/json", 400),
        (b'{"carrier": "UPS\\udfff"}', "application/json", 400),
        (b'{"packages": [{"weight_unit": "\\ud800"}]}', "application/json", 400),
        (b"carrier=UPS", "application/x-www-form-urlencoded", 415),
        (b"carrier: UPS", "text/plain", 415),
        (b"<xml/>", "application/xml", 415),
    ],
    ids=lambda v: repr(v)[:30],
)
def test_bodies_that_are_not_a_json_object(target, raw, content_type, status):
    order, _, client = target
    response = post(client, order, raw, content_type=content_type, format=None)
    assert response.status_code == status
    assert response.json()["detail"]


def test_huge_payloads_are_413_before_parsing(target, settings):
    order, _, client = target
    # Over our limit; and over Django's DATA_UPLOAD_MAX_MEMORY_SIZE, refused before reading.
    for size in (2 * 1024 * 1024, 3 * 1024 * 1024):
        response = post(client, order, fulfillment_body(order, carrier="U" * size))
        assert response.status_code == 413
        assert response.json()["code"] == "payload_too_large"
    settings.FULFILLMENT_API_MAX_BODY_BYTES = 100
    assert post(client, order, fulfillment_body(order)).status_code == 413


def test_too_many_lines_or_packages(target):
    order, _, client = target
    line = order.lines.first().pk
    many_lines = [{"line_id": line, "quantity": 1}] * 1001
    response = post(client, order, {**fulfillment_body(order), "lines": many_lines})
    assert response.status_code == 400 and response.json()["errors"]["lines"]
    package = fulfillment_body(order)["packages"][0]
    response = post(client, order, {**fulfillment_body(order), "packages": [package] * 501})
    assert response.status_code == 400 and response.json()["errors"]["packages"]


def test_odd_urls_and_headers(target, api_client):
    order, _, client = target
    assert client.post("/api/v1/orders/abc/fulfillments", {}, format="json").status_code == 404
    assert client.post("/api/v1/orders/0/fulfillments", {}, format="json").status_code == 404
    huge = "/api/v1/orders/99999999999999999999999/fulfillments"
    assert client.post(huge, {}, format="json").status_code == 404
    assert (
        client.put(f"/api/v1/orders/{order.pk}/fulfillments", {}, format="json").status_code == 405
    )
    odd = api_client()
    odd.credentials(HTTP_AUTHORIZATION="Token ñandú")
    assert post(odd, order, fulfillment_body(order)).status_code == 401
    odd.credentials(HTTP_AUTHORIZATION="Token a b")
    assert post(odd, order, fulfillment_body(order)).status_code == 401


# Any text, lone surrogates included (Hypothesis leaves them out by default).
TEXT = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=30)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
PATHS = [path for path, _, _ in FIELD_CASES if path.count(".") <= 2 and "lenght" not in path]


@settings(
    max_examples=150,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), JSON), min_size=1, max_size=4))
def test_generated_payloads_never_make_a_500(target, changes):
    order, _, client = target
    body = fulfillment_body(order, key=json.dumps(changes, sort_keys=True)[:200])
    for path, value in changes:
        try:
            body = set_path(body, path, value)
        except (KeyError, IndexError, TypeError, ValueError):
            continue  # an earlier change removed or replaced the parent
    response = post(client, order, body)
    assert response.status_code in (200, 201, 400, 409), response.content
    if response.status_code == 400:
        answer = response.json()
        assert answer["errors"] if answer["code"] == "invalid" else answer["code"] == "parse_error"

"""fulfillment_record: one transaction, idempotent per order and key, checked against the
order as it stands."""

from __future__ import annotations

import datetime as dt
import re
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from fulfillment.fulfillments import (
    FulfillmentConflict,
    FulfillmentInvalid,
    OrderNotShippable,
    fulfillment_record,
    recording,
)
from fulfillment.models import (
    Fulfillment,
    FulfillmentSource,
    OrderStatus,
    WriteBackOutbox,
)

pytestmark = pytest.mark.django_db

SHIPPED_AT = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)


def request(order, quantities: dict | None = None, *, packages=None, **over):
    lines = list(order.lines.order_by("line_nbr"))
    quantities = quantities or {line.pk: Decimal(1) for line in lines}
    data = {
        "shipped_at": SHIPPED_AT,
        "carrier": "UPS",
        "service": "Ground",
        "lines": [{"line_id": lid, "quantity": Decimal(q)} for lid, q in quantities.items()],
        "packages": packages
        or [
            {
                "box_id": "small",
                "weight": Decimal("2.5"),
                "weight_unit": "lb",
                "tracking_number": "1Z999AA10123456784",
            }
        ],
    }
    data.update(over)
    return data


def record(order, data, key="k-1", **kwargs):
    kwargs.setdefault("source", FulfillmentSource.API)
    return fulfillment_record(order=order, data=data, idempotency_key=key, **kwargs)


def test_records_lines_packages_outbox_and_moves_the_order(
    shippable_order, django_capture_on_commit_callbacks
):
    order = shippable_order()
    first, second = order.lines.order_by("line_nbr")[:2]
    data = request(
        order,
        {first.pk: 1, second.pk: 2},
        packages=[
            {
                "weight": Decimal("1.2"),
                "weight_unit": "kg",
                "tracking_number": "T1",
                "length": Decimal(10),
                "width": Decimal(5),
                "height": Decimal(4),
                "dimension_unit": "cm",
                "contents": [{"line_id": first.pk, "quantity": Decimal(1)}],
            },
            {
                "box_id": "LARGE",
                "weight": Decimal(3),
                "weight_unit": "lb",
                "tracking_number": "T2",
                "contents": [{"line_id": second.pk, "quantity": Decimal(2)}],
            },
        ],
    )
    with django_capture_on_commit_callbacks() as callbacks:
        fulfillment, created = record(order, data)
    assert created
    assert len(callbacks) == 1, "the write-back is queued once, after commit"

    fulfillment.refresh_from_db()
    assert re.fullmatch(r"F[A-Z2-7]{16}", fulfillment.reference)
    assert fulfillment.status == "pending" and fulfillment.store_id == order.store_id
    assert fulfillment.shipped_at == SHIPPED_AT
    assert {(fl.order_line_id, fl.quantity) for fl in fulfillment.lines.all()} == {
        (first.pk, 1),
        (second.pk, 2),
    }
    packages = list(fulfillment.packages.order_by("position"))
    assert [(p.position, p.box_id, p.tracking_number) for p in packages] == [
        (1, "", "T1"),
        (2, "LARGE", "T2"),
    ]
    assert packages[0].dimension_unit == "cm" and packages[0].length == 10
    assert [(c.order_line_id, c.quantity) for c in packages[1].contents.all()] == [(second.pk, 2)]
    assert WriteBackOutbox.objects.filter(fulfillment=fulfillment).exists()
    assert fulfillment.raw_request["lines"][1]["quantity"] == "2"

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.shipped_quantity, second.shipped_quantity) == (1, 2)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED


def test_partial_then_final_shipment(shippable_order):
    order = shippable_order()
    lines = list(order.lines.order_by("line_nbr"))
    record(order, request(order, {lines[0].pk: 1}), key="part-1")
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED

    rest = {}
    for line in lines:
        line.refresh_from_db()
        rest[line.pk] = line.open_quantity - line.shipped_quantity
    _, created = record(order, request(order, rest), key="part-2")
    assert created
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    for line in order.lines.all():
        assert line.shipped_quantity == line.open_quantity
    with pytest.raises(OrderNotShippable, match="shipped already"):
        record(order, request(order, {lines[0].pk: 1}), key="part-3")


def test_same_key_same_request_returns_the_first_different_request_conflicts(shippable_order):
    order = shippable_order()
    data = request(order)
    fulfillment, created = record(order, data)
    # The same request spelt differently (upper-case unit, 1.0 for 1) is the same request.
    again = request(order)
    again["lines"] = [{**item, "quantity": Decimal("1.000")} for item in again["lines"]]
    again["packages"][0]["weight_unit"] = "lb"
    same, created_again = record(order, again)
    assert created and not created_again and same.pk == fulfillment.pk
    assert Fulfillment.objects.count() == 1

    with pytest.raises(FulfillmentConflict) as conflict:
        record(order, request(order, carrier="FedEx"))
    assert conflict.value.existing.pk == fulfillment.pk
    # Once everything is shipped, the retry of the first request still answers.
    order.refresh_from_db()
    assert record(order, data)[0].pk == fulfillment.pk


def test_keys_are_per_order(shippable_order):
    order = shippable_order()
    other = next(
        o
        for o in type(order).objects.filter(store=order.store, status="ready").exclude(pk=order.pk)
        if o.lines.exists()
    )
    record(order, request(order), key="same")
    _, created = record(other, request(other), key="same")
    assert created


def test_refuses_what_does_not_fit_the_order_naming_each_field(shippable_order):
    order = shippable_order()
    other = next(
        o
        for o in type(order).objects.filter(store=order.store).exclude(pk=order.pk)
        if o.lines.exists()
    )
    foreign = other.lines.first()
    first, second = order.lines.order_by("line_nbr")[:2]
    data = request(order, {first.pk: first.open_quantity + 1})
    data["lines"] += [
        {"line_id": foreign.pk, "quantity": Decimal(1)},
        {"line_id": first.pk, "quantity": Decimal(1)},
        {"line_id": second.pk, "quantity": Decimal(0)},
    ]
    data["packages"] = [
        {
            "weight": Decimal(0),
            "weight_unit": "stone",
            "tracking_number": " ",
            "length": Decimal(3),
            "contents": [{"line_id": foreign.pk, "quantity": Decimal(1)}],
        },
    ]
    with pytest.raises(FulfillmentInvalid) as invalid:
        record(order, data)
    errors = invalid.value.errors
    assert "Shipping more than is open" in errors["lines[0].quantity"][0]
    assert "is not a line of order" in errors["lines[1].line_id"][0]
    assert "more than once" in errors["lines[2].line_id"][0]
    assert errors["lines[3].quantity"] == ["Must be more than 0."]
    assert errors["packages[0].weight"] == ["Must be more than 0."]
    assert "lb, kg, oz, g" in errors["packages[0].weight_unit"][0]
    assert "tracking number" in errors["packages[0].tracking_number"][0]
    assert "in or cm" in errors["packages[0].dimension_unit"][0]
    assert "not among this fulfillment's lines" in errors["packages[0].contents[0].line_id"][0]
    assert not Fulfillment.objects.exists()
    first.refresh_from_db()
    assert first.shipped_quantity == 0


def test_package_contents_may_not_exceed_the_lines_quantity(shippable_order):
    order = shippable_order()
    first = order.lines.order_by("line_nbr").first()
    data = request(order, {first.pk: 1})
    data["packages"] = [
        {
            "weight": Decimal(1),
            "weight_unit": "lb",
            "tracking_number": f"T{n}",
            "contents": [{"line_id": first.pk, "quantity": Decimal(1)}],
        }
        for n in (1, 2)
    ]
    with pytest.raises(FulfillmentInvalid) as invalid:
        record(order, data)
    assert list(invalid.value.errors) == ["packages[1].contents[0].quantity"]


def test_over_shipping_counts_earlier_fulfillments(shippable_order):
    order = shippable_order()
    first = order.lines.order_by("line_nbr").first()
    record(order, request(order, {first.pk: first.open_quantity - 1}), key="a")
    with pytest.raises(FulfillmentInvalid, match="1 left to ship"):
        record(order, request(order, {first.pk: 2}), key="b")
    _, created = record(order, request(order, {first.pk: 1}), key="c")
    assert created


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (OrderStatus.CANCELLED_AT_SOURCE, "cancelled in Acumatica"),
        (OrderStatus.ON_HOLD_AT_SOURCE, "on hold in Acumatica"),
        (OrderStatus.CLOSED_AT_SOURCE, "completed or shipped in Acumatica"),
    ],
)
def test_orders_that_left_the_queue_cannot_be_shipped(shippable_order, status, reason):
    order = shippable_order()
    type(order).objects.filter(pk=order.pk).update(status=status)
    with pytest.raises(OrderNotShippable, match=reason):
        record(order, request(order))
    assert not Fulfillment.objects.exists()


def test_acknowledged_orders_can_be_shipped(shippable_order):
    order = shippable_order()
    type(order).objects.filter(pk=order.pk).update(status=OrderStatus.ACKNOWLEDGED)
    assert record(order, request(order))[1]


def test_a_duplicate_that_commits_first_is_answered_from_its_row(shippable_order, monkeypatch):
    """The race the order lock prevents on PostgreSQL, forced: our read misses the row the
    other request commits, so the unique constraint stops our insert."""
    order = shippable_order()
    data = request(order)
    winner, _ = record(order, data, key="race")

    real_filter = Fulfillment.objects.filter
    calls = {"n": 0}

    def blind_filter(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            return Fulfillment.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Fulfillment.objects, "filter", blind_filter)
    # Another request's line quantities would now be over-shipped: reset so the insert is what
    # fails.
    order.lines.update(shipped_quantity=0)
    type(order).objects.filter(pk=order.pk).update(status=OrderStatus.READY)
    same, created = record(order, data, key="race")
    assert not created and same.pk == winner.pk
    with pytest.raises(FulfillmentConflict):
        calls["n"] = 0
        record(order, request(order, carrier="DHL"), key="race")
    assert real_filter(order=order).count() == 1


def test_an_integrity_error_that_is_not_the_key_is_not_swallowed(shippable_order, monkeypatch):
    order = shippable_order()
    monkeypatch.setattr(recording, "new_reference", lambda: "FSAME")
    record(order, request(order, {order.lines.first().pk: 1}), key="one")
    with pytest.raises(IntegrityError):
        record(order, request(order, {order.lines.first().pk: 1}), key="two")


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_with_one_key_record_one_fulfillment(shippable_order, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks and concurrent writers: runs on PostgreSQL (.ci/run)")
    monkeypatch.setattr(recording, "writeback_enqueue", lambda fulfillment_id: None)
    order = shippable_order()
    data = request(order)
    start = threading.Barrier(6)
    results, errors = [], []

    def post():
        try:
            start.wait()
            results.append(record(order, data, key="same-key"))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len({f.pk for f, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * 5 + [True]
    assert Fulfillment.objects.filter(order=order).count() == 1
    for line in order.lines.all():
        assert line.shipped_quantity == 1


def test_an_order_in_error_still_takes_what_is_left_and_stays_in_error(shippable_order):
    """A failed write-back of an earlier fulfillment must not lose the next tracking number."""
    order = shippable_order()
    first, second = order.lines.order_by("line_nbr")[:2]
    record(order, request(order, {first.pk: 1}), key="a")
    type(order).objects.filter(pk=order.pk).update(
        status=OrderStatus.ERROR, status_reason="Write-back of fulfillment F… failed"
    )
    _, created = record(order, request(order, {second.pk: 1}), key="b")
    assert created
    order.refresh_from_db()
    assert order.status == OrderStatus.ERROR and order.status_reason


def test_a_shipment_mode_order_takes_one_fulfillment(sandbox, store_factory, shippable_order):
    order = shippable_order(store_factory(sandbox, shipment_mode=True), lines=1, min_open=2)
    line = order.lines.order_by("line_nbr").first()
    record(order, request(order, {line.pk: 1}), key="first")
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    with pytest.raises(OrderNotShippable, match="fulfilled once"):
        record(order, request(order, {line.pk: 1}), key="second")
    assert Fulfillment.objects.filter(order=order).count() == 1

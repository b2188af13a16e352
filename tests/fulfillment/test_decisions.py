"""What an import does with each record: pure rules, no database."""

from __future__ import annotations

import pytest

from fulfillment.importing.decisions import Action, KnownOrder, decide, source_state
from fulfillment.models import OrderStatus
from fulfillment.modes import SALES_ORDERS, SHIPMENTS

from .records import sales_order, shipment, w


def known_as(order, status=OrderStatus.READY, **overrides) -> KnownOrder:
    values = {
        "id": 1,
        "status": status,
        "payload_hash": order.payload_hash,
        "content_hashes": dict(order.content_hashes),
        "erp_status": order.erp_status,
        "erp_hold": order.erp_hold,
    }
    values.update(overrides)
    return KnownOrder(**values)


@pytest.mark.parametrize(
    ("status", "hold", "local"),
    [
        ("Open", False, OrderStatus.READY),
        ("Back Order", False, OrderStatus.READY),
        ("Open", True, OrderStatus.ON_HOLD_AT_SOURCE),
        ("On Hold", True, OrderStatus.ON_HOLD_AT_SOURCE),
        ("Credit Hold", False, OrderStatus.ON_HOLD_AT_SOURCE),
        ("Pending Approval", False, OrderStatus.ON_HOLD_AT_SOURCE),
        ("Canceled", False, OrderStatus.CANCELLED_AT_SOURCE),
        ("Completed", False, OrderStatus.CLOSED_AT_SOURCE),
        ("Shipping", False, OrderStatus.CLOSED_AT_SOURCE),
        ("Invoiced", False, OrderStatus.CLOSED_AT_SOURCE),
    ],
)
def test_sales_order_status_to_local_status(status, hold, local):
    state = source_state(SALES_ORDERS.map(sales_order(status=status, hold=hold)))
    assert state.status == local
    assert (state.reason == "") == (local == OrderStatus.READY)


@pytest.mark.parametrize(
    ("status", "hold", "local"),
    [
        ("Open", False, OrderStatus.READY),
        ("On Hold", True, OrderStatus.ON_HOLD_AT_SOURCE),
        ("Canceled", False, OrderStatus.CANCELLED_AT_SOURCE),
        ("Confirmed", False, OrderStatus.CLOSED_AT_SOURCE),
    ],
)
def test_shipment_status_to_local_status(status, hold, local):
    assert source_state(SHIPMENTS.map(shipment(status=status, hold=hold))).status == local


def test_unknown_eligible_is_created_unknown_ineligible_is_skipped_with_the_reason():
    assert decide(None, SALES_ORDERS.map(sales_order())).action is Action.CREATE
    skipped = decide(None, SALES_ORDERS.map(sales_order(status="On Hold", hold=True)))
    assert skipped.action is Action.SKIP
    assert skipped.skip_reason == "not eligible: On hold in Acumatica (On Hold)."


def test_same_payload_is_unchanged():
    order = SALES_ORDERS.map(sales_order())
    assert decide(known_as(order), order).action is Action.UNCHANGED


def test_edit_of_a_ready_order_updates_it_without_a_flag():
    before = SALES_ORDERS.map(sales_order())
    record = sales_order()
    record["Details"][0]["OrderQty"] = w(5)
    record["ShipToAddress"]["City"] = w("Denver")
    decision = decide(known_as(before), SALES_ORDERS.map(record))
    assert decision.action is Action.UPDATE
    assert decision.status == OrderStatus.READY
    assert decision.flag is False
    assert decision.changes == ("lines", "ship-to address")


def test_edit_of_an_acknowledged_order_updates_and_flags_it():
    before = SALES_ORDERS.map(sales_order())
    record = sales_order(ShipVia="FEDEX2DAY")
    decision = decide(known_as(before, OrderStatus.ACKNOWLEDGED), SALES_ORDERS.map(record))
    assert decision.action is Action.UPDATE
    assert decision.status == OrderStatus.ACKNOWLEDGED
    assert decision.flag is True
    assert decision.changes == ("ship via",)


@pytest.mark.parametrize(
    ("status", "hold", "local", "reason"),
    [
        ("On Hold", True, OrderStatus.ON_HOLD_AT_SOURCE, "On hold in Acumatica (On Hold)."),
        ("Canceled", False, OrderStatus.CANCELLED_AT_SOURCE, "Cancelled in Acumatica."),
        ("Completed", False, OrderStatus.CLOSED_AT_SOURCE, "Order is Completed in Acumatica."),
    ],
)
def test_order_that_leaves_eligibility_leaves_the_queue_with_the_reason(
    status, hold, local, reason
):
    before = SALES_ORDERS.map(sales_order())
    decision = decide(known_as(before), SALES_ORDERS.map(sales_order(status=status, hold=hold)))
    assert decision.action is Action.UPDATE
    assert (decision.status, decision.status_reason) == (local, reason)
    assert decision.flag is False


def test_released_hold_comes_back_to_ready():
    held = SALES_ORDERS.map(sales_order(status="On Hold", hold=True))
    decision = decide(
        known_as(held, OrderStatus.ON_HOLD_AT_SOURCE), SALES_ORDERS.map(sales_order())
    )
    assert (decision.action, decision.status, decision.status_reason) == (
        Action.UPDATE,
        OrderStatus.READY,
        "",
    )
    assert "hold released" in decision.changes


@pytest.mark.parametrize("shipped", [OrderStatus.SHIPPED, OrderStatus.WRITTEN_BACK])
def test_shipped_order_keeps_local_data_and_is_flagged_when_edited(shipped):
    before = SALES_ORDERS.map(sales_order())
    record = sales_order()
    record["Details"].pop()
    decision = decide(known_as(before, shipped), SALES_ORDERS.map(record))
    assert decision.action is Action.KEEP_LOCAL
    assert decision.status == shipped
    assert decision.flag is True
    assert decision.changes == ("lines",)


def test_shipped_order_cancelled_at_source_is_flagged():
    before = SALES_ORDERS.map(sales_order())
    decision = decide(
        known_as(before, OrderStatus.SHIPPED), SALES_ORDERS.map(sales_order(status="Canceled"))
    )
    assert (decision.action, decision.flag) == (Action.KEEP_LOCAL, True)


def test_shipped_order_completed_at_source_is_expected_not_flagged():
    before = SALES_ORDERS.map(sales_order())
    decision = decide(
        known_as(before, OrderStatus.WRITTEN_BACK),
        SALES_ORDERS.map(sales_order(status="Completed")),
    )
    assert (decision.action, decision.flag) == (Action.KEEP_LOCAL, False)
    assert decision.changes == ("status Open → Completed",)


def test_shipped_order_whose_open_quantities_fell_to_zero_is_expected_not_flagged():
    """Confirming the warehouse's own Shipment completes the order and zeroes its open
    quantities in Acumatica: that is the write-back working, not a surprise."""
    before = SALES_ORDERS.map(sales_order())
    record = sales_order(status="Completed")
    for line in record["Details"]:
        line["OpenQty"] = w(0)
    decision = decide(known_as(before, OrderStatus.WRITTEN_BACK), SALES_ORDERS.map(record))
    assert (decision.action, decision.flag) == (Action.KEEP_LOCAL, False)
    assert "lines" in decision.changes


def test_shipped_order_with_an_item_changed_at_source_is_still_flagged():
    before = SALES_ORDERS.map(sales_order())
    record = sales_order(status="Completed")
    record["Details"][0]["OrderQty"] = w(99)
    decision = decide(known_as(before, OrderStatus.WRITTEN_BACK), SALES_ORDERS.map(record))
    assert (decision.action, decision.flag) == (Action.KEEP_LOCAL, True)

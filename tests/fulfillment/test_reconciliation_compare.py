"""The comparer on its own (no database, no HTTP): the window selects what changed in it and
compares it with the other side's current state; in shipment mode only the packages carrying
the fulfillment's reference are its own."""

from __future__ import annotations

import datetime as dt

from fulfillment.modes import SALES_ORDERS, SHIPMENTS
from fulfillment.reconciliation.compare import (
    NO_LONGER_ELIGIBLE,
    NOT_IMPORTED,
    SHIPMENT_DIFFERS,
    LocalFulfillment,
    LocalOrder,
    SourcePackage,
    SourceRow,
    SourceShipment,
    Window,
    compare,
)

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
WINDOW = Window(since=T0, until=T0 + dt.timedelta(days=1))


def _row(nbr, status="Open", at=T0 + dt.timedelta(hours=1), key=None):
    return SourceRow(key=key or ("SO", nbr), status=status, hold=False, last_modified=at)


def _order(nbr, status="ready", at=T0 + dt.timedelta(hours=1), pk=1, key=None):
    return LocalOrder(pk, key or ("SO", nbr), f"SO {nbr}", status, status, "", at)


def _run(mode=SALES_ORDERS, rows=(), orders=(), fulfillments=(), shipments=None):
    return compare(
        mode=mode,
        window=WINDOW,
        source_rows=rows,
        local_orders=orders,
        fulfillments=fulfillments,
        shipments=shipments or {},
        why_not=lambda row, local: "why",
    )


def test_a_record_changed_after_the_window_is_compared_not_mistaken_for_a_deletion():
    later = T0 + dt.timedelta(days=3)
    result = _run(rows=[_row("1", status="Canceled", at=later)], orders=[_order("1")])
    (difference,) = result.differences
    assert difference.kind == NO_LONGER_ELIGIBLE and "Cancelled" in difference.reason
    # Changed after the window and eligible: not counted, not listed as missing.
    assert _run(rows=[_row("2", at=later)]).differences == []


def test_an_order_here_at_source_but_open_again_in_acumatica_is_eligible_not_imported():
    result = _run(rows=[_row("1")], orders=[_order("1", status="on_hold_at_source")])
    assert [(d.kind, d.order_id) for d in result.differences] == [(NOT_IMPORTED, 1)]
    assert result.counts["eligible"] == 1 and result.counts["imported"] == 1


def test_a_skipped_or_shipped_order_open_in_acumatica_is_no_difference():
    for status in ("skipped", "shipped", "acknowledged"):
        assert _run(rows=[_row("1")], orders=[_order("1", status=status)]).differences == []


def test_shipment_mode_compares_only_the_fulfillments_own_packages():
    fulfillment = LocalFulfillment(
        1,
        1,
        "Shipment 000045 · WB-1",
        "WB-1",
        "written_back",
        "Written back",
        "",
        "",
        1,
        "000045",
        "UPSGROUND",
        ("1Z1",),
    )
    theirs = SourcePackage("OTHER-TRACK", "")
    ok = SourceShipment("000045", "Confirmed", "UPSGROUND", (SourcePackage("1Z1", "WB-1"), theirs))
    rows = [_row("", status="Confirmed", key=("000045",))]
    orders = [_order("", status="written_back", key=("000045",))]
    result = _run(SHIPMENTS, rows, orders, [fulfillment], {"000045": ok})
    assert result.differences == [] and result.counts["confirmed"] == 1
    edited = SourceShipment("000045", "Confirmed", "UPSGROUND", (SourcePackage("1Z2", "WB-1"),))
    (difference,) = _run(SHIPMENTS, rows, orders, [fulfillment], {"000045": edited}).differences
    assert difference.kind == SHIPMENT_DIFFERS
    assert "1Z1" in difference.reason and "1Z2" in difference.reason
    # In sales-order mode every package of the Shipment is the fulfillment's.
    (difference,) = _run(
        SALES_ORDERS, fulfillments=[fulfillment], shipments={"000045": ok}
    ).differences
    assert "OTHER-TRACK" in difference.reason

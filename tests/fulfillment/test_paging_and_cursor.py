"""Paging without losing records, and where the cursor may move: pure, on a fake result set."""

from __future__ import annotations

import datetime as dt

import pytest

from connector.acumatica import UnexpectedResponse
from fulfillment.importing.paging import scan_pages
from fulfillment.importing.scan import ScanPlan, finished_cursor
from fulfillment.importing.source import FULL, INCREMENTAL, SINCE, scan_query
from fulfillment.models import ImportCursor
from fulfillment.modes import SALES_ORDERS, SHIPMENTS

T0 = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)
LOOKBACK = dt.timedelta(minutes=10)


class ResultSet:
    """A server-side result set in key order that can change between two requests."""

    def __init__(self, keys):
        self.keys = list(keys)
        self.calls: list[tuple[int, int]] = []
        self.before_call = {}

    def fetch(self, skip: int, top: int) -> list[dict]:
        change = self.before_call.pop(len(self.calls), None)
        if change:
            change(self.keys)
        self.calls.append((skip, top))
        return [{"key": k} for k in self.keys[skip : skip + top]]


def read_all(result_set, page_size, **start):
    seen, pages = [], []
    for page in scan_pages(
        result_set.fetch, key_of=lambda r: r["key"], page_size=page_size, **start
    ):
        pages.append(page)
        seen.extend(r["key"] for r in page.records)
    return seen, pages


def test_pages_overlap_by_one_record_and_yield_each_record_once():
    rs = ResultSet(range(10))
    seen, pages = read_all(rs, 4)
    assert seen == list(range(10))
    assert rs.calls == [(0, 4), (3, 5), (7, 5)]
    assert [p.position for p in pages] == [4, 8, 10]
    assert [p.boundary_key for p in pages] == [3, 7, 9]
    assert pages[-1].last


def test_an_exact_multiple_costs_one_more_short_request():
    rs = ResultSet(range(8))
    seen, _ = read_all(rs, 4)
    assert seen == list(range(8))
    assert rs.calls == [(0, 4), (3, 5), (7, 5)]


def test_empty_result_costs_one_request():
    rs = ResultSet([])
    seen, pages = read_all(rs, 500)
    assert seen == [] and rs.calls == [(0, 500)]
    assert pages[0].last and pages[0].records == []


def test_resume_from_a_checkpoint():
    rs = ResultSet(range(10))
    seen, _ = read_all(rs, 4, position=4, boundary_key=3)
    assert seen == list(range(4, 10))
    assert rs.calls[0] == (3, 5)


def test_records_leaving_before_the_boundary_are_not_skipped():
    # After the first page, two records the scan already read leave the result set (their
    # status changed): everything after them slides back by two.
    rs = ResultSet(range(12))
    rs.before_call[1] = lambda keys: [keys.remove(k) for k in (0, 1)]
    seen, pages = read_all(rs, 4)
    assert set(range(2, 12)) <= set(seen)
    assert any(not p.checkpoint for p in pages)


def test_the_boundary_record_itself_leaving_means_reading_back_to_the_start():
    rs = ResultSet(range(12))
    rs.before_call[1] = lambda keys: keys.remove(3)
    seen, _ = read_all(rs, 4)
    assert set(range(12)) - {3} <= set(seen)


def test_records_arriving_before_the_boundary_do_not_shift_the_rest():
    # Newcomers changed after the scan started: the next scan's window holds them.
    rs = ResultSet(range(0, 20, 2))
    rs.before_call[1] = lambda keys: (keys.insert(1, 1), keys.insert(2, 3))
    seen, _ = read_all(rs, 4)
    assert set(range(0, 20, 2)) <= set(seen)
    assert len(seen) == len(set(seen))


def test_recovery_pages_come_before_the_checkpoint_that_needs_them():
    rs = ResultSet(range(12))
    rs.before_call[1] = lambda keys: keys.remove(0)
    _, pages = read_all(rs, 4)
    first_recovery = next(i for i, p in enumerate(pages) if not p.checkpoint)
    assert pages[first_recovery + 1].checkpoint
    assert pages[first_recovery + 1].position == 8


def test_a_server_that_ignores_top_is_refused():
    with pytest.raises(UnexpectedResponse):
        list(
            scan_pages(
                lambda skip, top: [{"k": i} for i in range(top + 5)], key_of=str, page_size=3
            )
        )


def test_filters_per_mode_and_scan():
    full = scan_query(mode=SALES_ORDERS, scan=FULL, order_type="SO")
    assert str(full.filter) == (
        "OrderType eq 'SO' and (Status eq 'Open' or Status eq 'Back Order') and Hold eq false"
    )
    assert full.expand == ("Details", "ShipToAddress", "ShipToContact")
    incremental = scan_query(mode=SALES_ORDERS, scan=INCREMENTAL, order_type="SO", lower_bound=T0)
    assert str(incremental.filter) == (
        "OrderType eq 'SO' and LastModified ge datetimeoffset'2025-01-15T12:00:00.000+00:00'"
    )
    shipments = scan_query(
        mode=SHIPMENTS,
        scan=INCREMENTAL,
        order_type="SO",
        warehouse="EAST",
        lower_bound=T0,
    )
    assert shipments.entity == "Shipment"
    assert str(shipments.filter) == (
        "WarehouseID eq 'EAST' and LastModifiedDateTime ge "
        "datetimeoffset'2025-01-15T12:00:00.000+00:00'"
    )
    assert "ShippingSettings/ShipToAddress" in shipments.expand
    first = scan_query(mode=SHIPMENTS, scan=FULL, order_type="SO")
    assert str(first.filter) == "Status eq 'Open'"


def cursor(value=None) -> ImportCursor:
    return ImportCursor(cursor=value, cursor_key="SO 000001" if value else "")


def plan(scan, *, max_modified, started_at=T0, lower_bound=None) -> ScanPlan:
    return ScanPlan(scan, lower_bound, started_at, max_modified=max_modified, max_key="SO 9")


def test_first_full_scan_sets_the_cursor_to_the_newest_record_seen():
    moved = finished_cursor(cursor(), plan(FULL, max_modified=T0 - LOOKBACK), lookback=LOOKBACK)
    assert moved == (T0 - LOOKBACK, "SO 9")


def test_the_cursor_never_passes_the_start_of_the_scan():
    # A record changed while the scan ran may sit on a page already read.
    later = T0 + dt.timedelta(minutes=3)
    moved = finished_cursor(
        cursor(T0 - dt.timedelta(hours=1)),
        plan(INCREMENTAL, max_modified=later),
        lookback=LOOKBACK,
    )
    assert moved == (T0, "")


def test_nothing_seen_keeps_the_cursor():
    assert (
        finished_cursor(cursor(T0), plan(INCREMENTAL, max_modified=None), lookback=LOOKBACK)[0]
        == T0
    )


def test_the_cursor_never_moves_back():
    moved = finished_cursor(
        cursor(T0),
        plan(
            INCREMENTAL,
            max_modified=T0 - dt.timedelta(minutes=5),
            started_at=T0 + dt.timedelta(hours=1),
        ),
        lookback=LOOKBACK,
    )
    assert moved[0] == T0


def test_a_status_filtered_rescan_does_not_move_an_existing_cursor():
    later = T0 + dt.timedelta(hours=2)
    moved = finished_cursor(
        cursor(T0), plan(FULL, max_modified=later, started_at=later), lookback=LOOKBACK
    )
    assert moved[0] == T0


def test_a_since_scan_moves_the_cursor_only_when_it_left_no_gap():
    later = T0 + dt.timedelta(hours=2)
    gap = plan(SINCE, max_modified=later, started_at=later, lower_bound=T0 - LOOKBACK / 2)
    assert finished_cursor(cursor(T0), gap, lookback=LOOKBACK)[0] == T0
    covering = plan(SINCE, max_modified=later, started_at=later, lower_bound=T0 - LOOKBACK)
    assert finished_cursor(cursor(T0), covering, lookback=LOOKBACK)[0] == later

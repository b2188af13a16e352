"""Sales-order imports against the sandbox over real HTTP: first import, incremental runs,
changes at the source, ties and late records, re-scans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fulfillment.models import (
    ImportCursor,
    ImportRunStatus,
    ImportTrigger,
    Order,
    OrderLine,
    OrderStatus,
)

pytestmark = pytest.mark.django_db

# After every seeded LastModified (they end in 2025) and before the wall clock.
T = dt.datetime(2025, 6, 1, 12, 0, 0, 500000, tzinfo=dt.UTC)


def imported(store) -> set[tuple[str, str]]:
    return set(Order.objects.filter(store=store).values_list("erp_order_type", "erp_order_nbr"))


def new_open_order(sandbox_data, **spec) -> tuple[str, str]:
    spec.setdefault("customer", "ZENWELL")
    spec.setdefault("lines", [{"inventory": "COFFEE-1KG", "qty": 2, "warehouse": "EAST"}])
    created = sandbox_data.create_order(**spec)
    return created["OrderType"]["value"], created["OrderNbr"]["value"]


def test_first_import_brings_exactly_the_eligible_orders_then_nothing_new_costs_one_request(
    sandbox, sandbox_data, store_factory, run_import
):
    sandbox_data.seed(orders=120, lines=3)
    store = store_factory(sandbox)
    run = run_import(store)

    eligible = sandbox_data.eligible_sales_orders()
    assert imported(store) == eligible
    assert run.status == ImportRunStatus.SUCCEEDED
    assert (run.scan, run.created, run.updated, run.failed) == ("full", len(eligible), 0, 0)
    assert run.pages == 1 and run.acumatica_requests == 2  # token + one page
    assert run.finished_at and run.cursor_before is None and run.cursor_after

    source = sandbox_data.order("SO", "000001")
    order = Order.objects.get(store=store, erp_order_nbr="000001")
    assert order.status == OrderStatus.READY
    assert order.customer_id == source["CustomerID"]["value"]
    assert order.ship_to_city == source["ShipToAddress"]["City"]["value"]
    assert order.raw_payload["OrderNbr"] == {"value": "000001"}
    assert [(ln.line_nbr, ln.inventory_id, ln.ordered_quantity) for ln in order.lines.all()] == [
        (d["LineNbr"]["value"], d["InventoryID"]["value"], Decimal(str(d["OrderQty"]["value"])))
        for d in source["Details"]
    ]

    sandbox.request_log.clear()
    again = run_import(store)
    assert (again.scan, again.created, again.updated, again.failed) == ("incremental", 0, 0, 0)
    assert again.acumatica_requests == 1
    assert [e.path.rsplit("/", 1)[-1] for e in sandbox.request_log.entries()] == ["SalesOrder"]
    assert imported(store) == eligible


def test_changes_at_the_source_reach_orders_the_warehouse_has_not_shipped(
    sandbox, sandbox_data, store_factory, run_import
):
    store = store_factory(sandbox)
    run_import(store)
    before_lines = {
        ln.line_nbr: ln.pk for ln in OrderLine.objects.filter(order__erp_order_nbr="000001")
    }
    held, cancelled = sorted(
        nbr
        for kind, nbr in sandbox_data.eligible_sales_orders()
        if nbr != "000001" and sandbox_data.order(kind, nbr)["Status"]["value"] == "Open"
    )[:2]

    sandbox_data.edit(
        "SO",
        "000001",
        shipTo={"City": "Boulder"},
        lines=[
            {"lineNbr": 1, "qty": 7},
            {"lineNbr": 2, "delete": True},
            {"inventory": "BLENDER700", "qty": 1, "warehouse": "EAST"},
        ],
    )
    sandbox_data.edit("SO", held, hold=True)
    sandbox_data.cancel("SO", cancelled)
    new_key = new_open_order(sandbox_data)

    run = run_import(store)
    assert (run.created, run.updated, run.failed) == (1, 3, 0)
    assert new_key in imported(store)

    edited = Order.objects.get(store=store, erp_order_nbr="000001")
    assert edited.status == OrderStatus.READY
    assert edited.ship_to_city == "Boulder"
    assert set(edited.source_changes) >= {"lines", "ship-to address"}
    assert edited.source_changed_at is not None
    assert edited.changed_at_source is False  # the warehouse had not taken it yet
    lines = {ln.line_nbr: ln for ln in edited.lines.all()}
    assert 2 not in lines
    assert lines[1].ordered_quantity == 7 and lines[1].pk == before_lines[1]
    assert max(lines) > max(before_lines) and lines[max(lines)].inventory_id == "BLENDER700"

    on_hold = Order.objects.get(store=store, erp_order_nbr=held)
    assert on_hold.status == OrderStatus.ON_HOLD_AT_SOURCE
    assert on_hold.status_reason == "On hold in Acumatica (On Hold)."
    gone = Order.objects.get(store=store, erp_order_nbr=cancelled)
    assert (gone.status, gone.status_reason) == (
        OrderStatus.CANCELLED_AT_SOURCE,
        "Cancelled in Acumatica.",
    )

    sandbox_data.edit("SO", held, hold=False)
    run = run_import(store)
    assert run.updated == 1
    on_hold.refresh_from_db()
    assert (on_hold.status, on_hold.status_reason) == (OrderStatus.READY, "")


def test_orders_the_warehouse_took_are_flagged_and_shipped_ones_keep_their_data(
    sandbox, sandbox_data, store_factory, run_import
):
    store = store_factory(sandbox)
    run_import(store)
    acknowledged, shipped = sorted(
        nbr
        for kind, nbr in sandbox_data.eligible_sales_orders()
        if sandbox_data.order(kind, nbr)["Status"]["value"] == "Open"
    )[:2]
    Order.objects.filter(erp_order_nbr=acknowledged).update(status=OrderStatus.ACKNOWLEDGED)
    Order.objects.filter(erp_order_nbr=shipped).update(status=OrderStatus.SHIPPED)
    city_before = Order.objects.get(erp_order_nbr=shipped).ship_to_city

    current = sandbox_data.order("SO", acknowledged)["ShipVia"]["value"]
    other = "FEDEX2DAY" if current != "FEDEX2DAY" else "LOCAL"
    sandbox_data.edit("SO", acknowledged, shipVia=other)
    sandbox_data.edit("SO", shipped, shipTo={"City": "Reno"}, lines=[{"lineNbr": 1, "qty": 9}])
    run = run_import(store)
    assert run.updated == 2

    taken = Order.objects.get(erp_order_nbr=acknowledged)
    assert (taken.status, taken.ship_via, taken.changed_at_source) == (
        OrderStatus.ACKNOWLEDGED,
        other,
        True,
    )
    assert taken.source_changes == ["ship via"]

    kept = Order.objects.get(erp_order_nbr=shipped)
    assert kept.status == OrderStatus.SHIPPED
    assert kept.ship_to_city == city_before  # what the warehouse shipped against
    assert kept.raw_payload["ShipToAddress"]["City"] == {"value": "Reno"}
    assert kept.changed_at_source is True
    assert set(kept.source_changes) == {"lines", "ship-to address"}

    sandbox_data.cancel("SO", shipped, force=True)
    run_import(store)
    kept.refresh_from_db()
    assert kept.status == OrderStatus.SHIPPED
    assert any("Canceled" in change for change in kept.source_changes)


def test_same_second_ties_across_a_page_boundary_and_late_records(
    sandbox, sandbox_data, store_factory, run_import, settings
):
    settings.FULFILLMENT_IMPORT_PAGE_SIZE = 3
    store = store_factory(sandbox)
    run_import(store)

    # Five orders saved in the same millisecond, straddling pages of three.
    tied = [new_open_order(sandbox_data) for _ in range(5)]
    for kind, nbr in tied:
        sandbox_data.set_last_modified(kind, nbr, T.isoformat())
    run = run_import(store)
    assert run.created == 5 and run.pages >= 2
    assert ImportCursor.objects.get(store=store).cursor == T

    # Another one committed later with the same LastModified, one a few minutes older than the
    # cursor (inside the lookback), and one older than the lookback.
    same = new_open_order(sandbox_data)
    sandbox_data.set_last_modified(*same, T.isoformat())
    late = new_open_order(sandbox_data)
    sandbox_data.set_last_modified(*late, (T - dt.timedelta(minutes=7)).isoformat())
    too_late = new_open_order(sandbox_data)
    sandbox_data.set_last_modified(*too_late, (T - dt.timedelta(minutes=30)).isoformat())

    run = run_import(store)
    assert run.created == 2
    assert run.unchanged == 5  # the tied ones, read again and recognised
    assert {same, late} <= imported(store)
    assert too_late not in imported(store)

    # Outside the lookback only a re-scan finds it: once, and nothing else twice.
    rescan = run_import(store, ImportTrigger.RESCAN)
    assert (rescan.scan, rescan.created, rescan.updated) == ("full", 1, 0)
    assert imported(store) == sandbox_data.eligible_sales_orders()
    assert Order.objects.filter(store=store).count() == len(imported(store))
    assert ImportCursor.objects.get(store=store).cursor == T


def test_full_rescan_creates_no_duplicates(sandbox, sandbox_data, store_factory, run_import):
    sandbox_data.seed(orders=80, lines=2)
    store = store_factory(sandbox)
    first = run_import(store)
    count = Order.objects.filter(store=store).count()
    rescan = run_import(store, ImportTrigger.RESCAN)
    assert rescan.trigger == ImportTrigger.RESCAN and rescan.scan == "full"
    assert (rescan.created, rescan.updated, rescan.unchanged) == (0, 0, first.created)
    assert Order.objects.filter(store=store).count() == count


def test_since_scans_from_a_given_date(sandbox, sandbox_data, store_factory, run_import):
    store = store_factory(sandbox)
    recent = new_open_order(sandbox_data)
    sandbox_data.set_last_modified(*recent, T.isoformat())
    run = run_import(store, ImportTrigger.MANUAL, since=T - dt.timedelta(hours=1))
    assert run.scan == "since"
    assert imported(store) == {recent}
    # The next scheduled run carries on from there instead of importing history.
    assert ImportCursor.objects.get(store=store).cursor == T


def test_the_store_order_type_selects_what_is_imported(
    sandbox, sandbox_data, store_factory, run_import
):
    sandbox_data.seed(orders=200, lines=1)
    store = store_factory(sandbox, order_type="RM")
    run_import(store)
    expected = sandbox_data.eligible_sales_orders("RM")
    assert expected and imported(store) == expected


def test_orders_leaving_a_status_filtered_scan_between_pages_do_not_hide_others(
    sandbox, sandbox_data, store_factory, run_import, settings, monkeypatch
):
    # The first import filters on status. Two orders it already read are cancelled before it
    # asks for the next page: everything after them slides back by two places.
    settings.FULFILLMENT_IMPORT_PAGE_SIZE = 4
    sandbox_data.seed(orders=60, lines=1)
    eligible = sandbox_data.eligible_sales_orders()
    store = store_factory(sandbox)
    from fulfillment.importing import sync

    real_commit = sync._commit_page
    pages = []

    def commit_then_cancel(store, run, cursor, plan, page, requests_so_far):
        result = real_commit(store, run, cursor, plan, page, requests_so_far)
        pages.append(page)
        if len(pages) == 1:
            for record in page.records[:2]:
                sandbox_data.cancel("SO", record["OrderNbr"]["value"], force=True)
        return result

    monkeypatch.setattr(sync, "_commit_page", commit_then_cancel)
    run = run_import(store)
    assert imported(store) == eligible
    assert any(not page.checkpoint for page in pages)  # it read back to find its place
    assert run.created == len(eligible)

    monkeypatch.undo()
    run_import(store)
    cancelled = Order.objects.filter(store=store, status=OrderStatus.CANCELLED_AT_SOURCE)
    assert cancelled.count() == 2

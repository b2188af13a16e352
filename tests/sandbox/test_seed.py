"""Seed data: deterministic, realistic, and holding the cases an integration must survive."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from connector.sandbox.config import SandboxConfig
from connector.sandbox.data import SandboxData
from connector.sandbox.seed import seeded_data
from connector.sandbox.seed_catalog import SO_STATUSES

CLOCK = 1_750_000_000.0  # seeding must not depend on the wall clock


def seeded(**overrides) -> SandboxData:
    return seeded_data(SandboxConfig(**overrides), clock=lambda: CLOCK)


def snapshot(data: SandboxData) -> dict:
    return {name: sorted(records.items()) for name, records in data.records.items()}


def test_same_seed_same_data_other_seed_other_data():
    assert snapshot(seeded(seed=7)) == snapshot(seeded(seed=7))
    assert snapshot(seeded(seed=7)) != snapshot(seeded(seed=8))


def test_every_sales_order_status_and_several_order_types():
    data = seeded()
    orders = list(data.records["SalesOrder"].values())
    assert len(orders) == 40
    statuses = Counter(o["Status"] for o in orders if o["OrderType"] == "SO")
    assert set(statuses) >= {label for label, _ in SO_STATUSES}
    assert {o["OrderType"] for o in seeded(orders=200).records["SalesOrder"].values()} > {"SO"}
    for order in orders:
        assert order["Hold"] == (order["Status"] == "On Hold")
        assert order["OrderNbr"].isdigit() and len(order["OrderNbr"]) == 6
        assert 1 <= len(order["Details"]) <= 5
        assert order["ShipToAddress"]["City"] and order["ShipToContact"]["Email"]
        assert order["ShipVia"] in data.lookups.ship_vias
        assert order["OrderTotal"] == sum(line["Amount"] for line in order["Details"])


def test_orders_spread_lines_over_warehouses():
    data = seeded(orders=200)
    split = [
        o
        for o in data.records["SalesOrder"].values()
        if len({line["WarehouseID"] for line in o["Details"]}) > 1
    ]
    assert len(split) >= 10
    used = {line["WarehouseID"] for o in split for line in o["Details"]}
    assert used == set(data.lookups.warehouses)


def test_orders_share_last_modified_values():
    data = seeded()
    stamps = Counter(o["LastModified"] for o in data.records["SalesOrder"].values())
    assert max(stamps.values()) >= 3  # an exact tie of three or more
    seconds = Counter(
        o["LastModified"].replace(microsecond=0) for o in data.records["SalesOrder"].values()
    )
    assert sum(1 for n in seconds.values() if n > 1) > sum(1 for n in stamps.values() if n > 1)
    for order in data.records["SalesOrder"].values():
        assert order["LastModified"].microsecond % 1000 == 0  # millisecond precision


def test_shipments_are_consistent_with_their_orders():
    data = seeded(orders=120)
    shipments = list(data.records["Shipment"].values())
    assert {s["Status"] for s in shipments} >= {"Open", "On Hold", "Confirmed"}
    assert any(p.get("TrackingNbr") for s in shipments for p in s["Packages"])
    open_ones = [s for s in shipments if s["Status"] in ("Open", "On Hold")]
    assert any(p.get("TrackingNbr") for s in open_ones for p in s["Packages"])
    assert any(not s["Packages"] for s in open_ones) or len(open_ones) < 3
    for shipment in shipments:
        assert shipment["Hold"] == (shipment["Status"] == "On Hold")
        assert len({line["WarehouseID"] for line in shipment["Details"]}) == 1
        assert shipment["ShippedQty"] == sum(line["ShippedQty"] for line in shipment["Details"])
        assert shipment["PackageCount"] == len(shipment["Packages"])
        for row in shipment["Orders"]:
            order = data.find("SalesOrder", (row["OrderType"], row["OrderNbr"]))
            if shipment["Status"] in ("Open", "On Hold"):
                assert order["Status"] == "Shipping"
            else:
                assert order["Status"] in ("Back Order", "Completed", "Invoiced")
    for order in data.records["SalesOrder"].values():
        on_shipments = {}
        for shipment in data.shipments_of_order(order["OrderType"], order["OrderNbr"]):
            for line in shipment["Details"]:
                key = line["OrderLineNbr"]
                on_shipments[key] = on_shipments.get(key, Decimal(0)) + line["ShippedQty"]
        for line in order["Details"]:
            assert line["QtyOnShipments"] == on_shipments.get(line["LineNbr"], Decimal(0))
        if order["Status"] == "Back Order":
            assert any(line["OpenQty"] > 0 for line in order["Details"])
            assert any(line["QtyOnShipments"] > 0 for line in order["Details"])


def test_lookups_for_validation():
    lookups = seeded().lookups
    assert {"SMALL", "MEDIUM", "LARGE"} <= set(lookups.boxes)
    assert all(len(box) <= 15 for box in lookups.boxes)
    assert {"UPSGROUND", "FEDEX2DAY", "USPSPRIORITY", "LOCAL"} <= set(lookups.ship_vias)
    assert {"WHOLESALE", "RETAIL", "EAST"} <= set(lookups.warehouses)
    assert {"SO", "RM", "QT", "TR"} <= set(lookups.order_types)
    assert len(lookups.customers) >= 10


def test_ten_thousand_orders_seed():
    # How fast: bench_import prints seed_seconds (speed targets live in benchmarks).
    data = seeded(orders=10_000)
    assert len(data.records["SalesOrder"]) == 10_000
    assert len(data.ordered_ids("SalesOrder")) == 10_000

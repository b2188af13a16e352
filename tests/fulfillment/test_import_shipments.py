"""Shipment mode: open Shipments (of the default warehouse when one is set) instead of sales
orders."""

from __future__ import annotations

from collections import Counter

import pytest

from fulfillment.models import ImportRunStatus, ImportTrigger, Order, OrderStatus, SourceKind
from stores.credentials import acumatica_client_for

pytestmark = pytest.mark.django_db


def shipment_nbrs(store) -> set[str]:
    return set(Order.objects.filter(store=store).values_list("erp_shipment_nbr", flat=True))


@pytest.fixture
def seeded(sandbox, sandbox_data):
    sandbox_data.seed(orders=240, lines=3)
    shipments = sandbox_data.shipments()
    open_ones = [s for s in shipments if s["Status"] == "Open"]
    assert len(open_ones) >= 4 and len(shipments) > len(open_ones)
    return open_ones


def test_imports_every_open_shipment_with_lines_and_ship_to(
    sandbox, sandbox_data, store_factory, run_import, seeded
):
    store = store_factory(sandbox, shipment_mode=True)
    run = run_import(store)
    assert run.status == ImportRunStatus.SUCCEEDED
    assert run.source_kind == SourceKind.SHIPMENT
    assert shipment_nbrs(store) == {s["ShipmentNbr"] for s in seeded}

    sample = seeded[0]
    order = Order.objects.get(store=store, erp_shipment_nbr=sample["ShipmentNbr"])
    source = sandbox_data._call("GET", f"shipments/{sample['ShipmentNbr']}")
    assert order.source_kind == SourceKind.SHIPMENT and order.status == OrderStatus.READY
    assert order.warehouse == source["WarehouseID"]["value"]
    assert (order.erp_order_type, order.erp_order_nbr) == (
        source["Details"][0]["OrderType"]["value"],
        source["Details"][0]["OrderNbr"]["value"],
    )
    ship_to = source["ShippingSettings"]["ShipToAddress"]
    assert order.ship_to_city == ship_to["City"]["value"]
    assert order.lines.count() == len(source["Details"])
    assert "Packages" in order.raw_payload

    sandbox.request_log.clear()
    again = run_import(store)
    assert (again.created, again.updated, again.acumatica_requests) == (0, 0, 1)


def test_the_default_warehouse_limits_the_import(sandbox, store_factory, run_import, seeded):
    warehouse, _ = Counter(s["WarehouseID"] for s in seeded).most_common(1)[0]
    store = store_factory(sandbox, shipment_mode=True, default_warehouse=warehouse)
    run_import(store)
    expected = {s["ShipmentNbr"] for s in seeded if s["WarehouseID"] == warehouse}
    assert shipment_nbrs(store) == expected != {s["ShipmentNbr"] for s in seeded}
    rescan = run_import(store, ImportTrigger.RESCAN)
    assert (rescan.created, rescan.unchanged) == (0, len(expected))
    assert shipment_nbrs(store) == expected


def test_a_shipment_put_on_hold_at_the_source_leaves_the_queue(
    sandbox, store_factory, run_import, seeded
):
    store = store_factory(sandbox, shipment_mode=True)
    run_import(store)
    nbr = seeded[0]["ShipmentNbr"]
    with acumatica_client_for(store) as client:
        client.put("Shipment", {"ShipmentNbr": nbr, "Hold": True})
    run = run_import(store)
    assert run.updated == 1
    order = Order.objects.get(store=store, erp_shipment_nbr=nbr)
    assert order.status == OrderStatus.ON_HOLD_AT_SOURCE
    assert order.status_reason == "Shipment on hold in Acumatica."
    assert order.erp_status == "On Hold"

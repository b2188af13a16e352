"""Issue 16's "done when", per version: on each supported Default endpoint (20.200.001,
22.200.001 … 26.200.001), against the sandbox serving that version's real field surface, the
import takes exactly the eligible orders once each (two scheduled runs and a full re-scan),
an edit at the source updates exactly those orders, fulfillments with packages, dimensions
and contents are written back as exactly one confirmed Shipment each, and a shipment-mode
store completes an imported Shipment. (There is no Default/21.200.001: six versions.)"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from connector.acumatica.endpoints import SUPPORTED_VERSIONS
from fulfillment.models import (
    Fulfillment,
    FulfillmentStatus,
    ImportRunStatus,
    ImportTrigger,
    Order,
    SourceKind,
)
from fulfillment.writeback.engine import writeback_run
from fulfillment.writeback.samples import PackageSpec

from .conftest import SandboxData
from .writeback_support import assert_written_as_sent, fulfill, map_carrier, shipments

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_import_and_write_back_on_every_endpoint_version(
    sandbox_factory, store_factory, run_import, version
):
    sandbox = sandbox_factory(endpoint_versions=[version], orders=160, action_duration=0)
    data = SandboxData(sandbox)
    eligible = data.eligible_sales_orders()
    assert len(eligible) > 30
    store = store_factory(sandbox, include_package_contents=True)
    assert store.endpoint_version == version

    runs = [
        run_import(store, ImportTrigger.SCHEDULE),
        run_import(store, ImportTrigger.SCHEDULE),
        run_import(store, ImportTrigger.RESCAN),
    ]
    assert [run.status for run in runs] == [ImportRunStatus.SUCCEEDED] * 3
    assert [(run.created, run.updated, run.failed) for run in runs] == [
        (len(eligible), 0, 0),
        (0, 0, 0),
        (0, 0, 0),
    ]
    orders = Order.objects.filter(store=store, source_kind=SourceKind.SALES_ORDER)
    assert set(orders.values_list("erp_order_type", "erp_order_nbr")) == eligible
    assert {o.erp_status for o in orders} <= {"Open", "Back Order"}
    assert all(o.erp_last_modified is not None for o in orders)

    edited = sorted(eligible)[::10][:3]
    for kind, nbr in edited:
        data.edit(kind, nbr, shipTo={"AddressLine2": f"Suite {nbr}"})
    run = run_import(store, ImportTrigger.SCHEDULE)
    assert (run.created, run.updated, run.failed) == (0, 3, 0)
    changed = orders.filter(ship_to_address_line2__startswith="Suite ")
    assert {(o.erp_order_type, o.erp_order_nbr) for o in changed} == set(edited)

    map_carrier(store)
    # Orders whose lines leave from one warehouse: one Shipment each.
    ready = [
        o
        for o in orders.filter(erp_status="Open").order_by("erp_order_nbr")
        if o.status == "ready" and len({line.warehouse for line in o.lines.all()}) == 1
    ][:3]
    assert len(ready) == 3
    fulfillments = []
    for index, order in enumerate(ready):
        lines = list(order.lines.order_by("line_nbr"))
        fulfillments.append(
            fulfill(
                order,
                packages=[
                    PackageSpec(
                        tracking_number=f"1Z{version[:2]}{index}{n}",
                        weight=Decimal("2.5"),
                        length=Decimal("12"),
                        width=Decimal("8"),
                        height=Decimal("4"),
                        dimension_unit="IN",
                        contents=[(line, line.open_quantity) for line in lines[n::2]],
                    )
                    for n in range(min(2, len(lines)))
                ],
            )
        )
    before = len(shipments(sandbox))
    for fulfillment in fulfillments:
        writeback_run(fulfillment_id=fulfillment.pk)
        fulfillment.refresh_from_db()
        assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK, fulfillment.last_error
        held = assert_written_as_sent(sandbox, fulfillment)
        for package in held["Packages"]:
            contents = Counter(
                {c["InventoryID"]: c["Quantity"] for c in package.get("PackageContents", [])}
            )
            assert contents, "package contents are written on every version"
            if version == "20.200.001":
                # 20.200.001 has no package dimensions nor the contents' original order.
                assert "OrigOrderNbr" not in package["PackageContents"][0]
            else:
                assert package["Length"] == Decimal("12")
    assert len(shipments(sandbox)) == before + len(fulfillments)  # one each, no duplicate


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_shipment_mode_on_every_endpoint_version(
    sandbox_factory, store_factory, run_import, version
):
    sandbox = sandbox_factory(endpoint_versions=[version], orders=60, action_duration=0)
    data = SandboxData(sandbox)
    open_shipments = {s["ShipmentNbr"] for s in data.shipments(status="Open")}
    assert open_shipments
    store = store_factory(sandbox, shipment_mode=True)
    run = run_import(store, ImportTrigger.RESCAN)
    assert run.status == ImportRunStatus.SUCCEEDED
    imported = Order.objects.filter(store=store, source_kind=SourceKind.SHIPMENT)
    assert set(imported.values_list("erp_shipment_nbr", flat=True)) == open_shipments

    map_carrier(store, carrier="FedEx", service="2Day", ship_via="FEDEX2DAY", box="MEDIUM")
    order = imported.filter(status="ready").order_by("erp_shipment_nbr").first()
    fulfillment = fulfill(
        order,
        carrier="FedEx",
        service="2Day",
        packages=[PackageSpec(tracking_number=f"7749{version[:2]}", box_id="")],
    )
    writeback_run(fulfillment_id=fulfillment.pk)
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK, fulfillment.last_error
    held = next(s for s in shipments(sandbox) if s["ShipmentNbr"] == order.erp_shipment_nbr)
    assert held["Status"] == "Confirmed" and held["ShipVia"] == "FEDEX2DAY"
    assert [p["TrackingNbr"] for p in held["Packages"] if p.get("CustomRefNbr1")] == [
        f"7749{version[:2]}"
    ]
    assert Fulfillment.objects.filter(order=order).count() == 1

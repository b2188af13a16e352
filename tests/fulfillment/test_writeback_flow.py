"""Writing fulfillments back against the sandbox over real HTTP: sales-order mode with several
packages (contents on and off), a partial then a final shipment, shipment mode."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fulfillment.fulfillments.recording import fulfillment_record
from fulfillment.models import (
    FulfillmentSource,
    FulfillmentStatus,
    Order,
    OrderStatus,
    SourceKind,
    WriteBackAttempt,
    WriteBackProgress,
)
from fulfillment.writeback.calls import data_calls
from fulfillment.writeback.drain import writeback_drain
from fulfillment.writeback.engine import writeback_run
from fulfillment.writeback.samples import PackageSpec

from .writeback_support import (
    assert_written_as_sent,
    fulfill,
    map_carrier,
    open_orders,
    outbox_row,
    shipments_for,
)

pytestmark = pytest.mark.django_db


def test_sales_order_mode_several_packages_with_contents(sandbox, store_factory, run_import):
    store = store_factory(sandbox, include_package_contents=True)
    map_carrier(store)
    (order,) = open_orders(sandbox, store, run_import, count=1, max_lines=3, seed=3)
    fulfillment = fulfill(order, packages=2)

    attempt = writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    assert attempt.outcome == WriteBackAttempt.Outcome.SUCCEEDED, attempt.error
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK
    assert fulfillment.progress == WriteBackProgress.VERIFIED
    assert fulfillment.ship_via == "UPSGROUND"
    assert outbox_row(fulfillment) is None
    shipment = assert_written_as_sent(sandbox, fulfillment)
    assert shipment["ShipVia"] == "UPSGROUND"
    assert shipment["WarehouseID"] == "RETAIL"
    assert fulfillment.reference in shipment["Description"]
    for package, sent in zip(
        shipment["Packages"], fulfillment.packages.order_by("position"), strict=True
    ):
        assert package["Weight"] == sent.weight
        contents = {(c["InventoryID"], c["Quantity"]) for c in package["PackageContents"]}
        assert contents == {(c.order_line.inventory_id, c.quantity) for c in sent.contents.all()}
    # PUT (Hold false in it) + ConfirmShipment + read-back; polls come on top.
    kinds = [c["kind"] for c in attempt.calls]
    assert [k for k in kinds if k not in ("auth", "poll")] == ["put", "confirm", "read_back"]
    assert data_calls(attempt.calls) == 3
    assert all(c["status"] in (200, 202, 204) for c in attempt.calls)
    order.refresh_from_db()
    assert order.status == OrderStatus.WRITTEN_BACK


def test_package_contents_are_not_sent_when_the_store_does_not_send_them(
    sandbox, store_factory, run_import
):
    store = store_factory(sandbox, include_package_contents=False)
    map_carrier(store)
    (order,) = open_orders(sandbox, store, run_import, count=1, max_lines=2, seed=4)
    fulfillment = fulfill(order, packages=3)

    writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK, fulfillment.last_error
    shipment = assert_written_as_sent(sandbox, fulfillment)
    assert len(shipment["Packages"]) == 3
    assert all(p["PackageContents"] == [] for p in shipment["Packages"])


def test_a_partial_then_a_final_shipment(sandbox, store_factory, run_import, sandbox_data):
    store = store_factory(sandbox)
    map_carrier(store)
    (order,) = open_orders(sandbox, store, run_import, count=1, max_lines=3, seed=5)
    lines = list(order.lines.order_by("line_nbr"))
    first_qty = {lines[0].line_nbr: Decimal(1)}
    first = fulfill(order, quantities=first_qty)
    writeback_run(fulfillment_id=first.pk)
    first.refresh_from_db()
    order.refresh_from_db()
    assert first.status == FulfillmentStatus.WRITTEN_BACK, first.last_error
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert sandbox_data.order("SO", order.erp_order_nbr)["Status"]["value"] == "Back Order"

    final = fulfill(order, packages=2)
    writeback_run(fulfillment_id=final.pk)
    final.refresh_from_db()
    order.refresh_from_db()
    assert final.status == FulfillmentStatus.WRITTEN_BACK, final.last_error
    assert_written_as_sent(sandbox, first)
    assert_written_as_sent(sandbox, final)
    assert first.erp_shipment_nbr != final.erp_shipment_nbr
    assert order.status == OrderStatus.WRITTEN_BACK
    assert sandbox_data.order("SO", order.erp_order_nbr)["Status"]["value"] == "Completed"


def test_shipment_mode_updates_the_existing_shipment_and_confirms_it(
    sandbox, store_factory, run_import, sandbox_data
):
    store = store_factory(sandbox, shipment_mode=True, include_package_contents=True)
    map_carrier(store, carrier="FedEx", service="2Day", ship_via="FEDEX2DAY", box="MEDIUM")
    run_import(store)
    order = (
        Order.objects.filter(store=store, source_kind=SourceKind.SHIPMENT)
        .order_by("erp_shipment_nbr")
        .first()
    )
    assert order is not None, "the seed has open shipments"
    lines = list(order.lines.order_by("line_nbr"))
    # Ship one less of the first line and nothing of the others: a partial shipment.
    shipped = {lines[0].line_nbr: max(lines[0].open_quantity - 1, Decimal(1))}
    fulfillment = fulfill(
        order,
        quantities=shipped,
        carrier="FedEx",
        service="2Day",
        packages=[
            PackageSpec(
                tracking_number="7749001",
                box_id="",
                weight=Decimal("1000"),
                weight_unit="G",
                length=Decimal("30"),
                width=Decimal("20"),
                height=Decimal("10"),
                dimension_unit="CM",
                contents=[(lines[0], shipped[lines[0].line_nbr])],
            )
        ],
    )

    attempt = writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK, fulfillment.last_error
    assert fulfillment.erp_shipment_nbr == order.erp_shipment_nbr
    kinds = [c["kind"] for c in attempt.calls if c["kind"] not in ("auth", "poll")]
    assert kinds == ["find", "put", "confirm", "read_back"]
    (shipment,) = [s for s in shipments_for(sandbox, fulfillment.reference)]
    assert shipment["ShipmentNbr"] == order.erp_shipment_nbr
    assert shipment["Status"] == "Confirmed"
    assert shipment["ShipVia"] == "FEDEX2DAY"
    ours = [p for p in shipment["Packages"] if p.get("CustomRefNbr1") == fulfillment.reference]
    assert len(ours) == 1
    assert ours[0]["TrackingNbr"] == "7749001"
    assert ours[0]["BoxID"] == "MEDIUM"
    assert ours[0]["Weight"] == Decimal("2.2046")  # 1000 g in pounds
    assert ours[0]["Length"] == Decimal("11.8110")  # 30 cm in inches
    # Placeholder packages (no tracking number) are gone; tracked ones of others stay.
    assert all(p.get("TrackingNbr") for p in shipment["Packages"])
    by_line = {line["LineNbr"]: line["ShippedQty"] for line in shipment["Details"]}
    assert by_line[lines[0].line_nbr] == shipped[lines[0].line_nbr]
    assert all(by_line[line.line_nbr] == 0 for line in lines[1:])

    # The Shipment is confirmed: a second fulfillment of it is refused before any call.
    second = fulfill(order, carrier="FedEx", service="2Day")
    attempt = writeback_run(fulfillment_id=second.pk)
    second.refresh_from_db()
    assert attempt.outcome == WriteBackAttempt.Outcome.FAILED and attempt.calls == []
    assert "takes one fulfillment" in second.last_error


def test_the_drain_signs_out_so_no_acumatica_session_stays_open(sandbox, store_factory, run_import):
    store = store_factory(sandbox)
    map_carrier(store)
    orders = open_orders(sandbox, store, run_import, count=3, seed=6)
    for order in orders:
        fulfill(order)
    assert len(sandbox.sessions.open_sessions()) == 1  # the store's OAuth grant, kept open

    summary = writeback_drain(store=store)

    assert (summary.written_back, summary.failed, summary.pending) == (3, 0, 0)
    assert sandbox.sessions.open_sessions() == []


def test_recorded_through_the_warehouse_service_then_written_by_the_task(
    sandbox, store_factory, run_import, jobs_run_here, django_capture_on_commit_callbacks
):
    """The whole chain: ``fulfillment_record`` → outbox row + ``writeback_enqueue`` after
    commit → the ``write_back`` task → a confirmed Shipment."""
    store = store_factory(sandbox, include_package_contents=True)
    map_carrier(store)
    (order,) = open_orders(sandbox, store, run_import, count=1, max_lines=2, seed=8)
    lines = list(order.lines.order_by("line_nbr"))
    with django_capture_on_commit_callbacks(execute=True):
        fulfillment, created = fulfillment_record(
            order=order,
            idempotency_key="wms-1",
            source=FulfillmentSource.API,
            data={
                "shipped_at": dt.datetime(2025, 6, 1, 14, 30, tzinfo=dt.UTC),
                "carrier": "ups",
                "service": "ground",
                "lines": [{"line_id": line.pk, "quantity": line.open_quantity} for line in lines],
                "packages": [
                    {
                        "box_id": "",
                        "weight": "3.2",
                        "weight_unit": "kg",
                        "length": "30",
                        "width": "20",
                        "height": "10",
                        "dimension_unit": "cm",
                        "tracking_number": f"1Z999{n}",
                        "contents": [{"line_id": line.pk, "quantity": line.open_quantity}],
                    }
                    for n, line in enumerate(lines)
                ],
            },
        )

    assert created
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK, fulfillment.last_error
    shipment = assert_written_as_sent(sandbox, fulfillment)
    assert shipment["Packages"][0]["Weight"] == Decimal("7.0548")  # 3.2 kg in pounds
    assert shipment["Packages"][0]["Height"] == Decimal("3.9370")  # 10 cm in inches
    order.refresh_from_db()
    assert order.status == OrderStatus.WRITTEN_BACK

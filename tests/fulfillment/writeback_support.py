"""Helpers for the write-back tests: orders made in the sandbox and imported for real, carrier
mappings, fulfillments recorded the way the warehouse API records them, and what the sandbox
holds afterwards (read from its in-process data, every field included)."""

from __future__ import annotations

import copy
from decimal import Decimal

from fulfillment.models import FulfillmentStatus, Order, SourceKind, WriteBackOutbox
from fulfillment.writeback.carriers import carrier_mapping_set
from fulfillment.writeback.engine import writeback_run
from fulfillment.writeback.samples import fulfillment_build, sandbox_open_orders
from stores.credentials import acumatica_client_for


def open_orders(sandbox, store, run_import, *, count: int, max_lines: int = 3, seed: int = 1):
    """``count`` Open sales orders made in the sandbox and imported into ``store``, in order."""
    numbers = sandbox_open_orders(sandbox.site_url, count=count, max_lines=max_lines, seed=seed)
    run_import(store)
    orders = {
        o.erp_order_nbr: o
        for o in Order.objects.filter(store=store, source_kind=SourceKind.SALES_ORDER)
    }
    return [orders[nbr] for nbr in numbers]


def map_carrier(store, *, carrier="UPS", service="Ground", ship_via="UPSGROUND", box="SMALL"):
    return carrier_mapping_set(
        store=store, carrier=carrier, service=service, ship_via=ship_via, default_box_id=box
    )


def fulfill(order, **options):
    return fulfillment_build(order=order, **options)


def written_back(order, **options):
    """A fulfillment of ``order`` (``fulfill``), written back here and now: its Shipment is
    confirmed in Acumatica."""
    fulfillment = fulfill(order, **options)
    writeback_run(fulfillment_id=fulfillment.pk)
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK, fulfillment.last_error
    return fulfillment


def shipment_package_edit(store, shipment_nbr: str, **package_fields) -> dict:
    """What a person does on the Shipment form: Correct, change the first package's fields,
    Confirm. Returns the Shipment as Acumatica has it then (with its packages)."""
    keys = {"Type": "Shipment", "ShipmentNbr": shipment_nbr}
    with acumatica_client_for(store, purpose="test") as client:
        client.invoke_action("Shipment", "CorrectShipment", keys, poll_interval=0.05)
        package = client.get("Shipment", shipment_nbr, expand="Packages")["Packages"][0]
        client.put(
            "Shipment",
            {**keys, "Packages": [{"id": package["id"], **package_fields}]},
            expand="Packages",
        )
        client.invoke_action("Shipment", "ConfirmShipment", keys, poll_interval=0.05)
        return client.get("Shipment", shipment_nbr, expand="Packages")


def shipments(sandbox) -> list[dict]:
    """Every Shipment the sandbox holds, as stored (plain values)."""
    with sandbox.data.lock:
        return [copy.deepcopy(s) for s in sandbox.data.records["Shipment"].values()]


def shipments_for(sandbox, reference: str) -> list[dict]:
    with sandbox.data.lock:
        return [
            copy.deepcopy(s)
            for s in sandbox.data.records["Shipment"].values()
            if reference in (s.get("Description") or "").split()
            or any(p.get("CustomRefNbr1") == reference for p in s.get("Packages", []))
        ]


def shipped_by_line(shipment: dict) -> dict[tuple, Decimal]:
    totals: dict[tuple, Decimal] = {}
    for line in shipment["Details"]:
        key = (line["OrderType"], line["OrderNbr"], line["OrderLineNbr"])
        totals[key] = totals.get(key, Decimal(0)) + (line.get("ShippedQty") or Decimal(0))
    return {k: v for k, v in totals.items() if v}


def expected_by_line(fulfillment) -> dict[tuple, Decimal]:
    order = fulfillment.order
    return {
        (order.erp_order_type, order.erp_order_nbr, item.order_line.line_nbr): item.quantity
        for item in fulfillment.lines.select_related("order_line")
    }


def assert_written_as_sent(sandbox, fulfillment) -> dict:
    """Exactly one confirmed Shipment for the fulfillment, with its lines, packages, tracking
    numbers, boxes, weights and reference; returns it."""
    found = shipments_for(sandbox, fulfillment.reference)
    assert len(found) == 1, [s["ShipmentNbr"] for s in found]
    shipment = found[0]
    assert shipment["Status"] == "Confirmed"
    assert shipment["ShipmentNbr"] == fulfillment.erp_shipment_nbr
    assert shipped_by_line(shipment) == expected_by_line(fulfillment)
    sent = list(fulfillment.packages.order_by("position"))
    held = shipment["Packages"]
    assert [p["TrackingNbr"] for p in held] == [p.tracking_number for p in sent]
    assert [p["BoxID"] for p in held] == [p.box_id or "SMALL" for p in sent]
    assert all(p["CustomRefNbr1"] == fulfillment.reference for p in held)
    return shipment


def outbox_row(fulfillment):
    return WriteBackOutbox.objects.filter(fulfillment=fulfillment).first()

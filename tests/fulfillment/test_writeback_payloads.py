"""The pure parts of the write-back: payload builders, unit conversion, the read-back comparison
and which error means what. No database, no HTTP."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from connector.acumatica import (
    ActionTimeout,
    Forbidden,
    NotLoggedIn,
    RateLimited,
    RequestTimeout,
    ServerError,
    ValidationFailed,
)
from connector.acumatica.values import FieldError, wrap
from fulfillment.writeback import payloads, units
from fulfillment.writeback.outcomes import FAILED, HELD, RETRY, outcome_for_error
from fulfillment.writeback.plan import (
    ContentPlan,
    LinePlan,
    PackagePlan,
    ShipmentPlan,
)
from fulfillment.writeback.verify import carries_reference, differences

REF = "WB-0001A"


def _plan(*, creates_shipment=True, contents=True, packages=None, **overrides) -> ShipmentPlan:
    lines = (
        LinePlan("SO", "000123", 1, None, "MUG-CERAMIC", "EA", Decimal(3)),
        LinePlan("SO", "000123", 2, None, "TENT-2P", "EA", Decimal(1)),
    )
    if not creates_shipment:
        lines = (
            LinePlan("SO", "000123", 1, 1, "MUG-CERAMIC", "EA", Decimal(2)),
            LinePlan("SO", "000124", 4, 2, "TENT-2P", "EA", Decimal(1)),
        )
    if packages is None:
        packages = (
            PackagePlan(
                "SMALL",
                Decimal("2.2046"),
                "1ZA",
                contents=(ContentPlan("MUG-CERAMIC", "EA", Decimal(3), "SO", "000123"),),
            ),
            PackagePlan(
                "LARGE",
                Decimal("6.5"),
                "1ZB",
                length=Decimal("11.811"),
                width=Decimal("7.874"),
                height=Decimal("3.937"),
                contents=(ContentPlan("TENT-2P", "EA", Decimal(1), "SO", "000123"),),
            ),
        )
    fields = {
        "creates_shipment": creates_shipment,
        "reference": REF,
        "customer_id": "GOODFOOD",
        "warehouse_id": "RETAIL",
        "shipment_date": dt.date(2025, 3, 1),
        "ship_via": "UPSGROUND",
        "lines": lines,
        "packages": packages,
        "include_contents": contents,
        "weight_uom": "LB",
        "shipment_nbr": "" if creates_shipment else "000045",
        "unshipped_line_nbrs": () if creates_shipment else (3,),
    }
    fields.update(overrides)
    return ShipmentPlan(**fields)


def _w(value):
    return {} if value is None else {"value": value}


def _saved(plan: ShipmentPlan, *, status="Open", **changes) -> dict:
    """The Shipment as Acumatica would answer it, built from the plan."""
    record = {
        "id": str(uuid.uuid4()),
        "ShipmentNbr": _w(plan.shipment_nbr or "000777"),
        "Status": _w(status),
        "ShipVia": _w(plan.ship_via),
        "CustomerID": _w(plan.customer_id),
        "WarehouseID": _w(plan.warehouse_id),
        "Description": _w(plan.description),
        "Details": [
            {
                "id": str(uuid.uuid4()),
                "LineNbr": _w(line.shipment_line_nbr or n),
                "OrderType": _w(line.order_type),
                "OrderNbr": _w(line.order_nbr),
                "OrderLineNbr": _w(line.order_line_nbr),
                "ShippedQty": _w(float(line.quantity)),
            }
            for n, line in enumerate(plan.lines, start=1)
        ]
        + [
            {"id": str(uuid.uuid4()), "LineNbr": _w(nbr), "ShippedQty": _w(0.0)}
            for nbr in plan.unshipped_line_nbrs
        ],
        "Packages": [
            {
                "id": str(uuid.uuid4()),
                "LineNbr": _w(n),
                "BoxID": _w(p.box_id),
                "Weight": _w(float(p.weight)),
                "UOM": _w("LB"),
                "TrackingNbr": _w(p.tracking_number),
                "CustomRefNbr1": _w(plan.reference),
                "Length": _w(float(p.length) if p.length is not None else 10.0),
                "Width": _w(float(p.width) if p.width is not None else 8.0),
                "Height": _w(float(p.height) if p.height is not None else 4.0),
                "PackageContents": [
                    {"InventoryID": _w(c.inventory_id), "Quantity": _w(float(c.quantity))}
                    for c in p.contents
                ]
                if plan.include_contents
                else [],
            }
            for n, p in enumerate(plan.packages, start=1)
        ],
    }
    record.update(changes)
    return record


# --- payloads ---------------------------------------------------------------------------------


def test_a_new_shipment_from_sales_order_lines_with_packages_and_contents():
    body = payloads.new_shipment_body(_plan())

    assert body["Type"] == "Shipment"
    assert (body["CustomerID"], body["WarehouseID"], body["ShipVia"]) == (
        "GOODFOOD",
        "RETAIL",
        "UPSGROUND",
    )
    assert body["ShipmentDate"] == "2025-03-01"
    assert body["Hold"] is False
    assert REF in body["Description"].split()
    assert body["Details"] == [
        {"OrderType": "SO", "OrderNbr": "000123", "OrderLineNbr": 1, "ShippedQty": Decimal(3)},
        {"OrderType": "SO", "OrderNbr": "000123", "OrderLineNbr": 2, "ShippedQty": Decimal(1)},
    ]
    small, large = body["Packages"]
    assert small == {
        "BoxID": "SMALL",
        "Weight": Decimal("2.2046"),
        "TrackingNbr": "1ZA",
        "CustomRefNbr1": REF,
        "PackageContents": [
            {
                "InventoryID": "MUG-CERAMIC",
                "Quantity": Decimal(3),
                "UOM": "EA",
                "OrigOrderType": "SO",
                "OrigOrderNbr": "000123",
            }
        ],
    }
    assert (large["Length"], large["Width"], large["Height"]) == (
        Decimal("11.811"),
        Decimal("7.874"),
        Decimal("3.937"),
    )
    # On the wire every field is wrapped, decimals become JSON numbers.
    wire = wrap(body)
    assert wire["Packages"][0]["Weight"] == {"value": 2.2046}
    assert wire["Details"][0]["ShippedQty"] == {"value": 3}
    assert wire["Packages"][0]["PackageContents"][0]["OrigOrderNbr"] == {"value": "000123"}


def test_no_package_contents_when_the_store_does_not_send_them():
    body = payloads.new_shipment_body(_plan(contents=False))
    assert all("PackageContents" not in p for p in body["Packages"])
    assert payloads.expand_for(_plan(contents=False)) == ("Details", "Packages")
    assert "Packages/PackageContents" in payloads.expand_for(_plan())


def test_shipment_mode_never_creates_a_shipment():
    with pytest.raises(ValueError):
        payloads.new_shipment_body(_plan(creates_shipment=False))


def test_shipment_mode_update_sets_lines_replaces_placeholders_keeps_tracked_packages():
    plan = _plan(creates_shipment=False)
    existing = _saved(plan, Packages=[])
    line_ids = [line["id"] for line in existing["Details"]]
    existing["Packages"] = [
        {"id": "p-empty", "BoxID": _w("SMALL"), "TrackingNbr": {}},
        {"id": "p-tracked", "BoxID": _w("SMALL"), "TrackingNbr": _w("OTHER-1")},
    ]

    body = payloads.shipment_update_body(plan, existing)

    assert (body["Type"], body["ShipmentNbr"], body["ShipVia"], body["Hold"]) == (
        "Shipment",
        "000045",
        "UPSGROUND",
        False,
    )
    assert body["Details"] == [
        {"id": line_ids[0], "ShippedQty": Decimal(2)},
        {"id": line_ids[1], "ShippedQty": Decimal(1)},
        {"id": line_ids[2], "ShippedQty": 0},  # not shipped: stays open on the order
    ]
    assert body["Packages"][0] == {"id": "p-empty", "delete": True}
    assert [p.get("TrackingNbr") for p in body["Packages"][1:]] == ["1ZA", "1ZB"]
    assert all(p.get("id") != "p-tracked" for p in body["Packages"])
    # Contents point at each line's own sales order.
    assert body["Packages"][1]["PackageContents"][0]["OrigOrderNbr"] == "000123"


def test_release_hold_and_keys():
    assert payloads.release_hold_body("000045") == {
        "Type": "Shipment",
        "ShipmentNbr": "000045",
        "Hold": False,
    }


# --- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        ("1", "KG", "LB", "2.2046"),
        ("1000", "g", "LB", "2.2046"),
        ("16", "oz", "lbs", "1.0000"),
        ("2.5", "LB", "LB", "2.5000"),
        ("1", "LB", "KG", "0.4536"),
    ],
)
def test_weights_convert_exactly(value, unit, target, expected):
    assert units.convert_weight(Decimal(value), unit, target) == Decimal(expected)


def test_lengths_convert_and_unknown_units_are_refused():
    assert units.convert_length(Decimal("30"), "cm", "IN") == Decimal("11.8110")
    assert units.convert_length(Decimal("1"), "FT", "IN") == Decimal("12.0000")
    with pytest.raises(units.UnknownUnit):
        units.convert_weight(Decimal(1), "stone", "LB")
    with pytest.raises(units.UnknownUnit):
        units.convert_length(Decimal(1), "", "IN")


# --- read-back --------------------------------------------------------------------------------


def test_a_shipment_as_planned_has_no_differences():
    plan = _plan()
    assert differences(plan, _saved(plan), confirmed=False) == []
    assert differences(plan, _saved(plan, status="Confirmed"), confirmed=True) == []


def test_not_confirmed_is_a_difference_after_the_confirmation():
    plan = _plan()
    (found,) = differences(plan, _saved(plan, status="Open"), confirmed=True)
    assert found.path == "Status"


def test_every_kind_of_difference_is_listed_with_its_place():
    plan = _plan()
    record = _saved(plan, ShipVia=_w("LOCAL"))
    record["Details"][0]["ShippedQty"] = _w(2.0)
    record["Details"].append(
        {
            "OrderType": _w("SO"),
            "OrderNbr": _w("000123"),
            "OrderLineNbr": _w(9),
            "ShippedQty": _w(1),
        }
    )
    record["Packages"][0]["Weight"] = _w(9.0)
    record["Packages"][0]["PackageContents"] = []
    record["Packages"][1]["TrackingNbr"] = _w("SOMETHING-ELSE")

    paths = {d.path for d in differences(plan, record, confirmed=False)}

    assert paths == {
        "ShipVia",
        "Details[SO 000123 1].ShippedQty",
        "Details[SO 000123 9].ShippedQty",
        "Packages[1ZA].Weight",
        "Packages[1ZA].PackageContents",
        "Packages[1ZB].TrackingNbr",
    }


def test_a_missing_package_and_a_weight_unit_acumatica_does_not_use():
    plan = _plan()
    record = _saved(plan)
    record["Packages"].pop()
    record["Packages"][0]["UOM"] = _w("KG")
    found = {d.path: d.message for d in differences(plan, record, confirmed=False)}
    assert "1 package(s) in Acumatica, 2 sent" in found["Packages"]
    assert "FULFILLMENT_WRITEBACK_WEIGHT_UOM=KG" in found["Packages[1ZA].UOM"]


def test_shipment_mode_compares_only_this_fulfillments_packages_and_the_lines_it_set():
    plan = _plan(creates_shipment=False)
    record = _saved(plan, status="Confirmed")
    record["Packages"].append(
        {"BoxID": _w("MEDIUM"), "TrackingNbr": _w("SOMEONE-ELSE"), "CustomRefNbr1": {}}
    )
    record["Details"].append({"LineNbr": _w(8), "ShippedQty": _w(5.0)})
    assert differences(plan, record, confirmed=True) == []
    record["Details"][2]["ShippedQty"] = _w(1.0)  # a line it set to 0
    assert [d.path for d in differences(plan, record, confirmed=True)] == ["Details[3].ShippedQty"]


def test_the_reference_is_matched_as_a_whole_word():
    assert carries_reference({"Description": _w(f"3PL fulfillment {REF}")}, REF)
    assert not carries_reference({"Description": _w(f"3PL fulfillment {REF}9")}, REF)
    assert carries_reference({"Description": {}, "Packages": [{"CustomRefNbr1": _w(REF)}]}, REF)


# --- intents ----------------------------------------------------------------------------------


def test_what_each_error_means():
    invalid = ValidationFailed(
        field_errors=[FieldError("Packages[0].BoxID", "'Box ID' cannot be found in the system.")],
        status_code=422,
    )
    outcome = outcome_for_error(invalid)
    assert outcome.kind == FAILED
    assert outcome.fields == [
        {"path": "Packages[0].BoxID", "message": "'Box ID' cannot be found in the system."}
    ]

    throttled = outcome_for_error(RateLimited(status_code=429, retry_after=7))
    assert (throttled.kind, throttled.retry_after) == (RETRY, 7)

    refusal = outcome_for_error(
        ServerError(
            status_code=500,
            exception_type="PX.Data.PXException",
            exception_message="The shipment 000012 cannot be confirmed because it has the "
            "Canceled status.",
        )
    )
    assert refusal.kind == RETRY and refusal.refusal
    busy = outcome_for_error(
        ServerError(
            status_code=500, exception_message="The previous operation has not been completed yet."
        )
    )
    assert busy.kind == RETRY and not busy.refusal
    generic = outcome_for_error(ServerError(status_code=500, exception_message="Operation failed"))
    assert not generic.refusal

    for error in (RequestTimeout(outcome_unknown=True), ActionTimeout(action="ConfirmShipment")):
        assert outcome_for_error(error).kind == RETRY

    for error in (NotLoggedIn(status_code=401), Forbidden(status_code=403, entity="Shipment")):
        outcome = outcome_for_error(error)
        assert outcome.kind == HELD and outcome.needs_attention

"""Every way a PUT is refused over real HTTP: 400 (the body does not bind), 412 (If-Match /
If-None-Match) and 422 (validation, with the errors inside the entity)."""

from __future__ import annotations

import pytest

from .entities_support import (
    count_shipments,
    find_order,
    open_order,
    shipment_for,
    signed_in,
    value,
    wrap,
)


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            {"Packages": [wrap(BoxID="HUGEBOX")]},
            ("Packages", 0, "BoxID"),
            "'Box ID' cannot be found in the system.",
        ),
        (
            {"Packages": [wrap(BoxID="SMALL", TrackingNbr="1" * 61)]},
            ("Packages", 0, "TrackingNbr"),
            "maximum length of 60",
        ),
        ({"Packages": [wrap(BoxID="B" * 16)]}, ("Packages", 0, "BoxID"), "maximum length of 15"),
        (
            {"Packages": [wrap(BoxID="SMALL", CustomRefNbr2="R" * 31)]},
            ("Packages", 0, "CustomRefNbr2"),
            "maximum length of 30",
        ),
        (
            {"Packages": [wrap(BoxID="SMALL", Description="d" * 256)]},
            ("Packages", 0, "Description"),
            "maximum length of 255",
        ),
        (
            {"Packages": [wrap(BoxID="SMALL", Weight=-1)]},
            ("Packages", 0, "Weight"),
            "greater than or equal to 0",
        ),
        ({"ShipVia": {"value": "PIGEON"}}, ("ShipVia",), "'Ship Via' cannot be found"),
        ({"WarehouseID": {"value": "MOON"}}, ("WarehouseID",), "'Warehouse' cannot be found"),
        ({"CustomerID": {"value": "NOBODY"}}, ("CustomerID",), "'Customer' cannot be found"),
        ({"Type": {"value": "Parcel"}}, ("Type",), "not in the list of allowed values"),
    ],
)
def test_invalid_shipments_answer_422_and_save_nothing(sandbox, change, where, message):
    before = count_shipments(sandbox)
    with signed_in(sandbox) as client:
        order, warehouse, _ = open_order(client, sandbox)
        reply = client.put("Shipment", {**shipment_for(order, warehouse), **change})
        assert reply.status_code == 422, reply.text
        body = reply.json()
        assert "record raised at least one error. Please review the errors." in body["error"]
        assert body["error"].startswith("Inserting  '")
        target = body
        for step in where:
            target = target[step]
        assert message in target["error"]
        assert value(body, "ShipmentNbr") == "<NEW>"
    assert count_shipments(sandbox) == before


def test_shipment_lines_from_orders_that_cannot_ship_are_422(sandbox):
    with signed_in(sandbox) as client:
        order, warehouse, lines = open_order(client, sandbox)
        cases = {
            "999999": "'Order Nbr.' cannot be found in the system.",
            find_order(sandbox, status="On Hold")["OrderNbr"]: "has the On Hold status",
            find_order(sandbox, status="Canceled")["OrderNbr"]: "has the Canceled status",
            find_order(sandbox, status="Completed")["OrderNbr"]: "has the Completed status",
        }
        for number, message in cases.items():
            body = shipment_for(order, warehouse)
            body["Details"] = [wrap(OrderType="SO", OrderNbr=number)]
            reply = client.put("Shipment", body, **{"$expand": "Details"})
            assert reply.status_code == 422, number
            assert reply.json()["error"].startswith("Inserting  'Shipment Line' record")
            assert message in reply.json()["Details"][0]["OrderNbr"]["error"]
        body = shipment_for(order, warehouse)
        body["Details"] = [
            wrap(
                OrderType="SO",
                OrderNbr=value(order, "OrderNbr"),
                OrderLineNbr=value(lines[0], "LineNbr"),
                ShippedQty=value(lines[0], "OrderQty") + 1,
            )
        ]
        reply = client.put("Shipment", body, **{"$expand": "Details"})
        assert reply.status_code == 422
        assert "exceeds the open quantity" in reply.json()["Details"][0]["ShippedQty"]["error"]
        body["Details"][0]["OrderLineNbr"] = {"value": 99}
        reply = client.put("Shipment", body, **{"$expand": "Details"})
        assert (
            "'Order Line Nbr.' cannot be found"
            in (reply.json()["Details"][0]["OrderLineNbr"]["error"])
        )


def test_second_shipment_cannot_take_what_the_first_holds(sandbox):
    with signed_in(sandbox) as client:
        order, warehouse, _ = open_order(client, sandbox)
        assert client.put("Shipment", shipment_for(order, warehouse)).status_code == 200
        again = client.put("Shipment", shipment_for(order, warehouse), **{"$expand": "Details"})
        assert again.status_code == 422
        assert "no lines to be shipped from the" in again.json()["Details"][0]["OrderNbr"]["error"]


def test_unknown_order_line_item_on_sales_order_is_422(sandbox):
    with signed_in(sandbox) as client:
        order, _, _ = open_order(client, sandbox)
        reply = client.put(
            "SalesOrder",
            {
                "OrderType": {"value": "SO"},
                "OrderNbr": order["OrderNbr"],
                "Details": [wrap(InventoryID="NOSUCHITEM", OrderQty=1, WarehouseID="RETAIL")],
            },
            **{"$expand": "Details"},
        )
        assert reply.status_code == 422
        assert reply.json()["error"].startswith("Inserting  'Sales Order Line' record")
        new_line = reply.json()["Details"][-1]
        assert new_line["InventoryID"] == {
            "value": "NOSUCHITEM",
            "error": "'Inventory ID' cannot be found in the system.",
        }
        reply = client.put(
            "SalesOrder",
            {
                "OrderType": {"value": "SO"},
                "OrderNbr": order["OrderNbr"],
                "Details": [wrap(InventoryID="AALEGO500", OrderQty=1, WarehouseID="MOON")],
            },
            **{"$expand": "Details"},
        )
        assert "'Warehouse' cannot be found" in reply.json()["Details"][-1]["WarehouseID"]["error"]


def test_package_contents_are_written_or_ignored_by_configuration(sandbox_factory):
    for exposed in (True, False):
        server = sandbox_factory(package_contents_exposed=exposed)
        with signed_in(server) as client:
            order, warehouse, lines = open_order(client, server)
            item = value(lines[0], "InventoryID")
            package = {
                **wrap(BoxID="LARGE", Weight=15),
                "PackageContents": [
                    wrap(
                        InventoryID=item,
                        Quantity=1,
                        UOM="EA",
                        OrigOrderType="SO",
                        OrigOrderNbr=value(order, "OrderNbr"),
                    )
                ],
            }
            reply = client.put(
                "Shipment",
                shipment_for(order, warehouse, Packages=[package]),
                **{"$expand": "Packages,Packages/PackageContents"},
            )
            assert reply.status_code == 200, reply.text
            [written] = reply.json()["Packages"]
            if exposed:
                assert value(written["PackageContents"][0], "InventoryID") == item
            else:
                assert "PackageContents" not in written
            wrong = {**wrap(BoxID="LARGE"), "PackageContents": [wrap(InventoryID="NOTSHIPPED")]}
            reply = client.put("Shipment", shipment_for(order, warehouse, Packages=[wrong]))
            # Not exposed: the unknown field is ignored, the PUT creates nothing (all shipped).
            assert reply.status_code == 422


def test_unwrapped_and_mistyped_values_are_400(sandbox):
    before = count_shipments(sandbox)
    with signed_in(sandbox) as client:
        reply = client.put("Shipment", {"ShipmentNbr": "000001", "Hold": {"value": False}})
        assert reply.status_code == 400
        body = reply.json()
        assert body["message"] == "The data specified in the request is invalid."
        assert "entity.ShipmentNbr" in body["modelState"]
        nested = client.put(
            "Shipment",
            {"ShipmentNbr": {"value": "000001"}, "Packages": [{"TrackingNbr": "1Z"}]},
        )
        assert nested.status_code == 400
        assert "entity.Packages[0].TrackingNbr" in nested.json()["modelState"]
        typed = client.put(
            "Shipment",
            {"ShipmentNbr": {"value": "000001"}, "Packages": [{"Weight": {"value": "heavy"}}]},
        )
        assert typed.status_code == 400
        assert client.put("Shipment", ["not", "an", "object"]).status_code == 400
    assert count_shipments(sandbox) == before


def test_if_none_match_and_if_match_preconditions(sandbox):
    with signed_in(sandbox) as client:
        existing = client.put(
            "Shipment", {"ShipmentNbr": {"value": "000001"}}, headers={"If-None-Match": "*"}
        )
        assert existing.status_code == 412
        order, warehouse, _ = open_order(client, sandbox)
        missing = client.put("Shipment", shipment_for(order, warehouse), headers={"If-Match": "*"})
        assert missing.status_code == 412
        assert (
            client.put(
                "Shipment", shipment_for(order, warehouse), headers={"If-None-Match": "*"}
            ).status_code
            == 200
        )
        unknown = client.put("Shipment", {"id": "00000000-0000-4000-8000-000000000001"})
        assert unknown.status_code == 500

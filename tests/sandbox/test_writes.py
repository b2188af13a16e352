"""PUT over real HTTP: creating shipments with packages and tracking, updating lines and
packages, and every way Acumatica refuses a write (400, 412, 422)."""

from __future__ import annotations

import pytest

from .entities_support import data_control, find_order, signed_in, value

W = {"value": "Shipment"}


def wrap(**fields) -> dict:
    return {name: {"value": v} for name, v in fields.items()}


def open_order(client, server) -> tuple[dict, str, list[dict]]:
    """An Open SO order, one of its warehouses, and its lines in that warehouse."""
    summary = find_order(server, status="Open", type="SO")
    order = client.get(f"SalesOrder/SO/{summary['OrderNbr']}", **{"$expand": "Details"}).json()
    warehouse = value(order["Details"][0], "WarehouseID")
    lines = [d for d in order["Details"] if value(d, "WarehouseID") == warehouse]
    return order, warehouse, lines


def shipment_for(order: dict, warehouse: str, **extra) -> dict:
    return {
        "Type": W,
        "CustomerID": order["CustomerID"],
        "WarehouseID": {"value": warehouse},
        "ShipmentDate": {"value": "2025-02-03"},
        "Details": [wrap(OrderType="SO", OrderNbr=value(order, "OrderNbr"))],
        **extra,
    }


def count_shipments(server) -> int:
    return data_control(server, "GET", "summary").json()["counts"]["Shipment"]


def test_create_shipment_from_order_with_packages_and_tracking(sandbox):
    with signed_in(sandbox) as client:
        order, warehouse, lines = open_order(client, sandbox)
        body = shipment_for(
            order,
            warehouse,
            Packages=[
                wrap(
                    BoxID="MEDIUM",
                    Weight=4.25,
                    TrackingNbr="1Z999AA10123456784",
                    CustomRefNbr1="REF-1",
                    Description="Box 1 of 2",
                ),
                wrap(BoxID="small", Weight=1, Length=7, Width=5, Height=3),
            ],
        )
        reply = client.put("Shipment", body, **{"$expand": "Details,Packages,Orders"})
        assert reply.status_code == 200, reply.text
        shipment = reply.json()
        assert value(shipment, "ShipmentNbr").isdigit()
        assert value(shipment, "Status") == "On Hold" and value(shipment, "Hold") is True
        assert value(shipment, "CustomerID") == value(order, "CustomerID")
        assert [value(d, "OrderLineNbr") for d in shipment["Details"]] == [
            value(line, "LineNbr") for line in lines
        ]
        assert [value(d, "ShippedQty") for d in shipment["Details"]] == [
            value(line, "OrderQty") for line in lines
        ]
        first, second = shipment["Packages"]
        assert value(first, "TrackingNbr") == "1Z999AA10123456784"
        assert value(first, "CustomRefNbr1") == "REF-1" and value(first, "Weight") == 4.25
        assert value(first, "Length") == 16.0  # the box's dimensions
        assert value(second, "BoxID") == "SMALL" and value(second, "Length") == 7.0
        assert value(first, "UOM") == "LB"  # the weight UOM is the company's, read-only
        assert value(shipment, "PackageCount") == 2 and value(shipment, "PackageWeight") == 5.25
        assert [value(o, "OrderNbr") for o in shipment["Orders"]] == [value(order, "OrderNbr")]
        after = client.get(
            f"SalesOrder/SO/{value(order, 'OrderNbr')}", **{"$expand": "Details,Shipments"}
        ).json()
        assert value(after, "Status") == "Shipping"
        assert value(after, "LastModified") > value(order, "LastModified")
        assert [value(s, "ShipmentNbr") for s in after["Shipments"]] == [
            value(shipment, "ShipmentNbr")
        ]
        for line in after["Details"]:
            shipped = value(line, "WarehouseID") == warehouse
            assert value(line, "QtyOnShipments") == (value(line, "OrderQty") if shipped else 0)
            assert value(line, "OpenQty") == value(line, "OrderQty")  # nothing confirmed yet


def test_new_shipments_are_open_without_hold_on_entry_and_hold_false_opens(sandbox_factory):
    server = sandbox_factory(hold_shipments_on_entry=False)
    with signed_in(server) as client:
        order, warehouse, _ = open_order(client, server)
        reply = client.put("Shipment", shipment_for(order, warehouse))
        assert value(reply.json(), "Status") == "Open" and value(reply.json(), "Hold") is False
    with signed_in(server) as client:
        held = client.put(
            "Shipment", {"ShipmentNbr": reply.json()["ShipmentNbr"], "Hold": {"value": True}}
        )
        assert value(held.json(), "Status") == "On Hold"
        released = client.put("Shipment", {"id": reply.json()["id"], "Hold": {"value": False}})
        assert value(released.json(), "Status") == "Open"


def test_add_package_then_write_its_tracking_number_by_id(sandbox):
    with signed_in(sandbox) as client:
        order, warehouse, _ = open_order(client, sandbox)
        created = client.put("Shipment", shipment_for(order, warehouse)).json()
        number = value(created, "ShipmentNbr")
        added = client.put(
            "Shipment",
            {"ShipmentNbr": {"value": number}, "Type": W, "Packages": [wrap(BoxID="SMALL")]},
            **{"$expand": "Packages"},
        )
        assert added.status_code == 200
        [package] = added.json()["Packages"]
        written = client.put(
            "Shipment",
            {
                "id": created["id"],
                "Packages": [{"id": package["id"], "TrackingNbr": {"value": "398305336619"}}],
            },
            **{"$expand": "Packages", "$select": "Packages/TrackingNbr"},
        )
        assert written.status_code == 200
        assert set(written.json()) == {"id", "rowNumber", "note", "Packages", "custom", "_links"}
        assert [value(p, "TrackingNbr") for p in written.json()["Packages"]] == ["398305336619"]
        read = client.get(f"Shipment/{number}", **{"$expand": "Packages"}).json()
        assert value(read["Packages"][0], "TrackingNbr") == "398305336619"
        assert value(read, "LastModifiedDateTime") > value(created, "LastModifiedDateTime")
        # The same PUT again changes nothing, so nothing is saved.
        again = client.put(
            "Shipment",
            {
                "id": created["id"],
                "Packages": [{"id": package["id"], "TrackingNbr": {"value": "398305336619"}}],
            },
        )
        assert value(again.json(), "LastModifiedDateTime") == value(read, "LastModifiedDateTime")
        # Delete the package.
        gone = client.put(
            "Shipment",
            {"id": created["id"], "Packages": [{"id": package["id"], "delete": True}]},
            **{"$expand": "Packages"},
        )
        assert gone.json()["Packages"] == []
    # Detail ids are session-scoped: the package id of the old session no longer resolves.
    with signed_in(sandbox) as client:
        stale = client.put(
            "Shipment",
            {"id": created["id"], "Packages": [{"id": package["id"], "Weight": {"value": 1}}]},
        )
        assert stale.status_code == 500
        assert stale.json()["exceptionMessage"] == "No entity satisfies the condition."


def test_shipment_lines_by_order_line_with_allocations(sandbox_factory):
    server = sandbox_factory(orders=120)
    with signed_in(server) as client:
        order, warehouse, lines = open_order(client, server)
        line = next(ln for ln in lines if value(ln, "OrderQty") >= 2)
        body = shipment_for(order, warehouse)
        body["Details"] = [
            {
                **wrap(
                    OrderType="SO",
                    OrderNbr=value(order, "OrderNbr"),
                    OrderLineNbr=value(line, "LineNbr"),
                ),
                "Allocations": [wrap(InventoryID=value(line, "InventoryID"), Qty=1)],
            }
        ]
        reply = client.put("Shipment", body, **{"$expand": "Details,Details/Allocations"})
        assert reply.status_code == 200, reply.text
        [detail] = reply.json()["Details"]
        assert value(detail, "ShippedQty") == 1
        assert [value(a, "Qty") for a in detail["Allocations"]] == [1]
        after = client.get(f"SalesOrder/SO/{value(order, 'OrderNbr')}", **{"$expand": "Details"})
        shipped = next(
            ln for ln in after.json()["Details"] if value(ln, "LineNbr") == value(line, "LineNbr")
        )
        assert value(shipped, "QtyOnShipments") == 1


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


def test_confirmed_shipments_ignore_changes(sandbox):
    confirmed = data_control(sandbox, "GET", "shipments?status=Confirmed").json()[0]
    with signed_in(sandbox) as client:
        before = client.get(f"Shipment/{confirmed['ShipmentNbr']}", **{"$expand": "Packages"})
        reply = client.put(
            "Shipment",
            {
                "ShipmentNbr": {"value": confirmed["ShipmentNbr"]},
                "Description": {"value": "changed"},
                "Packages": [wrap(BoxID="SMALL")],
            },
            **{"$expand": "Packages"},
        )
        assert reply.status_code == 200
        assert reply.json() == before.json()


def test_sales_order_lines_update_delete_hold_and_last_modified(sandbox):
    with signed_in(sandbox) as client:
        order, _, _ = open_order(client, sandbox)
        number = value(order, "OrderNbr")
        created = client.put(
            "SalesOrder",
            {
                "OrderType": {"value": "SO"},
                "OrderNbr": {"value": number},
                "Details": [wrap(InventoryID="CONGRILL", OrderQty=2, WarehouseID="WHOLESALE")],
            },
            **{"$expand": "Details"},
        ).json()
        grill = created["Details"][-1]
        assert value(grill, "LineDescription") == "Contact grill"
        assert value(grill, "UnitPrice") == 119.0
        assert value(created, "LastModified") > value(order, "LastModified")
        first = created["Details"][0]
        reply = client.put(
            "SalesOrder",
            {
                "OrderType": {"value": "SO"},
                "OrderNbr": {"value": number},
                "Hold": {"value": True},
                "Details": [
                    {"id": grill["id"], "delete": True},
                    {"id": first["id"], "OrderQty": {"value": 5.0}},
                ],
            },
            **{
                "$select": "OrderType,OrderNbr,Status,OrderedQty,Details/OrderQty,"
                "Details/InventoryID",
                "$expand": "Details",
            },
        )
        assert reply.status_code == 200
        body = reply.json()
        assert value(body, "Status") == "On Hold"
        assert "CurrencyID" not in body
        assert [value(d, "InventoryID") for d in body["Details"]] == [
            value(d, "InventoryID") for d in order["Details"]
        ]
        assert value(body["Details"][0], "OrderQty") == 5.0
        stored = client.get(f"SalesOrder/SO/{number}").json()
        unchanged = client.put(
            "SalesOrder",
            {"OrderType": {"value": "SO"}, "OrderNbr": {"value": number}, "Hold": {"value": True}},
        ).json()
        assert value(unchanged, "LastModified") == value(stored, "LastModified")
        released = client.put("SalesOrder", {"id": order["id"], "Hold": {"value": False}}).json()
        assert value(released, "Status") == "Open"


def test_create_sales_order_and_delete_records(sandbox):
    with signed_in(sandbox) as client:
        created = client.put(
            "SalesOrder",
            {
                "OrderType": {"value": "SO"},
                "CustomerID": {"value": "ZENWELL"},
                "Details": [wrap(InventoryID="MUG-CERAMIC", OrderQty=3)],
            },
            **{"$expand": "Details,ShipToAddress"},
        )
        assert created.status_code == 200, created.text
        order = created.json()
        assert value(order, "Status") == "Open" and value(order, "OrderNbr").isdigit()
        assert value(order["ShipToAddress"], "City") == "Austin"
        assert value(order["Details"][0], "WarehouseID") == "RETAIL"
        warehouse = "RETAIL"
        shipment = client.put("Shipment", shipment_for(order, warehouse)).json()
        assert client.delete(f"SalesOrder/{order['id']}").status_code == 500
        assert client.delete(f"Shipment/{value(shipment, 'ShipmentNbr')}").status_code == 204
        assert value(client.get(f"SalesOrder/{order['id']}").json(), "Status") == "Open"
        assert client.delete(f"SalesOrder/SO/{value(order, 'OrderNbr')}").status_code == 204
        assert client.get(f"SalesOrder/{order['id']}").status_code == 500
        confirmed = data_control(sandbox, "GET", "shipments?status=Confirmed").json()[0]
        refused = client.delete(f"Shipment/{confirmed['ShipmentNbr']}")
        assert refused.status_code == 500 and "Confirmed status" in refused.text

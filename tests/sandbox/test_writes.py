"""PUT over real HTTP: creating shipments with packages and tracking, updating lines and
packages, editing and deleting records. The refusals (400, 412, 422) are in
test_entities_write_errors.py."""

from __future__ import annotations

from .entities_support import (
    W,
    data_control,
    open_order,
    shipment_for,
    signed_in,
    value,
    wrap,
)


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


def test_shipment_ship_to_comes_from_the_order_unless_overridden(sandbox):
    with signed_in(sandbox) as client:
        order, warehouse, _ = open_order(client, sandbox)
        ship_to = client.get(
            f"SalesOrder/SO/{value(order, 'OrderNbr')}", **{"$expand": "ShipToAddress"}
        ).json()["ShipToAddress"]
        body = shipment_for(
            order,
            warehouse,
            ShippingSettings={"ShipToAddress": wrap(AddressLine2="Dock 4")},
        )
        reply = client.put(
            "Shipment", body, **{"$expand": "ShippingSettings,ShippingSettings/ShipToAddress"}
        )
        assert reply.status_code == 200, reply.text
        settings = reply.json()["ShippingSettings"]
        assert value(settings, "ShipToAddressOverride") is True
        assert value(settings["ShipToAddress"], "AddressLine2") == "Dock 4"
        assert value(settings["ShipToAddress"], "City") == value(ship_to, "City")
        assert value(reply.json(), "ShipVia") == value(order, "ShipVia")

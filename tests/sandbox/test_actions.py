"""Long-running actions over real HTTP: 202 + Location, polling in the same session, effects
applied on completion, and the ways an action is refused or fails."""

from __future__ import annotations

from .entities_support import data_control, find_order, signed_in, value, wrap

EP = "/AcumaticaERP/entity/Default/24.200.001/"


def multi_warehouse_open_order(server) -> dict:
    orders = data_control(server, "GET", "orders?status=Open&type=SO").json()
    return next(o for o in orders if len(o["warehouses"]) > 1)


def create_shipment(client, order_nbr: str, warehouse: str, **extra) -> dict:
    order = client.get(f"SalesOrder/SO/{order_nbr}").json()
    body = {
        "Type": {"value": "Shipment"},
        "CustomerID": order["CustomerID"],
        "WarehouseID": {"value": warehouse},
        "Details": [wrap(OrderType="SO", OrderNbr=order_nbr)],
        "Packages": [wrap(BoxID="MEDIUM", Weight=2, TrackingNbr="1ZTRACK")],
        **extra,
    }
    reply = client.put("Shipment", body, **{"$expand": "Details"})
    assert reply.status_code == 200, reply.text
    return reply.json()


def invoke(client, entity: str, action: str, body: dict):
    return client.post(f"{entity}/{action}", body)


def test_create_shipment_action_runs_then_completes(sandbox_factory):
    server = sandbox_factory(action_duration=0.4)
    order = find_order(server, status="Open", type="SO")
    with signed_in(server) as client, signed_in(server) as other:
        order_id = client.get(f"SalesOrder/SO/{order['OrderNbr']}").json()["id"]
        reply = invoke(
            client,
            "SalesOrder",
            "SalesOrderCreateShipment",
            {
                "entity": {"id": order_id},
                "parameters": {
                    "ShipmentDate": {"value": "2025-08-20T00:00:00+03:00"},
                    "WarehouseID": {"value": order["warehouses"][0]},
                },
            },
        )
        assert reply.status_code == 202, reply.text
        location = reply.headers["Location"]
        assert location.startswith(f"{EP}SalesOrder/SalesOrderCreateShipment/status/")
        assert client.get(location).status_code == 202
        # Only the status request works on the busy form in this session.
        busy = client.get(f"SalesOrder/{order_id}")
        assert busy.status_code == 500
        assert busy.json()["exceptionMessage"] == (
            "The previous operation has not been completed yet."
        )
        assert client.get("Shipment/000001").status_code == 200  # another form is free
        assert other.get(f"SalesOrder/{order_id}").status_code == 200  # another session too
        # The status URL means nothing in another session ("completed or was not created").
        assert other.get(location).status_code == 204
        assert value(other.get(f"SalesOrder/{order_id}").json(), "Status") == "Open"
        done = client.wait(location)
        assert done.status_code == 204
        assert done.headers["Location"] == f"{EP}SalesOrder/{order_id}"
        after = client.get(f"SalesOrder/{order_id}", **{"$expand": "Shipments"}).json()
        assert value(after, "Status") == "Shipping"
        [row] = after["Shipments"]
        shipment = client.get(f"Shipment/{value(row, 'ShipmentNbr')}").json()
        assert value(shipment, "Status") == "On Hold"
        assert value(shipment, "WarehouseID") == order["warehouses"][0]
        assert value(shipment, "ShipmentDate") == "2025-08-19T21:00:00+00:00"


def test_confirm_shipment_completes_or_back_orders_the_order(sandbox_factory):
    server = sandbox_factory(orders=120, action_duration=0.05)
    order = multi_warehouse_open_order(server)
    with signed_in(server) as client:
        shipment = create_shipment(client, order["OrderNbr"], order["warehouses"][0])
        number = value(shipment, "ShipmentNbr")
        refused = invoke(client, "Shipment", "ConfirmShipment", {"entity": {"id": shipment["id"]}})
        assert refused.status_code == 500
        assert "has the On Hold status" in refused.json()["exceptionMessage"]
        client.put("Shipment", {"ShipmentNbr": {"value": number}, "Hold": {"value": False}})
        reply = invoke(
            client,
            "Shipment",
            "ConfirmShipment",
            {"entity": {"Type": {"value": "Shipment"}, "ShipmentNbr": {"value": number}}},
        )
        assert reply.status_code == 202
        assert client.wait(reply.headers["Location"]).status_code == 204
        confirmed = client.get(f"Shipment/{number}", **{"$expand": "Packages"}).json()
        assert value(confirmed, "Status") == "Confirmed"
        assert value(confirmed["Packages"][0], "Confirmed") is True
        after = client.get(f"SalesOrder/SO/{order['OrderNbr']}", **{"$expand": "Details"}).json()
        assert value(after, "Status") == "Back Order"  # lines in another warehouse remain
        for line in after["Details"]:
            shipped = value(line, "WarehouseID") == order["warehouses"][0]
            assert value(line, "OpenQty") == (0 if shipped else value(line, "OrderQty"))
            assert value(line, "Completed") is shipped
        # Correct the shipment: Confirmed -> Open, the order is shipping again.
        correct = invoke(
            client, "Shipment", "CorrectShipment", {"entity": {"ShipmentNbr": {"value": number}}}
        )
        assert client.wait(correct.headers["Location"]).status_code == 204
        assert value(client.get(f"Shipment/{number}").json(), "Status") == "Open"
        reopened = client.get(f"SalesOrder/SO/{order['OrderNbr']}", **{"$expand": "Details"})
        assert value(reopened.json(), "Status") == "Shipping"
        assert all(
            value(ln, "OpenQty") == value(ln, "OrderQty") for ln in reopened.json()["Details"]
        )
        # Ship the other warehouse too and confirm both: the order is completed.
        second = create_shipment(
            client, order["OrderNbr"], order["warehouses"][1], Hold={"value": False}
        )
        for nbr in (number, value(second, "ShipmentNbr")):
            reply = invoke(
                client, "Shipment", "ConfirmShipment", {"entity": {"ShipmentNbr": {"value": nbr}}}
            )
            assert client.wait(reply.headers["Location"]).status_code == 204
        final = client.get(f"SalesOrder/SO/{order['OrderNbr']}").json()
        assert value(final, "Status") == "Completed"


def test_failing_operations_report_500_on_the_status_url(sandbox_factory):
    server = sandbox_factory(action_duration=0.05)
    order = find_order(server, status="Open", type="SO")
    other_warehouse = next(
        w for w in ("WHOLESALE", "RETAIL", "EAST") if w not in order["warehouses"]
    )
    with signed_in(server) as client:
        reply = invoke(
            client,
            "SalesOrder",
            "SalesOrderCreateShipment",
            {
                "entity": wrap(OrderType="SO", OrderNbr=order["OrderNbr"]),
                "parameters": {"WarehouseID": {"value": other_warehouse}},
            },
        )
        assert reply.status_code == 202
        failed = client.wait(reply.headers["Location"])
        assert failed.status_code == 500
        assert "no lines to be shipped" in failed.json()["exceptionMessage"]
        assert failed.json()["exceptionType"] == "PX.Data.PXException"
        summary = client.get(f"SalesOrder/SO/{order['OrderNbr']}").json()
        assert value(summary, "Status") == "Open"
        # A shipment that ships nothing cannot be confirmed either.
        shipment = create_shipment(
            client, order["OrderNbr"], order["warehouses"][0], Hold={"value": False}
        )
        lines = [{"id": d["id"], "ShippedQty": {"value": 0}} for d in shipment["Details"]]
        client.put("Shipment", {"id": shipment["id"], "Details": lines})
        reply = invoke(client, "Shipment", "ConfirmShipment", {"entity": {"id": shipment["id"]}})
        failed = client.wait(reply.headers["Location"])
        assert failed.status_code == 500
        assert "no quantity is shipped" in failed.json()["exceptionMessage"]
        assert value(client.get(f"Shipment/{shipment['id']}").json(), "Status") == "Open"


def test_cancel_sales_order(sandbox_factory):
    server = sandbox_factory(action_duration=0)
    order = find_order(server, status="Open", type="SO")
    shipping = find_order(server, status="Shipping")
    completed = find_order(server, status="Completed")
    with signed_in(server) as client:
        done = invoke(
            client,
            "SalesOrder",
            "CancelSalesOrder",
            {"entity": wrap(OrderType="SO", OrderNbr=order["OrderNbr"])},
        )
        assert done.status_code == 204  # action_duration 0: completed at once
        canceled = client.get(f"SalesOrder/SO/{order['OrderNbr']}", **{"$expand": "Details"})
        assert value(canceled.json(), "Status") == "Canceled"
        assert all(value(ln, "OpenQty") == 0 for ln in canceled.json()["Details"])
        for refused, reason in (
            (shipping, "has the Shipping status"),
            (completed, "has the Completed status"),
        ):
            reply = invoke(
                client,
                "SalesOrder",
                "CancelSalesOrder",
                {"entity": wrap(OrderType="SO", OrderNbr=refused["OrderNbr"])},
            )
            assert reply.status_code == 500 and reason in reply.json()["exceptionMessage"]


def test_refused_invocations(sandbox):
    with signed_in(sandbox) as client:
        assert invoke(client, "Shipment", "RemoveHold", {"entity": {}}).status_code == 404
        missing = invoke(
            client, "Shipment", "ConfirmShipment", {"entity": {"ShipmentNbr": {"value": "999999"}}}
        )
        assert missing.status_code == 500
        assert missing.json()["exceptionType"].endswith("NoEntitySatisfiesTheConditionException")
        unwrapped = invoke(
            client, "Shipment", "ConfirmShipment", {"entity": {"ShipmentNbr": "000001"}}
        )
        assert unwrapped.status_code == 400
        no_entity = invoke(client, "Shipment", "ConfirmShipment", {"parameters": {}})
        assert no_entity.status_code == 400
        bad_parameter = invoke(
            client,
            "SalesOrder",
            "SalesOrderCreateShipment",
            {
                "entity": wrap(OrderType="SO", OrderNbr="000001"),
                "parameters": {"WarehouseID": "RETAIL"},
            },
        )
        assert bad_parameter.status_code == 400
        confirmed = data_control(sandbox, "GET", "shipments?status=Confirmed").json()[0]
        again = invoke(
            client,
            "Shipment",
            "ConfirmShipment",
            {"entity": {"ShipmentNbr": {"value": confirmed["ShipmentNbr"]}}},
        )
        assert again.status_code == 500 and "Confirmed status" in again.text
        unknown_status = client.get(
            "Shipment/ConfirmShipment/status/00000000-0000-4000-8000-000000000000"
        )
        assert unknown_status.status_code == 204

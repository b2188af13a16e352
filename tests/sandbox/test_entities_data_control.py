"""The data control endpoint (/_sandbox/data/...): changing records behind the client's back."""

from __future__ import annotations

import time

from .entities_support import data_control, find_order, signed_in, value


def test_summary_lookups_and_reseeding_ten_thousand_orders(sandbox):
    summary = data_control(sandbox, "GET", "summary").json()
    assert summary["counts"]["SalesOrder"] == 40
    assert sum(summary["ordersByStatus"].values()) == 40
    lookups = data_control(sandbox, "GET", "lookups").json()
    assert "SMALL" in lookups["boxes"] and "UPSGROUND" in lookups["shipVias"]
    reseeded = data_control(sandbox, "POST", "seed", {"orders": 10_000, "seed": 3, "lines": 2})
    assert reseeded.status_code == 200
    assert reseeded.json()["counts"]["SalesOrder"] == 10_000
    orders = data_control(sandbox, "GET", "orders?limit=50").json()
    assert len(orders) == 50 and all(1 <= o["lines"] <= 2 for o in orders)
    assert data_control(sandbox, "POST", "seed", {"orders": -1}).status_code == 400


def test_create_edit_and_cancel_an_order(sandbox):
    created = data_control(
        sandbox,
        "POST",
        "orders",
        {
            "customer": "PEAKSPORTS",
            "shipVia": "FEDEX2DAY",
            "customerOrder": "PO-77",
            "lines": [
                {"inventory": "TENT-2P", "qty": 2, "warehouse": "WHOLESALE"},
                {"inventory": "YOGAMAT-6MM", "qty": 1, "warehouse": "EAST"},
            ],
        },
    )
    assert created.status_code == 201, created.text
    order = created.json()
    number = value(order, "OrderNbr")
    assert value(order, "Status") == "Open" and value(order, "ShipVia") == "FEDEX2DAY"
    assert [value(d, "WarehouseID") for d in order["Details"]] == ["WHOLESALE", "EAST"]
    with signed_in(sandbox) as client:
        seen = client.get(f"SalesOrder/SO/{number}").json()
        assert value(seen, "CustomerOrder") == "PO-77"
    time.sleep(0.01)
    edited = data_control(
        sandbox,
        "PATCH",
        f"orders/SO/{number}",
        {
            "hold": True,
            "shipTo": {"City": "Boulder"},
            "lines": [{"lineNbr": 1, "qty": 5}, {"lineNbr": 2, "delete": True}],
        },
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert value(body, "Status") == "On Hold"
    assert value(body["ShipToAddress"], "City") == "Boulder"
    assert value(body, "ShipToAddressOverride") is True
    assert [value(d, "OrderQty") for d in body["Details"]] == [5.0]
    assert value(body, "LastModified") > value(order, "LastModified")
    refused = data_control(sandbox, "PATCH", f"orders/SO/{number}", {"shipVia": "PIGEON"})
    assert refused.status_code == 422
    assert refused.json()["ShipVia"]["error"] == "'Ship Via' cannot be found in the system."
    canceled = data_control(sandbox, "POST", f"orders/SO/{number}/cancel")
    assert value(canceled.json(), "Status") == "Canceled"
    shipping = find_order(sandbox, status="Shipping")
    assert (
        data_control(sandbox, "POST", f"orders/SO/{shipping['OrderNbr']}/cancel").status_code == 409
    )
    forced = data_control(
        sandbox, "POST", f"orders/SO/{shipping['OrderNbr']}/cancel", {"force": True}
    )
    assert value(forced.json(), "Status") == "Canceled"


def test_status_and_last_modified_can_be_set_for_tie_tests(sandbox):
    first, second = data_control(sandbox, "GET", "orders?status=Open&type=SO").json()[:2]
    stamp = "2025-03-01T10:00:00.5+00:00"
    for order in (first, second):
        reply = data_control(
            sandbox, "POST", f"orders/SO/{order['OrderNbr']}/last-modified", {"value": stamp}
        )
        assert value(reply.json(), "LastModified") == stamp
    with signed_in(sandbox) as client:
        tied = client.get(
            "SalesOrder", **{"$filter": f"LastModified eq datetimeoffset'{stamp}'"}
        ).json()
        assert sorted(value(o, "OrderNbr") for o in tied) == sorted(
            [first["OrderNbr"], second["OrderNbr"]]
        )
    held = data_control(
        sandbox, "PATCH", f"orders/SO/{first['OrderNbr']}", {"status": "Credit Hold"}
    )
    assert value(held.json(), "Status") == "Credit Hold"
    shipment = data_control(sandbox, "GET", "shipments").json()[0]
    moved = data_control(
        sandbox,
        "POST",
        f"records/Shipment/{shipment['ShipmentNbr']}/last-modified",
        {"value": "2025-03-02T00:00:00Z"},
    )
    assert value(moved.json(), "LastModifiedDateTime") == "2025-03-02T00:00:00+00:00"
    assert (
        data_control(sandbox, "POST", "records/Shipment/000001/last-modified", {}).status_code
        == 400
    )


def test_inspect_shipments_records_and_unknown_routes(sandbox):
    shipments = data_control(sandbox, "GET", "shipments").json()
    assert shipments and all("packages" in s and "orders" in s for s in shipments)
    assert any(p["TrackingNbr"] for s in shipments for p in s["packages"])
    full = data_control(sandbox, "GET", f"shipments/{shipments[0]['ShipmentNbr']}").json()
    assert full["Packages"] and full["Details"][0]["Allocations"]
    item = data_control(sandbox, "GET", "records/StockItem/AALEGO500").json()
    assert value(item, "Description") == "Building bricks set 500 pieces"
    order = data_control(sandbox, "GET", "orders/SO/000001").json()
    assert order["Details"] and order["ShippingSettings"]
    assert data_control(sandbox, "GET", "orders/SO/999999").status_code == 404
    assert data_control(sandbox, "GET", "nothing-here").status_code == 404
    assert data_control(sandbox, "GET", "operations").json() == []

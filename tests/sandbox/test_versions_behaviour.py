"""What each endpoint version serves over HTTP: Contract Version 5's names, drop-down wrappers
and OData 4.01 syntax on 26.200.001, and 20.200.001's smaller field surface (a field a version
lacks is not returned, cannot be filtered on, and is not saved when sent)."""

from __future__ import annotations

import pytest

from .entities_support import (
    data_control,
    find_order,
    open_order,
    signed_in,
    value,
    wrap,
)

V26 = "26.200.001"
V20 = "20.200.001"


@pytest.fixture
def v26(sandbox_factory):
    return sandbox_factory(endpoint_versions=[V26, "24.200.001"], orders=30)


def test_26_renames_last_modified_and_wraps_drop_downs(v26):
    summary = find_order(v26, status="Open", type="SO")
    with signed_in(v26, V26) as client:
        order = client.get(f"SalesOrder/SO/{summary['OrderNbr']}").json()
    assert "LastModified" not in order
    assert order["LastModifiedDateTime"]["value"][:2] == "20"
    assert order["Status"] == {"value": {"ID": "N", "Description": "Open"}}
    assert order["OrderType"] == {"value": {"ID": "SO", "Description": "Sales Order"}}
    with signed_in(v26, "24.200.001") as client:
        same = client.get(f"SalesOrder/SO/{summary['OrderNbr']}").json()
    assert same["Status"] == {"value": "Open"}
    assert same["LastModified"] == order["LastModifiedDateTime"]


def test_26_filters_by_id_with_bare_datetimes_and_contains(v26):
    with signed_in(v26, V26) as client:
        by_id = client.get("SalesOrder", **{"$filter": "Status eq 'N'", "$select": "OrderNbr"})
        by_label = client.get("SalesOrder", **{"$filter": "Status eq 'Open'"})
        since = client.get(
            "SalesOrder",
            **{"$filter": "LastModifiedDateTime gt 2020-01-01T00:00:00.000+00:00", "$top": 3},
        )
        contains = client.get("Shipment", **{"$filter": "contains(ShipmentNbr,'00')", "$top": 2})
        old_literal = client.get(
            "SalesOrder", **{"$filter": "LastModifiedDateTime gt datetimeoffset'2025-01-01'"}
        )
        old_name = client.get("SalesOrder", **{"$filter": "LastModified gt 2025-01-01T00:00:00Z"})
        substringof = client.get("Shipment", **{"$filter": "substringof('00',ShipmentNbr)"})
    opened = data_control(v26, "GET", "summary").json()["ordersByStatus"]["Open"]
    assert by_id.status_code == 200 and len(by_id.json()) == opened
    assert by_label.status_code == 200 and by_label.json() == []
    assert since.status_code == 200 and len(since.json()) == 3
    assert contains.status_code == 200 and contains.json()
    for refused in (old_literal, old_name, substringof):
        assert refused.status_code == 500
        assert refused.json()["exceptionType"] == "Microsoft.Data.OData.ODataException"


def test_26_nests_expand_and_refuses_slash_paths(v26):
    summary = find_order(v26, status="Open", type="SO")
    path = f"SalesOrder/SO/{summary['OrderNbr']}"
    with signed_in(v26, V26) as client:
        nested = client.get(
            path, **{"$expand": "Details($select=LineNbr,InventoryID),ShipToAddress"}
        ).json()
        slash = client.get(path, **{"$expand": "Details", "$select": "Details/LineNbr"})
        selected = client.get(path, **{"$select": "OrderNbr", "$expand": "Details"}).json()
    assert set(nested["Details"][0]) >= {"LineNbr", "InventoryID"}
    assert "OrderQty" not in nested["Details"][0]
    assert "City" in nested["ShipToAddress"] and "Status" in nested
    assert slash.status_code == 500
    assert "Details($expand=LineNbr)" in slash.json()["exceptionMessage"]
    # OData 4: an expanded entity comes back whatever the parent's $select.
    assert "Status" not in selected and selected["Details"]


def test_26_writes_drop_downs_by_id_and_refuses_a_bare_label(v26):
    with signed_in(v26, V26) as client:
        order, warehouse, _ = open_order(client, v26)
        body = {
            "Type": {"value": {"ID": "I"}},
            "CustomerID": order["CustomerID"],
            "WarehouseID": {"value": warehouse},
            "ShipmentDate": {"value": "2025-02-03"},
            "Details": [
                {
                    "OrderType": {"value": {"id": "SO"}},
                    "OrderNbr": order["OrderNbr"],
                }
            ],
        }
        created = client.put("Shipment", body, **{"$expand": "Details"})
        bare = client.put("Shipment", {**body, "Type": {"value": "Shipment"}})
    assert created.status_code == 200, created.text
    shipment = created.json()
    assert shipment["Type"]["value"] == {"ID": "I", "Description": "Shipment"}
    assert shipment["Status"]["value"]["ID"] == "H"
    assert {value(d, "OrderType")["ID"] for d in shipment["Details"]} == {"SO"}
    assert bare.status_code == 400
    assert "entity.Type.value" in bare.json()["modelState"]


def test_26_confirm_shipment_takes_the_wrapped_type(v26):
    with signed_in(v26, V26) as client:
        order, warehouse, _ = open_order(client, v26)
        shipment = client.put(
            "Shipment",
            {
                "Type": {"value": {"ID": "I"}},
                "CustomerID": order["CustomerID"],
                "WarehouseID": {"value": warehouse},
                "Hold": {"value": False},
                "Details": [{"OrderType": {"value": {"ID": "SO"}}, "OrderNbr": order["OrderNbr"]}],
            },
        ).json()
        nbr = value(shipment, "ShipmentNbr")
        reply = client.post(
            "Shipment/ConfirmShipment",
            {"entity": {"Type": {"value": {"ID": "I"}}, "ShipmentNbr": {"value": nbr}}},
        )
        if reply.status_code == 202:
            reply = client.wait(reply.headers["Location"])
        after = client.get(f"Shipment/{nbr}").json()
    assert reply.status_code == 204, reply.text
    assert after["Status"]["value"] == {"ID": "F", "Description": "Confirmed"}


def test_lower_case_members_are_configurable(sandbox_factory):
    server = sandbox_factory(endpoint_versions=[V26], orders=3, single_select_casing="lower")
    with signed_in(server, V26) as client:
        order = client.get("SalesOrder", **{"$top": 1}).json()[0]
    assert set(order["Status"]["value"]) == {"id", "description"}


def test_20_lacks_later_fields_and_ignores_them_when_sent(sandbox_factory):
    server = sandbox_factory(endpoint_versions=[V20], orders=30)
    with signed_in(server, V20) as client:
        order, warehouse, _ = open_order(client, server)
        unknown = client.get("SalesOrder", **{"$filter": f"NoteID eq guid'{order['id']}'"})
        created = client.put(
            "Shipment",
            {
                "Type": {"value": "Shipment"},
                "CustomerID": order["CustomerID"],
                "WarehouseID": {"value": warehouse},
                "Details": [wrap(OrderType="SO", OrderNbr=value(order, "OrderNbr"))],
                "Packages": [wrap(BoxID="SMALL", Weight=2, Length=30, TrackingNbr="1Z20")],
            },
            **{"$expand": "Packages"},
        )
    assert "NoteID" not in order and "LastModified" in order
    assert unknown.status_code == 500
    assert created.status_code == 200, created.text
    package = created.json()["Packages"][0]
    assert "Length" not in package and value(package, "TrackingNbr") == "1Z20"
    stored = data_control(server, "GET", f"shipments/{value(created.json(), 'ShipmentNbr')}").json()
    assert stored["Packages"][0].get("Length") != 30  # not saved

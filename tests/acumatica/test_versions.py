"""The client speaks one vocabulary (24.200.001's names, Contract Version 4's values) on every
Default endpoint version: against the sandbox serving each version's real field surface, and
the translation itself (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from connector.acumatica import odata
from connector.acumatica.dialect import FieldNotInEndpoint, body, query, record
from connector.acumatica.endpoints import (
    NEWEST_SUPPORTED,
    SUPPORTED_VERSIONS,
    newest_supported,
    version_of,
)
from connector.acumatica.values import value_of, wrap

V26 = version_of("26.200.001")
V20 = version_of("20.200.001")
V24 = version_of("24.200.001")


def test_supported_versions_and_the_newest_installed():
    assert tuple(f"{n}.200.001" for n in (20, 22, 23, 24, 25, 26)) == SUPPORTED_VERSIONS
    assert NEWEST_SUPPORTED == "26.200.001"
    assert newest_supported(["23.200.001", "26.200.001", "24.200.001"]) == "26.200.001"
    assert newest_supported(["21.200.001", "19.200.001"]) is None
    assert not version_of("21.200.001").supported


def test_26_filters_are_written_in_its_terms():
    since = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    built = odata.and_(
        odata.eq("OrderType", "SO"),
        odata.in_("Status", ["Open", "Back Order"]),
        odata.ge("LastModified", since),
    )
    assert query(V24, "SalesOrder", filter=built)["$filter"] == str(built)
    assert query(V26, "SalesOrder", filter=built)["$filter"] == (
        "OrderType eq 'SO' and (Status eq 'N' or Status eq 'B') and "
        "LastModifiedDateTime ge 2025-01-02T03:04:05.000+00:00"
    )
    search = odata.and_(odata.substringof("F-1", "Description"), odata.eq("Status", "Open"))
    assert query(V26, "Shipment", filter=search)["$filter"] == (
        "contains(Description,'F-1') and Status eq 'N'"
    )


def test_a_filter_on_a_field_the_version_lacks_is_refused_before_sending():
    with pytest.raises(FieldNotInEndpoint, match=r"20\.200\.001"):
        query(V20, "SalesOrder", filter=odata.eq("NoteID", "x"))


def test_select_and_expand_drop_missing_fields_and_nest_on_contract_5():
    expand = ["Details", "Packages", "Packages/PackageContents"]
    select = ["ShipmentNbr", "Status", "Details/LineNbr", "Packages/Length", "Packages/BoxID"]
    assert query(V20, "Shipment", expand=expand, select=select) == {
        "$expand": "Details,Packages,Packages/PackageContents",
        "$select": "ShipmentNbr,Status,Details/LineNbr,Packages/BoxID",
    }
    assert query(V26, "Shipment", expand=expand, select=select) == {
        "$expand": "Details($select=LineNbr),"
        "Packages($select=Length,BoxID;$expand=PackageContents)",
        "$select": "ShipmentNbr,Status",
    }
    whole = query(V26, "Shipment", expand=["Packages"], select=["ShipmentNbr", "Packages"])
    assert whole == {"$expand": "Packages", "$select": "ShipmentNbr"}
    assert query(V26, "SalesOrder", select=["LastModified"]) == {"$select": "LastModifiedDateTime"}


def test_bodies_and_records_translate_both_ways():
    sent = body(
        V26,
        "Shipment",
        wrap({"Type": "Shipment", "ShipmentNbr": "000001", "Details": [{"OrderType": "SO"}]}),
    )
    assert sent["Type"] == {"value": {"ID": "I"}}
    assert sent["Details"][0]["OrderType"] == {"value": {"ID": "SO"}}
    package = wrap(
        {
            "Packages": [
                {
                    "BoxID": "SMALL",
                    "Length": 3,
                    "PackageContents": [{"InventoryID": "X", "OrigOrderNbr": "000001"}],
                }
            ]
        }
    )
    old = body(V20, "Shipment", package)["Packages"][0]
    assert "Length" not in old and "OrigOrderNbr" not in old["PackageContents"][0]
    read = record(
        V26,
        "SalesOrder",
        {
            "LastModifiedDateTime": {"value": "2025-01-01T00:00:00+00:00"},
            "Status": {"value": {"ID": "B"}},
            "OrderType": {"value": {"ID": "SO", "Description": "Sales Order"}},
            "Details": [{"LastModifiedDateTime": {"value": "2025-01-01T00:00:00+00:00"}}],
        },
    )
    assert value_of(read, "LastModified") == "2025-01-01T00:00:00+00:00"
    assert value_of(read, "Status") == "Back Order"
    assert value_of(read, "OrderType") == "SO"
    assert "LastModifiedDate" in read["Details"][0]


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_reads_writes_and_actions_on_every_version(sandbox_factory, make_client, version):
    server = sandbox_factory(endpoint_versions=[version], orders=30, action_duration=0)
    client = make_client(server, settings={"endpoint_version": version})
    since = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    orders = client.list(
        "SalesOrder",
        filter=odata.and_(
            odata.eq("OrderType", "SO"),
            odata.eq("Status", "Open"),
            odata.gt("LastModified", since),
        ),
        expand=["Details", "ShipToAddress"],
        select=["OrderType", "OrderNbr", "Status", "LastModified", "CustomerID", "Details"],
    )
    assert orders and {value_of(o, "Status") for o in orders} == {"Open"}
    assert all(value_of(o, "LastModified") for o in orders)
    order = orders[0]
    line = order["Details"][0]
    warehouse = value_of(line, "WarehouseID")
    shipment = client.put(
        "Shipment",
        {
            "Type": "Shipment",
            "CustomerID": value_of(order, "CustomerID"),
            "WarehouseID": warehouse,
            "Hold": False,
            "Description": f"3PL fulfillment V-{version}",
            "Details": [{"OrderType": "SO", "OrderNbr": value_of(order, "OrderNbr")}],
            "Packages": [{"BoxID": "SMALL", "Weight": 2, "Length": 9, "TrackingNbr": "1Z1"}],
        },
        expand=["Details", "Packages"],
    )
    nbr = value_of(shipment, "ShipmentNbr")
    assert value_of(shipment, "Type") == "Shipment" and value_of(shipment, "Status") == "Open"
    assert ("Length" in shipment["Packages"][0]) is (version != "20.200.001")
    client.invoke_action("Shipment", "ConfirmShipment", {"Type": "Shipment", "ShipmentNbr": nbr})
    found = client.list(
        "Shipment",
        filter=odata.and_(
            odata.substringof(f"V-{version}", "Description"), odata.eq("Status", "Confirmed")
        ),
        select="ShipmentNbr,Status",
    )
    assert [value_of(s, "ShipmentNbr") for s in found] == [nbr]
    sent = [r for r in server.request_log.as_json() if r["path"].endswith("/SalesOrder")]
    wanted = "LastModifiedDateTime" if version == "26.200.001" else "LastModified "
    assert wanted in sent[0]["query"]["$filter"]

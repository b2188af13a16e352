"""Reading over real HTTP: lists, $filter, paging, $expand/$select, records by key or id."""

from __future__ import annotations

import pytest
import requests

from .entities_support import data_control, find_order, signed_in, value

NO_ENTITY = {
    "message": "An error has occurred.",
    "exceptionMessage": "No entity satisfies the condition.",
    "exceptionType": "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException",
}


def keys(orders: list[dict]) -> list[tuple[str, str]]:
    return [(value(o, "OrderType"), value(o, "OrderNbr")) for o in orders]


def test_list_returns_every_record_in_key_order(sandbox):
    with signed_in(sandbox) as client:
        reply = client.get("SalesOrder", **{"$select": "OrderType,OrderNbr"})
        assert reply.status_code == 200
        orders = reply.json()
        assert isinstance(orders, list) and len(orders) == 40
        assert keys(orders) == sorted(keys(orders))
        assert [o["rowNumber"] for o in orders] == list(range(1, 41))
        assert set(orders[0]) == {
            "id",
            "rowNumber",
            "note",
            "OrderType",
            "OrderNbr",
            "custom",
            "_links",
        }


def test_skip_then_top_pages_are_stable_and_complete(sandbox):
    with signed_in(sandbox) as client:
        everything = keys(client.get("SalesOrder", **{"$select": "OrderType,OrderNbr"}).json())
        page = client.get("SalesOrder", **{"$top": 5, "$skip": 5, "$select": "OrderNbr,OrderType"})
        assert keys(page.json()) == everything[5:10]
        collected, skip = [], 0
        while True:
            chunk = client.get(
                "SalesOrder", **{"$top": 7, "$skip": skip, "$select": "OrderType,OrderNbr"}
            ).json()
            collected += keys(chunk)
            skip += 7
            if len(chunk) < 7:
                break
        assert collected == everything
        assert client.get("SalesOrder", **{"$skip": 40}).json() == []
        assert client.get("SalesOrder", **{"$top": 0}).json() == []


def test_filter_with_encoded_datetimeoffset_and_ties(sandbox):
    with signed_in(sandbox) as client:
        orders = client.get("SalesOrder", **{"$select": "OrderNbr,OrderType,LastModified"}).json()
        stamps = [value(o, "LastModified") for o in orders]
        tie = max(set(stamps), key=stamps.count)
        assert stamps.count(tie) >= 3
        # requests encodes ':' and '+' (%3A, %2B), as the guide asks.
        reply = client.get(
            "SalesOrder",
            **{"$filter": f"LastModified ge datetimeoffset'{tie}'", "$select": "LastModified"},
        )
        assert reply.status_code == 200
        got = [value(o, "LastModified") for o in reply.json()]
        assert got.count(tie) == stamps.count(tie)
        greater = client.get(
            "SalesOrder", **{"$filter": f"LastModified gt datetimeoffset'{tie}'"}
        ).json()
        assert len(greater) == len(got) - stamps.count(tie)


def test_unencoded_plus_in_a_filter_is_a_500(sandbox):
    with signed_in(sandbox) as client:
        url = client.url(
            "SalesOrder?$filter=LastModified%20gt%20datetimeoffset'2025-01-01T00:00:00+00:00'"
        )
        reply = client.http.get(url, timeout=10)
        assert reply.status_code == 500
        assert reply.json()["exceptionType"] == "Microsoft.Data.OData.ODataException"
        assert "Unrecognized 'Edm.DateTimeOffset' literal" in reply.json()["exceptionMessage"]


@pytest.mark.parametrize(
    "text",
    ["Status eq", "Details/InventoryID eq 'AALEGO500'", "Foo eq 1", "OrderTotal eq 'x'"],
)
def test_bad_filters_answer_500_http_error(sandbox, text):
    with signed_in(sandbox) as client:
        reply = client.get("SalesOrder", **{"$filter": text})
        assert reply.status_code == 500
        body = reply.json()
        assert body["message"] == "An error has occurred."
        assert body["exceptionType"] == "Microsoft.Data.OData.ODataException"
        assert body["exceptionMessage"]


def test_filters_on_status_type_linked_entity_and_functions(sandbox):
    with signed_in(sandbox) as client:
        everything = client.get("SalesOrder", **{"$expand": "ShipToAddress"}).json()
        wanted = [
            o for o in everything if value(o, "Status") == "Open" and value(o, "OrderType") == "SO"
        ]
        reply = client.get("SalesOrder", **{"$filter": "Status eq 'Open' and OrderType eq 'SO'"})
        assert keys(reply.json()) == keys(wanted)
        city = value(everything[0]["ShipToAddress"], "City")
        by_city = client.get("SalesOrder", **{"$filter": f"ShipToAddress/City eq '{city}'"})
        expected = [o for o in everything if value(o["ShipToAddress"], "City") == city]
        assert keys(by_city.json()) == keys(expected)
        starts = client.get("SalesOrder", **{"$filter": "startswith(CustomerID,'A')"}).json()
        assert starts and all(value(o, "CustomerID").startswith("A") for o in starts)


def test_get_by_keys_by_pipe_by_id_and_missing(sandbox):
    with signed_in(sandbox) as client:
        reply = client.get("SalesOrder/SO/000001", **{"$expand": "Details"})
        assert reply.status_code == 200
        order = reply.json()
        assert value(order, "OrderNbr") == "000001" and order["Details"]
        assert client.get("SalesOrder/SO|000001").json()["id"] == order["id"]
        assert client.get("SalesOrder/so/000001").json()["id"] == order["id"]
        by_id = client.get(f"SalesOrder/{order['id']}")
        assert by_id.status_code == 200 and value(by_id.json(), "OrderNbr") == "000001"
        assert client.get(order["_links"]["self"]).json()["id"] == order["id"]
        for missing in (
            "SalesOrder/SO/999999",
            "SalesOrder/SO",
            "Shipment/999999",
            "SalesOrder/00000000-0000-4000-8000-000000000000",
        ):
            reply = client.get(missing)
            assert reply.status_code == 500, missing
            assert reply.json() == NO_ENTITY


def test_same_number_in_two_order_types_are_two_orders(sandbox_factory):
    server = sandbox_factory(orders=200)
    other = find_order(server, type="RM")
    with signed_in(server) as client:
        rm = client.get(f"SalesOrder/RM/{other['OrderNbr']}").json()
        so = client.get(f"SalesOrder/SO/{other['OrderNbr']}").json()
        assert rm["id"] != so["id"]
        assert value(rm, "OrderType") == "RM" and value(so, "OrderType") == "SO"


def test_read_tracking_numbers_like_the_guide(sandbox):
    with signed_in(sandbox) as client:
        reply = client.get(
            "Shipment",
            **{
                "$expand": "Packages",
                "$select": "Packages/TrackingNbr",
                "$filter": "ShipmentNbr eq '000001'",
            },
        )
        assert reply.status_code == 200
        [shipment] = reply.json()
        assert shipment["Packages"] and "ShipmentNbr" not in shipment
        assert set(shipment["Packages"][0]) == {
            "id",
            "rowNumber",
            "note",
            "TrackingNbr",
            "custom",
            "_links",
        }
        full = client.get(
            "Shipment/000001",
            **{
                "$expand": "Details,Details/Allocations,Packages,Packages/PackageContents,Orders,"
                "ShippingSettings,ShippingSettings/ShipToAddress"
            },
        ).json()
        assert full["Details"][0]["Allocations"]
        assert value(full["Orders"][0], "ShipmentNbr") == "000001"
        assert value(full["ShippingSettings"]["ShipToAddress"], "City")


def test_detail_ids_differ_between_sessions(sandbox):
    with signed_in(sandbox) as first, signed_in(sandbox) as second:
        one = first.get("SalesOrder/SO/000001", **{"$expand": "Details"}).json()
        two = second.get("SalesOrder/SO/000001", **{"$expand": "Details"}).json()
        assert one["id"] == two["id"]
        assert one["Details"][0]["id"] != two["Details"][0]["id"]


def test_ad_hoc_schema_versions_and_unknown_entities(sandbox):
    with signed_in(sandbox) as client:
        skeleton = client.get("SalesOrder/$adHocSchema")
        assert skeleton.status_code == 200 and skeleton.json()["OrderNbr"] == {}
        assert client.get("Invoice").status_code == 404
        assert client.get("SalesOrder", **{"$top": "ten"}).status_code == 400
    with signed_in(sandbox, "22.200.001") as old:
        order = old.get("SalesOrder/SO/000001").json()
        assert "Branch" not in order and "OrderNbr" in order
    with signed_in(sandbox, "23.200.001") as middle:
        assert "Branch" in middle.get("SalesOrder/SO/000001").json()
        item = middle.get("StockItem", **{"$top": 1}).json()[0]
        assert "LastModified" in item and "LastModifiedDateTime" not in item


def test_ten_thousand_orders_page_without_a_gap_or_a_repeat(sandbox_factory):
    server = sandbox_factory(orders=10_000)
    with signed_in(server) as client:
        seen: set[tuple] = set()
        skip = 0
        query = "Status eq 'Open' or Status eq 'Back Order'"
        while True:
            page = client.get(
                "SalesOrder",
                **{"$filter": query, "$top": 500, "$skip": skip, "$expand": "Details"},
            )
            assert page.status_code == 200
            chunk = keys(page.json())
            assert not seen & set(chunk)
            seen |= set(chunk)
            skip += 500
            if len(chunk) < 500:
                break
        summary = data_control(server, "GET", "summary").json()["ordersByStatus"]
        assert len(seen) == summary["Open"] + summary["Back Order"]


def test_unauthenticated_calls_never_reach_the_data(sandbox):
    reply = requests.get(f"{sandbox.base_url}/entity/Default/24.200.001/SalesOrder", timeout=5)
    assert reply.status_code == 401

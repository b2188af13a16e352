"""Lists, paging, keys, PUT and DELETE against the sandbox over real HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from connector.acumatica import (
    NotFound,
    PreconditionFailed,
    TransportError,
    UnexpectedResponse,
    ValidationFailed,
)
from connector.acumatica.odata import and_, eq, gt, in_
from connector.acumatica.values import unwrap, value_of

from .conftest import open_sessions, requests_to

OPEN_SO = and_(eq("OrderType", "SO"), eq("Status", "Open"))


def _seed(server, orders: int) -> dict:
    reply = requests.post(
        f"{server.site_url}/_sandbox/data/seed", json={"orders": orders}, timeout=60
    )
    reply.raise_for_status()
    return reply.json()


def _open_order(client) -> dict:
    return client.list("SalesOrder", filter=OPEN_SO, expand="Details", top=1)[0]


def _shipment_body(order: dict) -> dict:
    return {
        "Type": "Shipment",
        "CustomerID": value_of(order, "CustomerID"),
        "WarehouseID": value_of(order["Details"][0], "WarehouseID"),
        "Details": [{"OrderType": "SO", "OrderNbr": value_of(order, "OrderNbr")}],
    }


def test_paging_over_many_records_counts_requests(sandbox, make_client):
    summary = _seed(sandbox, 1000)
    total = summary["counts"]["SalesOrder"]
    assert total == 1000
    with make_client(sandbox, "cookie") as client:
        pages = client.iter_pages("SalesOrder", select=["OrderType", "OrderNbr"], page_size=150)
        first = next(pages)
        # Lazy: nothing beyond the first page has been asked for yet.
        assert requests_to(sandbox, "/SalesOrder") == 1
        sizes = [len(first)]
        keys = {(value_of(r, "OrderType"), value_of(r, "OrderNbr")) for r in first}
        for page in pages:
            sizes.append(len(page))
            keys.update((value_of(r, "OrderType"), value_of(r, "OrderNbr")) for r in page)
    # 6 full pages and a short one: the short page ends the walk, no extra empty request.
    assert sizes == [150] * 6 + [100]
    assert len(keys) == total
    assert requests_to(sandbox, "/SalesOrder") == 7
    listed = [
        r["query"] for r in sandbox.request_log.as_json() if r["path"].endswith("/SalesOrder")
    ]
    assert listed[0] == {"$select": "OrderType,OrderNbr", "$top": "150"}
    assert listed[1]["$skip"] == "150"
    assert open_sessions(sandbox) == 0


def test_exact_multiple_of_page_size_needs_one_empty_page(sandbox, make_client):
    _seed(sandbox, 60)
    with make_client(sandbox, "cookie") as client:
        records = list(client.iter_records("SalesOrder", select="OrderNbr", page_size=20))
    assert len(records) == 60
    assert requests_to(sandbox, "/SalesOrder") == 4


def test_filter_with_offset_datetime_and_expand(sandbox, make_client):
    _seed(sandbox, 300)
    candidates = [
        r
        for r in sandbox.data.records["SalesOrder"].values()
        if r["OrderType"] == "SO" and r["Status"] in ("Open", "Back Order")
    ]
    stamps = sorted(r["LastModified"] for r in candidates)
    # A cutoff in +03:00 must mean the same instant as in UTC; the record exactly at the cutoff
    # is excluded by "gt".
    cutoff = stamps[len(stamps) // 2].astimezone(dt.timezone(dt.timedelta(hours=3)))
    expected = {r["OrderNbr"] for r in candidates if r["LastModified"] > cutoff}
    assert 0 < len(expected) < len(candidates)
    query = and_(
        eq("OrderType", "SO"), in_("Status", ["Open", "Back Order"]), gt("LastModified", cutoff)
    )
    with make_client(sandbox) as client:
        records = list(
            client.iter_records(
                "SalesOrder", filter=query, expand=["Details", "ShipToAddress"], page_size=25
            )
        )
    assert {value_of(r, "OrderNbr") for r in records} == expected
    assert all(isinstance(r["Details"], list) and r["Details"] for r in records)
    assert all("ShipToAddress" in r for r in records)
    assert open_sessions(sandbox) == 0


def test_get_by_keys_and_by_id(sandbox, make_client):
    with make_client(sandbox, "cookie") as client:
        order = _open_order(client)
        nbr = value_of(order, "OrderNbr")
        by_keys = client.get("SalesOrder", "SO", nbr, expand="Details", select=None)
        by_id = client.get_by_id("SalesOrder", order["id"])
        linked = client.get_link(by_keys["_links"]["self"])
    assert by_keys["id"] == by_id["id"] == linked["id"] == order["id"]
    assert len(by_keys["Details"]) == len(order["Details"])
    assert "Details" not in by_id  # only what is expanded comes back
    # The self link is site-relative ("/AcumaticaERP/entity/..."): joined to scheme + host.
    assert by_keys["_links"]["self"].startswith("/AcumaticaERP/entity/")
    assert requests_to(sandbox, f"/SalesOrder/{order['id']}") == 2
    assert not any("/AcumaticaERP/AcumaticaERP" in r["path"] for r in sandbox.request_log.as_json())


def test_missing_record_is_not_found_and_not_retryable(sandbox, make_client):
    with make_client(sandbox, "cookie") as client:
        with pytest.raises(NotFound) as info:
            client.get("SalesOrder", "SO", "NOPE99")
        # A "/" inside a key stays one URL segment instead of becoming a third key.
        with pytest.raises(NotFound):
            client.get("SalesOrder", "SO", "A/B")
    assert info.value.status_code == 500
    assert info.value.exception_type.endswith("NoEntitySatisfiesTheConditionException")
    assert not info.value.retryable
    assert "SalesOrder" in str(info.value)
    paths = [r["path"] for r in sandbox.request_log.as_json()]
    assert any(p.endswith("/SalesOrder/SO/A%2FB") for p in paths)
    assert open_sessions(sandbox) == 0


def test_unknown_entity_is_not_found_naming_it(sandbox, make_client):
    with make_client(sandbox, "cookie") as client, pytest.raises(NotFound) as info:
        client.list("NoSuchEntity")
    assert info.value.status_code == 404
    assert "NoSuchEntity" in str(info.value)


def test_names_cannot_inject_path_segments(sandbox, make_client):
    client = make_client(sandbox, "cookie")
    with pytest.raises(ValueError):
        client.list("SalesOrder/../x")
    with pytest.raises(ValueError):
        client.get("SalesOrder")
    assert client.request_count == 0


def test_put_creates_then_updates_with_packages(sandbox, make_client):
    with make_client(sandbox, "cookie") as client:
        order = _open_order(client)
        created = client.put("Shipment", _shipment_body(order), expand=["Details", "Packages"])
        nbr = value_of(created, "ShipmentNbr")
        assert value_of(created, "Status") == "On Hold"
        assert len(created["Details"]) == len(order["Details"])
        updated = client.put(
            "Shipment",
            {
                "id": created["id"],
                "Hold": False,
                "Packages": [
                    {"BoxID": "SMALL", "Weight": 2.5, "TrackingNbr": "1Z999AA10123456784"}
                ],
            },
            expand="Packages",
            select=["Status", "Packages/TrackingNbr", "Packages/BoxID"],
        )
        reread = client.get("Shipment", nbr, expand="Packages")
    assert value_of(updated, "Status") == "Open"
    assert [unwrap(p)["TrackingNbr"] for p in reread["Packages"]] == ["1Z999AA10123456784"]
    assert value_of(reread, "ShipmentNbr") == nbr
    assert open_sessions(sandbox) == 0


def test_unknown_box_is_a_field_error(sandbox, make_client):
    with make_client(sandbox) as client:
        created = client.put("Shipment", _shipment_body(_open_order(client)))
        with pytest.raises(ValidationFailed) as info:
            client.put(
                "Shipment",
                {"id": created["id"], "Packages": [{"BoxID": "NOSUCHBOX", "Weight": 1}]},
                expand="Packages",
            )
    error = info.value
    assert error.status_code == 422
    assert not error.retryable
    by_path = {f.path: f.message for f in error.field_errors}
    assert "cannot be found" in by_path["Packages[0].BoxID"]
    assert "Packages[0].BoxID" in str(error)
    assert open_sessions(sandbox) == 0


def test_if_none_match_and_if_match(sandbox, make_client):
    with make_client(sandbox, "cookie") as client:
        created = client.put("Shipment", _shipment_body(_open_order(client)))
        nbr = value_of(created, "ShipmentNbr")
        with pytest.raises(PreconditionFailed) as exists:
            client.put("Shipment", {"ShipmentNbr": nbr, "Hold": True}, create_only=True)
        with pytest.raises(PreconditionFailed):
            client.put("Shipment", {"ShipmentNbr": "999999", "Hold": True}, update_only=True)
        with pytest.raises(ValueError):
            client.put("Shipment", {}, create_only=True, update_only=True)
    assert exists.value.status_code == 412
    assert not exists.value.retryable


def test_delete(sandbox, make_client):
    with make_client(sandbox, "cookie") as client:
        created = client.put("Shipment", _shipment_body(_open_order(client)))
        nbr = value_of(created, "ShipmentNbr")
        client.delete("Shipment", nbr)
        with pytest.raises(NotFound):
            client.get("Shipment", nbr)
    assert open_sessions(sandbox) == 0


def test_lost_reply_on_put_is_reported_not_repeated(sandbox, make_client):
    sandbox.faults.add(kind="lost_reply", match="PUT */Shipment", times=1)
    with make_client(sandbox, "cookie") as client:
        order = _open_order(client)
        before = len(sandbox.data.records["Shipment"])
        with pytest.raises(TransportError) as info:
            client.put("Shipment", _shipment_body(order))
        assert info.value.outcome_unknown
        assert info.value.retryable
        # The write was applied even though no answer came: exactly one PUT, one shipment.
        assert requests_to(sandbox, "/Shipment", "PUT") == 1
        assert len(sandbox.data.records["Shipment"]) == before + 1
        reread = client.get("SalesOrder", "SO", value_of(order, "OrderNbr"), expand="Shipments")
        assert reread["Shipments"]
    assert open_sessions(sandbox) == 0


def test_server_ignoring_top_is_detected(sandbox, make_client, monkeypatch):
    client = make_client(sandbox, "cookie")
    real_list = client.list

    def ignores_top(entity, **options):
        options.pop("top", None)
        options.pop("skip", None)
        return real_list(entity, **options)

    monkeypatch.setattr(client, "list", ignores_top)
    with pytest.raises(UnexpectedResponse):
        next(client.iter_pages("SalesOrder", page_size=5))
    client.close()
    assert open_sessions(sandbox) == 0

"""The transport layer together with the real entities layer: faults around real writes, OAuth on
real data, swagger.json and the data control calls."""

from __future__ import annotations

import pytest
import requests

from tests.sandbox.transport_support import bearer, control, entity_url, login, password_grant

NEW_ORDER = {
    "OrderType": {"value": "SO"},
    "CustomerID": {"value": "ZENWELL"},
    "Details": [{"InventoryID": {"value": "MUG-CERAMIC"}, "OrderQty": {"value": 3}}],
}


def order_count(sandbox) -> int:
    return control(sandbox, "GET", "data/summary").json()["counts"]["SalesOrder"]


def test_the_entities_layer_is_wired_in(sandbox):
    assert sandbox.entities is not None
    assert control(sandbox, "GET", "state").json()["entities_installed"] is True


def test_lost_reply_applies_the_write_that_the_client_never_hears_about(sandbox):
    client = login(sandbox)
    before = order_count(sandbox)
    sandbox.faults.add(kind="lost_reply", match="PUT */SalesOrder", times=1)

    with pytest.raises(requests.ConnectionError):
        client.put(entity_url(sandbox, "SalesOrder"), json=NEW_ORDER, timeout=10)

    assert order_count(sandbox) == before + 1
    # A client retrying blindly would now create a second order.
    retried = client.put(entity_url(sandbox, "SalesOrder"), json=NEW_ORDER, timeout=10)
    assert retried.status_code == 200
    assert order_count(sandbox) == before + 2


def test_drop_loses_the_write(sandbox):
    client = login(sandbox)
    before = order_count(sandbox)
    sandbox.faults.add(kind="drop", match="PUT */SalesOrder", times=1)

    with pytest.raises(requests.ConnectionError):
        client.put(entity_url(sandbox, "SalesOrder"), json=NEW_ORDER, timeout=10)

    assert order_count(sandbox) == before


def test_bearer_token_reads_real_orders(sandbox):
    token = password_grant(sandbox).json()["access_token"]

    reply = requests.get(
        entity_url(sandbox, "SalesOrder"), params={"$top": "2"}, headers=bearer(token), timeout=10
    )

    assert reply.status_code == 200
    assert len(reply.json()) == 2
    assert reply.json()[0]["OrderNbr"]["value"]


def test_swagger_json_comes_from_the_entities_layer(sandbox):
    reply = requests.get(
        f"{sandbox.base_url}/entity/Default/24.200.001/swagger.json",
        params={"company": "Company"},
        timeout=10,
    )

    assert reply.status_code == 200
    document = reply.json()
    assert document["openapi"].startswith("3.")
    assert document["servers"][0]["url"].startswith(sandbox.base_url)
    assert any("/SalesOrder" in path for path in document["paths"])


def test_denied_entity_is_refused_before_the_entities_layer(sandbox_factory):
    sandbox = sandbox_factory(denied_entities=["Shipment"])
    client = login(sandbox)

    assert client.get(entity_url(sandbox, "Shipment"), timeout=10).status_code == 403
    assert client.get(entity_url(sandbox, "SalesOrder"), params={"$top": "1"}, timeout=10).ok


def test_sandbox_time_drives_record_timestamps(sandbox):
    sandbox.clock.advance(3 * 24 * 3600)
    client = login(sandbox)

    created = client.put(entity_url(sandbox, "SalesOrder"), json=NEW_ORDER, timeout=10).json()

    assert created["LastModified"]["value"] >= control(sandbox, "GET", "clock").json()["now"][:10]

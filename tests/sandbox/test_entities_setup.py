"""The setup entities (Warehouse, ShippingBox, ShipVia): read-only, served from the seed's
lookups, refused like any entity when the role lacks them."""

from __future__ import annotations

import pytest
import requests

from .entities_support import data_control, signed_in, value
from .transport_support import password_grant


def test_warehouses_are_the_lookups_that_writes_accept(sandbox):
    lookups = data_control(sandbox, "GET", "lookups").json()
    with signed_in(sandbox) as client:
        listed = client.get("Warehouse").json()
        retail = client.get("Warehouse/retail").json()

    assert [value(w, "WarehouseID") for w in listed] == sorted(lookups["warehouses"])
    assert value(retail, "WarehouseID") == "RETAIL"
    assert value(retail, "Description") == lookups["warehouses"]["RETAIL"]["Description"]
    assert value(retail, "Active") is True
    assert value(retail, "ShippingLocationID") == lookups["warehouses"]["RETAIL"]["DefaultLocation"]
    assert retail["_links"]["self"].endswith(f"/Warehouse/{retail['id']}")


def test_a_missing_warehouse_is_no_entity_like_any_key_get(sandbox):
    with signed_in(sandbox) as client:
        reply = client.get("Warehouse/NOWHERE")

    assert reply.status_code == 500
    assert reply.json()["exceptionType"].endswith("NoEntitySatisfiesTheConditionException")


def test_boxes_and_ship_vias_can_be_filtered_and_selected(sandbox):
    with signed_in(sandbox) as client:
        big = client.get("ShippingBox", **{"$filter": "MaxWeight gt 20M"}).json()
        carriers = client.get(
            "ShipVia", **{"$filter": "CommonCarrier eq true", "$select": "CarrierID"}
        ).json()

    assert [value(b, "BoxID") for b in big] == ["LARGE", "MEDIUM"]
    assert value(big[0], "MaxVolume") == 3.0  # 24 x 18 x 12 in, in cubic feet
    assert value(big[0], "WeightUOM") == "LB"
    assert [value(c, "CarrierID") for c in carriers] == [
        "FEDEX2DAY",
        "FEDEXGROUND",
        "UPSGROUND",
        "USPSPRIORITY",
    ]
    assert set(carriers[0]) == {"id", "rowNumber", "note", "CarrierID", "custom", "_links"}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
def test_setup_entities_are_read_only(sandbox, method):
    path = "Warehouse" if method in ("PUT", "PATCH") else "Warehouse/RETAIL"
    with signed_in(sandbox) as client:
        reply = client.http.request(method, client.url(path), json={}, timeout=10)

    assert reply.status_code == 405
    assert reply.headers["Allow"] == "GET"


@pytest.mark.parametrize("entity", ["Warehouse", "ShippingBox", "ShipVia"])
def test_denied_entities_covers_the_setup_entities(sandbox_factory, entity):
    sandbox = sandbox_factory(denied_entities=[entity])
    with signed_in(sandbox) as client:
        refused = client.get(entity)
        other = client.get("SalesOrder", **{"$top": 1})

    assert refused.status_code == 403
    assert f"({entity})" in refused.json()["exceptionMessage"]
    assert other.status_code == 200


def test_swagger_offers_only_reads_of_the_setup_entities(sandbox):
    document = requests.get(
        f"{sandbox.base_url}/entity/Default/24.200.001/swagger.json", timeout=10
    ).json()

    warehouse_paths = {p: set(ops) for p, ops in document["paths"].items() if "/Warehouse" in p}
    assert warehouse_paths == {
        "/Warehouse": {"get"},
        "/Warehouse/{ids}": {"get"},
        "/Warehouse/{id}": {"get"},
        "/Warehouse/$adHocSchema": {"get"},
    }
    assert "WarehouseCustomAction" not in document["components"]["schemas"]
    tags = {t["name"]: t["description"] for t in document["tags"]}
    assert tags["ShipVia"] == "Ship via Codes (CS207500)"


def test_older_endpoints_serve_the_older_warehouse_fields(sandbox):
    with signed_in(sandbox, version="22.200.001") as client:
        old = client.get("Warehouse/EAST").json()
    with signed_in(sandbox) as client:
        new = client.get("Warehouse/EAST").json()

    assert "LastModifiedDateTime" not in old and "LastModifiedDateTime" in new


def test_reseeding_rebuilds_the_setup_records(sandbox):
    data_control(sandbox, "POST", "seed", {"orders": 3, "seed": 7})

    counts = data_control(sandbox, "GET", "summary").json()["counts"]
    assert counts["Warehouse"] == 3 and counts["ShippingBox"] == 4 and counts["ShipVia"] == 5


def test_an_unknown_tenant_in_the_client_id_is_undefined_company_on_a_multi_tenant_site(
    sandbox_factory,
):
    sandbox = sandbox_factory(tenants=["Company", "Branch2"])
    guid = sandbox.config.client_id.split("@")[0]

    reply = password_grant(sandbox, scope="api", client_id=f"{guid}@Nowhere")
    known_other = password_grant(sandbox, scope="api", client_id=f"{guid}@Branch2")

    assert reply.status_code == 500
    assert reply.json()["exceptionType"] == "PX.Data.PXUndefinedCompanyException"
    # The application is registered in one tenant only: another existing tenant does not know it.
    assert known_other.status_code == 400 and known_other.json()["error"] == "invalid_client"
    assert len(sandbox.sessions) == 0

"""swagger.json against Acumatica's own files (../shared/acumatica/swagger), and a third-party
client that builds itself from it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
import requests

from connector.sandbox.schema import ENTITIES, TOP_LEVEL

from .entities_support import value

VERSIONS = ("24.200.001", "23.200.001", "22.200.001")
# Everything else a swagger document holds for an entity is either the base Entity or these.
NOT_ENTITIES = {"Entity", "FileLink", "CustomField", "HttpError"}


@cache
def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def reference(shared_dir: Path, version: str) -> dict:
    return _load(shared_dir / "acumatica" / "swagger" / f"Default_{version}.json")


def definitions(document: dict) -> dict:
    """OpenAPI 3 ``components.schemas`` or Swagger 2 ``definitions``."""
    return document.get("components", {}).get("schemas") or document["definitions"]


def properties(schemas: dict, name: str) -> dict:
    found: dict = {}
    for part in schemas[name].get("allOf", [schemas[name]]):
        found.update(part.get("properties", {}))
    return found


def type_of(prop: dict) -> str:
    ref = prop.get("$ref") or prop.get("items", {}).get("$ref", "")
    name = ref.rsplit("/", 1)[-1] if ref else prop.get("type", "?")
    return f"{name}[]" if prop.get("type") == "array" else name


def served(sandbox, version: str) -> dict:
    reply = requests.get(
        f"{sandbox.base_url}/entity/Default/{version}/swagger.json",
        params={"company": "Company"},
        timeout=10,
    )
    assert reply.status_code == 200
    return reply.json()


@pytest.mark.shared
@pytest.mark.parametrize("version", VERSIONS)
def test_every_served_field_and_type_matches_acumatica(sandbox, shared_dir, version):
    ours = served(sandbox, version)
    theirs = definitions(reference(shared_dir, version))
    mine = definitions(ours)
    entity_schemas = [n for n in mine if n in ENTITIES]
    assert set(entity_schemas) == set(ENTITIES)
    for name in entity_schemas:
        real = {k: type_of(p) for k, p in properties(theirs, name).items()}
        for field, prop in properties(mine, name).items():
            if field in properties(mine, "Entity"):
                continue
            assert field in real, f"{name}.{field} is not in Default/{version}"
            assert type_of(prop) == real[field], f"{name}.{field}"
        # Every scalar field Acumatica has is served; linked/detail entities are a subset.
        real_values = {k for k, t in real.items() if t.endswith("Value")}
        served_values = {
            k for k, p in properties(mine, name).items() if type_of(p).endswith("Value")
        }
        assert served_values - {"note"} == real_values - {"note"}, name


@pytest.mark.shared
@pytest.mark.parametrize("version", VERSIONS)
def test_actions_and_their_parameters_match_acumatica(sandbox, shared_dir, version):
    ours = served(sandbox, version)
    real = reference(shared_dir, version)
    mine = definitions(ours)
    theirs = definitions(real)
    for entity in TOP_LEVEL:
        for action in ENTITIES[entity].actions:
            path = f"/{entity}/{action.name}"
            assert path in ours["paths"] and path in real["paths"], path
            op = ours["paths"][path]["post"]
            assert op["operationId"] == real["paths"][path]["post"]["operationId"]
            ours_params = properties(mine, action.name).get("parameters", {}).get("properties", {})
            real_params = (
                properties(theirs, action.name).get("parameters", {}).get("properties", {})
            )
            assert {k: type_of(v) for k, v in ours_params.items()} == {
                k: type_of(v) for k, v in real_params.items()
            }, action.name
            assert mine[action.name]["required"] == theirs[action.name]["required"]


@pytest.mark.shared
def test_paths_operations_and_parameters_follow_the_real_file(sandbox, shared_dir):
    ours = served(sandbox, "24.200.001")
    real = reference(shared_dir, "24.200.001")
    assert ours["openapi"] == "3.0.1"
    assert ours["info"] == real["info"]
    assert ours["servers"] == [{"url": f"{sandbox.base_url}/entity/Default/24.200.001"}]
    for path, operations in ours["paths"].items():
        assert path in real["paths"], path
        for method, op in operations.items():
            twin = real["paths"][path][method]
            assert op["operationId"] == twin["operationId"]
            assert op.get("parameters", []) == twin.get("parameters", [])
            assert set(op["responses"]) == set(twin["responses"])
    assert set(ours["components"]["parameters"]) == set(real["components"]["parameters"])
    for name, parameter in ours["components"]["parameters"].items():
        assert parameter == real["components"]["parameters"][name]
    assert set(ours["components"]["responses"]) <= set(real["components"]["responses"])
    for name in (
        "StringValue",
        "DecimalValue",
        "IntValue",
        "BooleanValue",
        "DateTimeValue",
        "GuidValue",
        "ShortValue",
        "CustomStringField",
        "HttpError",
        "FileLink",
    ):
        assert ours["components"]["schemas"][name] == real["components"]["schemas"][name], name
    tags = {t["name"]: t["description"] for t in real["tags"]}
    for tag in ours["tags"]:
        assert tags[tag["name"]] == tag["description"]
    for name in definitions(ours):
        assert name in definitions(real) or name in NOT_ENTITIES, name


def test_package_contents_leave_the_swagger_when_not_exposed(sandbox_factory):
    server = sandbox_factory(package_contents_exposed=False)
    document = served(server, "24.200.001")
    assert "PackageContents" not in properties(definitions(document), "ShipmentPackage")
    assert "ShipmentPackageDetail" not in definitions(document)


def test_easy_acumatica_builds_itself_from_the_sandbox(sandbox, tmp_path):
    easy = pytest.importorskip("easy_acumatica")
    client = easy.AcumaticaClient(
        base_url=sandbox.base_url,
        username=sandbox.config.username,
        password=sandbox.config.password,
        tenant=sandbox.config.default_tenant,
        cache_methods=False,
        cache_dir=tmp_path,
        auto_load_env=False,
    )
    try:
        assert client.endpoint_version == "24.200.001"
        for model in ("SalesOrder", "Shipment", "ShipmentPackage", "StockItem", "ConfirmShipment"):
            assert hasattr(client.models, model), model
        assert "TrackingNbr" in client.models.ShipmentPackage.__dataclass_fields__
        for method in ("get_list", "get_by_keys", "put_entity", "invoke_action_confirm_shipment"):
            assert hasattr(client.shipment, method), method
        from easy_acumatica.odata import QueryOptions

        orders = client.sales_order.get_list(
            options=QueryOptions(filter="Status eq 'Open'", top=3, select=["OrderNbr", "Status"])
        )
        assert len(orders) == 3 and all(value(o, "Status") == "Open" for o in orders)
        shipment = client.shipment.get_by_keys(ShipmentNbr="000001")
        assert value(shipment, "ShipmentNbr") == "000001"
        assert len(sandbox.sessions) == 1
    finally:
        client.logout()
    assert len(sandbox.sessions) == 0, "easy-acumatica's sign-out did not release its seat"

"""Every Default version the sandbox serves against Acumatica's own schemas: 20.200.001 (whole
file, extract), 25.200.001 and 26.200.001 (the SalesOrder and Shipment schemas read, extracts);
22/23/24 are held to their whole files by test_swagger.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector.sandbox.config import SERVABLE_VERSIONS

from .test_swagger import properties, served, type_of

EXTRACTS = ("20.200.001", "25.200.001", "26.200.001")
# The base Entity and value wrappers: not entities of the endpoint.
NOT_ENTITIES = {"Entity", "CustomField", "FileLink"}


def extract(shared_dir: Path, version: str) -> dict:
    path = shared_dir / "acumatica" / "swagger" / "extracts" / f"Default_{version}.extract.json"
    return json.loads(path.read_text(encoding="utf-8"))["schemas"]


@pytest.mark.shared
@pytest.mark.parametrize("version", EXTRACTS)
def test_served_entities_match_the_schemas_read_from_acumatica(
    sandbox_factory, shared_dir, version
):
    server = sandbox_factory(endpoint_versions=[version], orders=1)
    mine = served(server, version)["components"]["schemas"]
    compared = 0
    for name, schema in extract(shared_dir, version).items():
        if name in NOT_ENTITIES or name.endswith("Value") or name not in mine:
            continue
        if "CustomAction" in name or name in ("SalesOrderCreateShipment",):
            continue
        real = {k: type_of(p) for k, p in properties({name: schema}, name).items()}
        ours = {k: type_of(p) for k, p in properties(mine, name).items()}
        for field, kind in ours.items():
            assert field in real, f"{name}.{field} is not in Default/{version}"
            assert kind == real[field], f"{name}.{field} in {version}"
        # Every scalar field Acumatica has is served (linked/detail entities are a subset).
        missing = {k for k, t in real.items() if t.endswith("Value") and k not in ours}
        assert not missing, f"{name} in {version} lacks {missing}"
        compared += 1
    # 26.200.001: seven entity schemas were read (DIFF.md).
    assert compared >= 7


@pytest.mark.parametrize("version", SERVABLE_VERSIONS)
def test_contract_version_and_workflow_actions_per_version(sandbox_factory, version):
    server = sandbox_factory(endpoint_versions=[version], orders=1)
    document = served(server, version)
    schemas = document["components"]["schemas"]
    assert document["info"] == {
        "title": f"Default/{version}",
        "version": "5" if version == "26.200.001" else "4",
    }
    has_workflow = version >= "25.200.001"
    for entity in ("SalesOrder", "Shipment"):
        assert ("_workflowActions" in properties(schemas, entity)) is has_workflow
    assert ("StringSingleSelectValue" in schemas) is (version == "26.200.001")
    modified = "LastModifiedDateTime" if version == "26.200.001" else "LastModified"
    assert modified in properties(schemas, "SalesOrder")
    assert type_of(properties(schemas, "SalesOrder")[modified]) == "DateTimeValue"
    # 20.200.001 has no package dimensions; 22 added them (API.md §11).
    assert ("Length" in properties(schemas, "ShipmentPackage")) is (version != "20.200.001")

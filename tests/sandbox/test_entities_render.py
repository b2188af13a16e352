"""Record → JSON, without a server: the shapes real captures show (API.md §4.1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from connector.sandbox.render import RenderContext, ad_hoc_schema, parse_projection, render
from connector.sandbox.schema import endpoint_schema

SCHEMA = endpoint_schema("24.200.001")
EP = "/AcumaticaERP/entity/Default/24.200.001/"

SHIPMENT = {
    "id": "75fa6dd8-91fd-485c-a69b-ae29f652d008",
    "ShipmentNbr": "000001",
    "Status": "Open",
    "Hold": False,
    "ShippedQty": Decimal("3"),
    "PackageCount": 1,
    "LastModifiedDateTime": datetime(2025, 1, 15, 17, 30, 5, 120000, tzinfo=UTC),
    "ShipmentDate": datetime(2025, 1, 15, tzinfo=UTC),
    "Description": None,
    "ShippingSettings": {"id": "s1", "ShipToAddress": {"id": "a1", "City": "Seattle"}},
    "Details": [
        {
            "id": "d1",
            "InventoryID": "AALEGO500",
            "ShippedQty": Decimal("3"),
            "Allocations": [{"id": "al1", "Qty": Decimal("3")}],
        }
    ],
    "Packages": [
        {
            "id": "p1",
            "BoxID": "SMALL",
            "TrackingNbr": "1Z999",
            "Weight": Decimal("2.5"),
            "PackageContents": [{"id": "c1", "InventoryID": "AALEGO500"}],
        }
    ],
    "note": "fragile",
}


def ctx(session: str | None = "session-1", tz=UTC, scoped: bool = True) -> RenderContext:
    return RenderContext(SCHEMA, EP, tz, session_id=session, scoped_ids=scoped)


def shipment(expand: str | None = None, select: str | None = None, **kw) -> dict:
    return render(
        ctx(**kw), SCHEMA.entities["Shipment"], SHIPMENT, parse_projection(expand, select)
    )


def test_top_level_shape_and_value_wrapping():
    body = shipment()
    assert body["id"] == SHIPMENT["id"]
    assert body["rowNumber"] == 1
    assert body["note"] == {"value": "fragile"}
    assert body["ShipmentNbr"] == {"value": "000001"}
    assert body["Hold"] == {"value": False}
    assert body["ShippedQty"] == {"value": 3.0}
    assert body["PackageCount"] == {"value": 1}
    assert body["Description"] == {}  # no value: an empty wrapper, no "value" key
    assert body["NoteID"] == {"value": SHIPMENT["id"]}  # NoteID is the persistent id
    assert body["custom"] == {}
    assert body["_links"] == {
        "self": f"{EP}Shipment/{SHIPMENT['id']}",
        "files:put": f"{EP}files/PX.Objects.SO.SOShipmentEntry/Document/{SHIPMENT['id']}/"
        "{filename}",
    }
    # Every field of the entity is present (contract fields always are), none nested unasked.
    assert set(body) >= {f.name for f in SCHEMA.entities["Shipment"].value_fields}
    assert "Details" not in body and "Packages" not in body and "ShippingSettings" not in body
    names = [k for k in body if k not in ("id", "rowNumber", "note", "custom", "_links")]
    assert names == sorted(names, key=str.lower)


def test_datetimes_carry_the_instance_offset():
    assert shipment()["LastModifiedDateTime"] == {"value": "2025-01-15T17:30:05.12+00:00"}
    plus_three = timezone(timedelta(hours=3))
    body = shipment(tz=plus_three)
    assert body["LastModifiedDateTime"] == {"value": "2025-01-15T20:30:05.12+03:00"}
    assert body["ShipmentDate"] == {"value": "2025-01-15T03:00:00+03:00"}


def test_expand_nested_and_detail_of_detail():
    body = shipment("Details,Details/Allocations,Packages,ShippingSettings/ShipToAddress")
    line = body["Details"][0]
    assert line["rowNumber"] == 1 and line["note"] == {"value": ""}
    assert line["Allocations"][0]["Qty"] == {"value": 3.0}
    assert "PackageContents" not in body["Packages"][0]
    assert "_links" in line and "self" not in line["_links"]
    settings = body["ShippingSettings"]
    assert settings["note"] is None  # linked entities: note is null
    assert settings["ShipToAddress"]["City"] == {"value": "Seattle"}
    assert settings["ShipToAddress"]["custom"] == {}


def test_select_trims_every_level():
    body = shipment("Packages", "Packages/TrackingNbr")
    assert set(body) == {"id", "rowNumber", "note", "Packages", "custom", "_links"}
    package = body["Packages"][0]
    assert set(package) == {"id", "rowNumber", "note", "TrackingNbr", "custom", "_links"}
    assert package["TrackingNbr"] == {"value": "1Z999"}
    body = shipment("Details", "ShipmentNbr,Status")
    assert "Details" not in body  # expanded but not selected
    assert set(body) - {"id", "rowNumber", "note", "custom", "_links"} == {"ShipmentNbr", "Status"}
    body = shipment("Packages,Packages/PackageContents", "Packages")
    assert body["Packages"][0]["BoxID"] == {"value": "SMALL"}
    assert body["Packages"][0]["PackageContents"][0]["InventoryID"] == {"value": "AALEGO500"}


def test_detail_ids_are_session_scoped_top_level_ids_persistent():
    one = shipment("Packages", session="one")
    two = shipment("Packages", session="two")
    assert one["id"] == two["id"] == SHIPMENT["id"]
    assert one["Packages"][0]["id"] != two["Packages"][0]["id"]
    assert one["Packages"][0]["id"] == shipment("Packages", session="one")["Packages"][0]["id"]
    assert shipment("Packages", scoped=False)["Packages"][0]["id"] == "p1"


def test_unexpanded_linked_entity_without_values_still_renders_when_expanded():
    record = {**SHIPMENT, "ShippingSettings": None}
    body = render(
        ctx(), SCHEMA.entities["Shipment"], record, parse_projection("ShippingSettings", None)
    )
    assert body["ShippingSettings"]["Validated"] == {}
    assert body["ShippingSettings"]["note"] is None


def test_errors_render_next_to_values():
    record = {
        **SHIPMENT,
        "_error": "Updating  'Package' record raised at least one error.",
        "Packages": [
            {
                "id": "p1",
                "BoxID": "HUGE",
                "_errors": {"BoxID": "'Box ID' cannot be found in the system."},
            }
        ],
    }
    body = render(ctx(), SCHEMA.entities["Shipment"], record, parse_projection("Packages", None))
    assert body["error"].startswith("Updating  'Package'")
    assert body["Packages"][0]["BoxID"] == {
        "value": "HUGE",
        "error": "'Box ID' cannot be found in the system.",
    }


def test_older_versions_render_fewer_fields():
    old = endpoint_schema("22.200.001")
    body = render(RenderContext(old, EP, UTC), old.entities["Shipment"], SHIPMENT)
    assert "UnlimitedPackages" not in body
    assert "UnlimitedPackages" in shipment()
    assert "Branch" not in old.entities["SalesOrder"].by_name


def test_package_contents_can_be_left_out_of_the_endpoint():
    hidden = endpoint_schema("24.200.001", package_contents_exposed=False)
    assert hidden.entities["ShipmentPackage"].field("PackageContents") is None
    body = render(
        RenderContext(hidden, EP, UTC),
        hidden.entities["Shipment"],
        SHIPMENT,
        parse_projection("Packages,Packages/PackageContents", None),
    )
    assert "PackageContents" not in body["Packages"][0]


def test_ad_hoc_schema_is_an_empty_skeleton():
    body = ad_hoc_schema(ctx(), SCHEMA.entities["SalesOrder"])
    assert body["OrderNbr"] == {} and body["Details"] == []
    assert body["ShipToAddress"]["City"] == {}
    assert body["custom"] == {} and body["_workflowActions"] == []

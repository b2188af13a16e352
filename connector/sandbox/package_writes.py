"""Packages of a PUT Shipment: the box, weight, dimensions, tracking and reference numbers,
and (where the endpoint exposes them) the package contents."""

from __future__ import annotations

from decimal import Decimal

from .data import Record, normalize_key
from .writes import WriteContext, assign, merge_lines

PACKAGE = frozenset(
    {
        "BoxID",
        "Weight",
        "TrackingNbr",
        "CustomRefNbr1",
        "CustomRefNbr2",
        "Description",
        "DeclaredValue",
        "CODAmount",
        "Length",
        "Width",
        "Height",
        "Confirmed",
    }
)
CONTENT = frozenset(
    {
        "InventoryID",
        "LotSerialNbr",
        "Quantity",
        "UOM",
        "OrigOrderType",
        "OrigOrderNbr",
        "ShipmentSplitLineNbr",
    }
)


def write_package(
    w: WriteContext, shipment: Record, package: Record, item: dict, inserted: bool = True
) -> Record:
    """Apply one package of the body; BoxID must be a defined box (its dimensions become the
    defaults), amounts and dimensions cannot be negative; UOM and Type are the form's."""
    data = w.data
    entities = w.schema.entities
    if inserted:
        package.update(Type="Manual", Confirmed=False, PackageContents=[], note="")
    written = assign(
        w, entities["ShipmentPackage"], package, item, PACKAGE, "Package", inserted=inserted
    )
    box_id = package.get("BoxID")
    errors = package.get("_errors", {})
    if not box_id:
        w.empty(package, "BoxID", "Package", inserted=inserted)
    elif "BoxID" not in errors:
        box = data.lookups.boxes.get(box_id.upper())
        if box is None:
            w.not_found(package, "BoxID", "Package", inserted=inserted)
        elif "BoxID" in written:
            package["BoxID"] = box_id.upper()
            for name in ("Length", "Width", "Height"):
                if name not in written:
                    package[name] = Decimal(box[name])
            if "Description" not in written and inserted:
                package["Description"] = box["Description"]
    for name in ("Weight", "DeclaredValue", "CODAmount", "Length", "Width", "Height"):
        value = package.get(name)
        if value is not None and value < 0 and name not in errors:
            w.error(
                package,
                name,
                f"'{name}' must be greater than or equal to 0.",
                "Package",
                inserted=inserted,
            )
    contents = entities["ShipmentPackage"].field("PackageContents")
    if contents is not None and isinstance(item.get("PackageContents"), list):
        merge_lines(
            w,
            entities["ShipmentPackageDetail"],
            package["PackageContents"],
            item["PackageContents"],
            insert=lambda sub: [_content(w, shipment, {"id": data.new_id(), "note": ""}, sub)],
            update=lambda content, sub: _content(w, shipment, content, sub),
        )
    return package


def _content(w: WriteContext, shipment: Record, content: Record, item: dict) -> Record:
    assign(
        w,
        w.schema.entities["ShipmentPackageDetail"],
        content,
        item,
        CONTENT,
        "Package Contents",
        inserted=True,
    )
    inventory = content.get("InventoryID")
    shipped = {normalize_key([ln.get("InventoryID")]) for ln in shipment.get("Details", [])}
    if not inventory:
        w.empty(content, "InventoryID", "Package Contents", inserted=True)
    elif normalize_key([inventory]) not in shipped:
        w.not_found(content, "InventoryID", "Package Contents", inserted=True)
    return content

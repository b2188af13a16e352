"""What the sandbox serves of the Default endpoint: entities, fields, value types, keys, actions,
per endpoint version.

Field names, their order and their value types are those of Acumatica's own swagger files
(API.md §4.3, §11; swagger/extracts for 20, 25 and 26); schema_fields.py lists them with the
version markers that say which versions serve which field. Every scalar field of a served entity
is served; of the linked and detail entities only those a fulfillment integration touches are
(the others, e.g. ``SalesOrder.Payments`` or ``StockItem.WarehouseDetails``, are left out of the
entity, its swagger and its responses). tests/sandbox/test_swagger.py and
test_versions_swagger.py hold this file to the shared swagger.

Two views of one version (:func:`endpoint_schema`): the *wire* view (``entities``) names and
types fields as that version does — what swagger, rendering and ``$filter`` use — and the
*storage* view (``.storage``) names them as the sandbox's records keep them, with the value
types of Contract Version 4: what the writers work with, whatever the version.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache, cached_property

from . import schema_fields as specs

VALUE_TYPES = {
    "str": "StringValue",
    "dec": "DecimalValue",
    "int": "IntValue",
    "short": "ShortValue",
    "long": "LongValue",
    "bool": "BooleanValue",
    "dt": "DateTimeValue",
    "guid": "GuidValue",
    "byte": "ByteValue",
    "double": "DoubleValue",
}
NUMERIC_TYPES = frozenset(
    {"DecimalValue", "IntValue", "ShortValue", "LongValue", "ByteValue", "DoubleValue"}
)
INTEGER_TYPES = frozenset({"IntValue", "ShortValue", "LongValue", "ByteValue"})
# A drop-down field's wrapper from Contract Version 5 on: {"value": {"ID": …, "Description": …}}.
SINGLE_SELECT = "StringSingleSelectValue"
OLDEST_VERSION = "20.200.001"
# Default/26.200.001 is the first endpoint of Contract Version 5 (API.md §0).
CONTRACT_5_SINCE = "26.200.001"


@dataclass(frozen=True)
class FieldDef:
    name: str
    # "value" (a *Value wrapper), "linked" (one nested object) or "detail" (an array of them).
    kind: str
    # The *Value schema name for value fields, the nested entity's name otherwise.
    type_name: str
    since: str = OLDEST_VERSION
    # The first version that no longer serves it (None: still served).
    until: str | None = None
    # Where the records keep its value when that is not under its own name (a renamed field).
    stored: str = ""
    # A drop-down: StringValue up to Contract Version 4, StringSingleSelectValue from 5 on.
    choice: bool = False

    @property
    def store_key(self) -> str:
        return self.stored or self.name

    def served_in(self, version: tuple[int, ...]) -> bool:
        return version_tuple(self.since) <= version and (
            self.until is None or version < version_tuple(self.until)
        )


@dataclass(frozen=True)
class ActionDef:
    name: str
    # (parameter name, *Value schema name), in swagger order.
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EntityDef:
    name: str
    fields: tuple[FieldDef, ...]
    keys: tuple[str, ...] = ()
    # Swagger tag description of a top-level entity, e.g. "Sales Orders (SO301000)".
    screen: str = ""
    # Graph and data view named in the `files:put` link of records that can carry files.
    graph: str = ""
    view: str = ""
    actions: tuple[ActionDef, ...] = ()
    # Fields that identify a detail line inside its parent besides `id` (API.md §4.1).
    line_keys: tuple[str, ...] = ()
    # Setup entities the sandbox serves from its lookups: GET only (see README.md).
    read_only: bool = False

    @cached_property
    def by_name(self) -> dict[str, FieldDef]:
        return {f.name: f for f in self.fields}

    def field(self, name: str) -> FieldDef | None:
        return self.by_name.get(name)

    @cached_property
    def value_fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for f in self.fields if f.kind == "value")

    @cached_property
    def nested_fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for f in self.fields if f.kind != "value")

    def action(self, name: str) -> ActionDef | None:
        return next((a for a in self.actions if a.name == name), None)


def _version(marker: str) -> str:
    return f"{marker}.200.001"


def _fields(spec: str, *, omit: str = "") -> tuple[FieldDef, ...]:
    """Parse ``Name:type[@since][!until][=Stored]`` tokens (schema_fields.py says what each part
    means). ``omit`` names fields not served."""
    omitted = set(omit.split())
    out = []
    for token in spec.split():
        name, _, rest = token.partition(":")
        rest, _, stored = rest.partition("=")
        rest, _, until = rest.partition("!")
        type_part, _, since = rest.partition("@")
        if name in omitted:
            continue
        common = {
            "since": _version(since) if since else OLDEST_VERSION,
            "until": _version(until) if until else None,
            "stored": stored,
        }
        if type_part == "choice":
            out.append(FieldDef(name, "value", "StringValue", choice=True, **common))
        elif type_part in VALUE_TYPES:
            out.append(FieldDef(name, "value", VALUE_TYPES[type_part], **common))
        elif type_part.endswith("[]"):
            out.append(FieldDef(name, "detail", type_part[:-2], **common))
        else:
            out.append(FieldDef(name, "linked", type_part, **common))
    return tuple(out)


_SALES_ORDER = _fields(**specs.SALES_ORDER)
_SALES_ORDER_DETAIL = _fields(**specs.SALES_ORDER_DETAIL)
_SALES_ORDER_SHIPMENT = _fields(**specs.SALES_ORDER_SHIPMENT)
_ADDRESS = _fields(**specs.ADDRESS)
_DOC_CONTACT = _fields(**specs.DOC_CONTACT)
_SHIPPING_SETTINGS = _fields(**specs.SHIPPING_SETTINGS)
_SHIPMENT = _fields(**specs.SHIPMENT)
_SHIPMENT_DETAIL = _fields(**specs.SHIPMENT_DETAIL)
_SHIPMENT_DETAIL_ALLOCATION = _fields(**specs.SHIPMENT_DETAIL_ALLOCATION)
_SHIPMENT_ORDER_DETAIL = _fields(**specs.SHIPMENT_ORDER_DETAIL)
_SHIPMENT_PACKAGE = _fields(**specs.SHIPMENT_PACKAGE)
_SHIPMENT_PACKAGE_DETAIL = _fields(**specs.SHIPMENT_PACKAGE_DETAIL)
_SHIP_TO_SETTINGS = _fields(**specs.SHIP_TO_SETTINGS)
_STOCK_ITEM = _fields(**specs.STOCK_ITEM)
_WAREHOUSE_FIELDS = _fields(**specs.WAREHOUSE_FIELDS)
_SHIPPING_BOX = _fields(**specs.SHIPPING_BOX)
_SHIP_VIA = _fields(**specs.SHIP_VIA)

_SHIPMENT_DATE = ("ShipmentDate", "DateTimeValue")
_WAREHOUSE = ("WarehouseID", "StringValue")

ENTITIES: dict[str, EntityDef] = {
    e.name: e
    for e in (
        EntityDef(
            "SalesOrder",
            _SALES_ORDER,
            keys=("OrderType", "OrderNbr"),
            screen="Sales Orders (SO301000)",
            graph="PX.Objects.SO.SOOrderEntry",
            view="Document",
            actions=(
                ActionDef("CancelSalesOrder"),
                ActionDef("SalesOrderCreateShipment", (_SHIPMENT_DATE, _WAREHOUSE)),
            ),
        ),
        EntityDef(
            "SalesOrderDetail",
            _SALES_ORDER_DETAIL,
            graph="PX.Objects.SO.SOOrderEntry",
            view="Transactions",
            line_keys=("LineNbr",),
        ),
        EntityDef("SalesOrderShipment", _SALES_ORDER_SHIPMENT),
        EntityDef("Address", _ADDRESS),
        EntityDef("DocContact", _DOC_CONTACT),
        EntityDef("ShippingSettings", _SHIPPING_SETTINGS),
        EntityDef(
            "Shipment",
            _SHIPMENT,
            keys=("ShipmentNbr",),
            screen="Shipments (SO302000)",
            graph="PX.Objects.SO.SOShipmentEntry",
            view="Document",
            actions=(ActionDef("ConfirmShipment"), ActionDef("CorrectShipment")),
        ),
        EntityDef(
            "ShipmentDetail",
            _SHIPMENT_DETAIL,
            graph="PX.Objects.SO.SOShipmentEntry",
            view="Transactions",
            line_keys=("LineNbr",),
        ),
        EntityDef(
            "ShipmentDetailAllocation", _SHIPMENT_DETAIL_ALLOCATION, line_keys=("SplitLineNbr",)
        ),
        EntityDef("ShipmentOrderDetail", _SHIPMENT_ORDER_DETAIL),
        EntityDef(
            "ShipmentPackage",
            _SHIPMENT_PACKAGE,
            graph="PX.Objects.SO.SOShipmentEntry",
            view="Packages",
            line_keys=("LineNbr",),
        ),
        EntityDef("ShipmentPackageDetail", _SHIPMENT_PACKAGE_DETAIL),
        EntityDef("ShipToSettings", _SHIP_TO_SETTINGS),
        EntityDef(
            "StockItem",
            _STOCK_ITEM,
            keys=("InventoryID",),
            screen="Stock Items (IN202500)",
            graph="PX.Objects.IN.InventoryItemMaint",
            view="Item",
        ),
        EntityDef(
            "Warehouse",
            _WAREHOUSE_FIELDS,
            keys=("WarehouseID",),
            screen="Warehouses (IN204000)",
            graph="PX.Objects.IN.INSiteMaint",
            view="site",
            read_only=True,
        ),
        EntityDef(
            "ShippingBox",
            _SHIPPING_BOX,
            keys=("BoxID",),
            screen="Boxes (CS207600)",
            graph="PX.Objects.CS.CSBoxMaint",
            view="Records",
            read_only=True,
        ),
        EntityDef(
            "ShipVia",
            _SHIP_VIA,
            keys=("CarrierID",),
            screen="Ship via Codes (CS207500)",
            graph="PX.Objects.CS.CarrierMaint",
            view="Carrier",
            read_only=True,
        ),
    )
}
TOP_LEVEL = ("SalesOrder", "Shipment", "StockItem", "Warehouse", "ShippingBox", "ShipVia")


def version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


def contract_version(version: str) -> int:
    """The system contract an endpoint version follows (API.md §0): 5 from 26.200.001 on."""
    return 5 if version_tuple(version) >= version_tuple(CONTRACT_5_SINCE) else 4


@dataclass(frozen=True)
class EndpointSchema:
    """The entities one endpoint version serves, fields already filtered for that version."""

    version: str
    entities: dict[str, EntityDef] = field(hash=False)

    @property
    def top_level(self) -> tuple[str, ...]:
        return tuple(name for name in TOP_LEVEL if name in self.entities)

    @property
    def contract(self) -> int:
        return contract_version(self.version)

    def entity(self, name: str) -> EntityDef | None:
        return self.entities.get(name)

    @cached_property
    def storage(self) -> EndpointSchema:
        """The same fields under the names the records keep them by, with Contract Version 4
        value types (a drop-down is a StringValue holding its label)."""
        entities = {
            name: replace(
                entity,
                fields=tuple(
                    replace(f, name=f.store_key, stored="", type_name=_storage_type(f))
                    for f in entity.fields
                ),
            )
            for name, entity in self.entities.items()
        }
        return EndpointSchema(self.version, entities)


def _storage_type(definition: FieldDef) -> str:
    return "StringValue" if definition.choice else definition.type_name


@cache
def endpoint_schema(version: str, *, package_contents_exposed: bool = True) -> EndpointSchema:
    """The served schema of Default/<version>. ``package_contents_exposed=False`` drops
    ``ShipmentPackage.PackageContents`` (an instance whose endpoint does not map it)."""
    wanted = version_tuple(version)
    single_select = contract_version(version) >= 5
    entities = {}
    for name, entity in ENTITIES.items():
        fields = tuple(
            replace(f, type_name=SINGLE_SELECT) if f.choice and single_select else f
            for f in entity.fields
            if f.served_in(wanted)
            and not (
                name == "ShipmentPackage"
                and f.name == "PackageContents"
                and not package_contents_exposed
            )
        )
        entities[name] = replace(entity, fields=fields)
    return EndpointSchema(version, entities)

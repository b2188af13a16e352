"""The Default endpoint versions the connector supports, and what differs between them: the one
place that knows each version's field names, which fields exist, and how a drop-down value is
wrapped.

The connector speaks one vocabulary everywhere else: Default/24.200.001's names and Contract
Version 4's values (``"Status": {"value": "Open"}``). :mod:`.dialect` translates between that
and the store's endpoint version on every call the client makes, from the facts here:

* 20.200.001 lacks fields 22.200.001 added (package dimensions, the package contents' original
  order, NoteIDs…) and names ``Shipment.FreightPrice`` ``FreightAmount``
  (swagger/extracts/DIFF.md, API.md §11);
* 22/23 lack a few of 24's (``SalesOrder.Branch``, ``Shipment.UnlimitedPackages``…);
* 25.200.001 adds ``_workflowActions`` (nothing the connector reads);
* 26.200.001 is Contract Version 5 (API.md §0): ``SalesOrder.LastModified`` and
  ``SalesOrderDetail.LastModifiedDate`` are ``LastModifiedDateTime``, drop-downs are
  ``StringSingleSelectValue`` (``{"value": {"ID": "N", "Description": "Open"}}``, sent and
  filtered by ID), filters are OData 4.01 (bare date-times, ``contains``) and nested entities
  are expanded in parentheses.

Plain Python: no Django, no HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

V20, V22, V23, V24, V25, V26 = (f"{n}.200.001" for n in (20, 22, 23, 24, 25, 26))
# Oldest first. There is no Default/21.200.001: Acumatica's 2021 releases kept 20.200.001 (the
# official C# client and the 2026 R2 guide's endpoint table list none).
SUPPORTED_VERSIONS = (V20, V22, V23, V24, V25, V26)
NEWEST_SUPPORTED = SUPPORTED_VERSIONS[-1]
# The names and value forms the rest of the connector uses.
CANONICAL_VERSION = V24
SINGLE_SELECT = "StringSingleSelectValue"

# The nested entities the connector reads or writes: (entity, field) → the nested entity.
LINKS: dict[tuple[str, str], str] = {
    ("SalesOrder", "Details"): "SalesOrderDetail",
    ("SalesOrder", "ShipToAddress"): "Address",
    ("SalesOrder", "BillToAddress"): "Address",
    ("SalesOrder", "ShipToContact"): "DocContact",
    ("SalesOrder", "BillToContact"): "DocContact",
    ("SalesOrder", "Shipments"): "SalesOrderShipment",
    ("SalesOrder", "ShippingSettings"): "ShippingSettings",
    ("Shipment", "Details"): "ShipmentDetail",
    ("Shipment", "Packages"): "ShipmentPackage",
    ("Shipment", "Orders"): "ShipmentOrderDetail",
    ("Shipment", "ShippingSettings"): "ShipToSettings",
    ("ShipToSettings", "ShipToAddress"): "Address",
    ("ShipToSettings", "ShipToContact"): "DocContact",
    ("ShipmentDetail", "Allocations"): "ShipmentDetailAllocation",
    ("ShipmentPackage", "PackageContents"): "ShipmentPackageDetail",
}


def _all(entity: str, names: str, version: str) -> dict[tuple[str, str], str]:
    return {(entity, name): version for name in names.split()}


# (entity, canonical field) → the first version that has it.
_ADDED: dict[tuple[str, str], str] = {
    **_all(
        "SalesOrder",
        "DisableAutomaticTaxCalculation ExternalOrderOriginal ExternalRefundRef WillCall "
        "PaymentRef NoteID UsrExternalOrderOriginal ExternalOrderOrigin ExternalOrderSource "
        "TaxCalcMode CreatedDate",
        V22,
    ),
    ("SalesOrder", "Branch"): V23,
    ("SalesOrder", "MaxRiskScore"): V23,
    **_all(
        "SalesOrderDetail",
        "InvoiceLineNbr InvoiceNbr InvoiceType PurchaseWarehouse VendorID "
        "AssociatedOrderLineNbr GiftMessage ManualPrice LotSerialNbr NoteID ExternalRef",
        V22,
    ),
    **_all(
        "SalesOrderShipment",
        "InventoryNoteID LastModifiedDateTime OrderNoteID ShippingNoteID",
        V22,
    ),
    ("ShippingSettings", "OverrideFreightPrice"): V22,
    ("Shipment", "NoteID"): V22,
    ("Shipment", "UnlimitedPackages"): V24,
    ("ShipmentDetailAllocation", "SplitLineNbr"): V22,
    ("ShipmentOrderDetail", "OrderNoteID"): V22,
    **_all("ShipmentPackage", "Length Width Height LineNbr NoteID", V22),
    **_all("ShipmentPackageDetail", "OrigOrderNbr OrigOrderType", V22),
    ("StockItem", "LastModifiedDateTime"): V24,
}
# (entity, canonical field) → ((first version, last version or None, the name there), …).
_RENAMED: dict[tuple[str, str], tuple[tuple[str, str | None, str], ...]] = {
    ("Shipment", "FreightPrice"): ((V20, V20, "FreightAmount"),),
    ("ShippingSettings", "FreightPrice"): ((V20, V20, "Freight"),),
    ("SalesOrder", "LastModified"): ((V26, None, "LastModifiedDateTime"),),
    ("SalesOrderDetail", "LastModifiedDate"): ((V26, None, "LastModifiedDateTime"),),
}
# Canonical types that a rename also changed (SalesOrderDetail.LastModifiedDate was a
# StringValue holding a date until 25.200.001).
_RETYPED: dict[tuple[str, str], tuple[str, str]] = {
    ("SalesOrderDetail", "LastModifiedDate"): (V26, "DateTimeValue"),
}
# Drop-downs that Contract Version 5 wraps as StringSingleSelectValue (DIFF.md, the schemas
# read; fields of schemas not read there are taken to stay StringValue).
_DROP_DOWNS = frozenset(
    {
        ("SalesOrder", "OrderType"),
        ("SalesOrder", "Status"),
        ("SalesOrderDetail", "InvoiceType"),
        ("SalesOrderDetail", "LineType"),
        ("SalesOrderShipment", "InventoryDocType"),
        ("SalesOrderShipment", "InvoiceType"),
        ("SalesOrderShipment", "ShipmentType"),
        ("SalesOrderShipment", "Status"),
        ("Shipment", "Status"),
        ("Shipment", "Type"),
        ("ShipmentDetail", "OrderType"),
        ("ShipmentDetailAllocation", "OrderType"),
        ("ShipmentOrderDetail", "InventoryDocType"),
        ("ShipmentOrderDetail", "InvoiceType"),
        ("ShipmentOrderDetail", "OrderType"),
        ("ShipmentOrderDetail", "ShipmentType"),
    }
)
# Drop-down labels (Contract Version 4's values) and their IDs (API.md §4.2). A value not here
# is its own ID, as an order type is (SO).
_SO_STATUS = {
    "Open": "N",
    "On Hold": "H",
    "Pending Approval": "P",
    "Rejected": "V",
    "Pending Processing": "E",
    "Awaiting Payment": "A",
    "Credit Hold": "R",
    "Completed": "C",
    "Canceled": "L",
    "Back Order": "B",
    "Shipping": "S",
    "Invoiced": "I",
    "Expired": "D",
}
_SHIPMENT_STATUS = {
    "Open": "N",
    "On Hold": "H",
    "Completed": "C",
    "Canceled": "L",
    "Confirmed": "F",
    "Invoiced": "I",
    "Partially Invoiced": "Y",
    "Receipted": "R",
    "Auto-Generated": "A",
}
_SHIPMENT_TYPE = {"Shipment": "I", "Transfer": "T"}
DROP_DOWN_IDS: dict[tuple[str, str], dict[str, str]] = {
    ("SalesOrder", "Status"): _SO_STATUS,
    ("Shipment", "Status"): _SHIPMENT_STATUS,
    ("SalesOrderShipment", "Status"): _SHIPMENT_STATUS,
    ("Shipment", "Type"): _SHIPMENT_TYPE,
    ("SalesOrderShipment", "ShipmentType"): _SHIPMENT_TYPE,
    ("ShipmentOrderDetail", "ShipmentType"): _SHIPMENT_TYPE,
}


# Drop-downs whose Contract Version 4 value is the ID itself (an order type: "SO"); the others
# show their label ("Open"), which Contract Version 5 sends as the Description.
_SHOWN_BY_ID = frozenset((entity, name) for entity, name in _DROP_DOWNS if name == "OrderType")


def version_key(version: str) -> tuple[int, ...]:
    """``"24.200.001"`` → (24, 200, 1); anything else sorts first."""
    try:
        return tuple(int(part) for part in version.strip().split("."))
    except ValueError:
        return (0,)


def is_supported(version: str) -> bool:
    return version in SUPPORTED_VERSIONS


def newest_supported(installed: list[str] | tuple[str, ...]) -> str | None:
    """The newest version in ``installed`` that the connector supports, if any."""
    usable = [v for v in installed if is_supported(v)]
    return max(usable, key=version_key) if usable else None


def _between(version: str, first: str, last: str | None) -> bool:
    key = version_key(version)
    return version_key(first) <= key and (last is None or key <= version_key(last))


@dataclass(frozen=True)
class EndpointVersion:
    """One Default endpoint version as the connector sees it. Field names given to its methods
    are canonical (24.200.001's)."""

    version: str

    @property
    def contract(self) -> int:
        return 5 if version_key(self.version) >= version_key(V26) else 4

    @property
    def supported(self) -> bool:
        return is_supported(self.version)

    @property
    def workflow_actions(self) -> bool:
        return version_key(self.version) >= version_key(V25)

    @property
    def reads_differently(self) -> bool:
        """Whether records of this version need translating on the way in (a renamed field,
        or Contract Version 5's drop-downs)."""
        return self.contract >= 5 or bool(_canonical_names(self.version))

    def has(self, entity: str, name: str) -> bool:
        """Whether this version has the (canonical) field."""
        added = _ADDED.get((entity, name))
        return added is None or version_key(self.version) >= version_key(added)

    def name_of(self, entity: str, name: str) -> str:
        """The field's name in this version."""
        for first, last, renamed in _RENAMED.get((entity, name), ()):
            if _between(self.version, first, last):
                return renamed
        return name

    def canonical_of(self, entity: str, name: str) -> str:
        """The canonical name of a field as this version names it."""
        return self._canonical_names.get((entity, name), name)

    @property
    def _canonical_names(self) -> Mapping[tuple[str, str], str]:
        return _canonical_names(self.version)

    def is_drop_down(self, entity: str, name: str) -> bool:
        """Whether the field is a StringSingleSelectValue here (Contract Version 5)."""
        return self.contract >= 5 and (entity, name) in _DROP_DOWNS

    def type_of(self, entity: str, name: str, canonical_type: str) -> str:
        """The value type of a field whose 24.200.001 type is ``canonical_type``."""
        if self.is_drop_down(entity, name):
            return SINGLE_SELECT
        retyped = _RETYPED.get((entity, name))
        if retyped and version_key(self.version) >= version_key(retyped[0]):
            return retyped[1]
        return canonical_type

    def shown_by_id(self, entity: str, name: str) -> bool:
        """Contract Version 4 shows this drop-down's ID (order types), not its label."""
        return (entity, name) in _SHOWN_BY_ID

    def drop_down_id(self, entity: str, name: str, label: str) -> str:
        return DROP_DOWN_IDS.get((entity, name), {}).get(label, label)

    def drop_down_label(self, entity: str, name: str, code: str) -> str:
        for label, known in DROP_DOWN_IDS.get((entity, name), {}).items():
            if known == code:
                return label
        return code

    def nested_entity(self, entity: str, name: str) -> str | None:
        return LINKS.get((entity, name))


@cache
def _canonical_names(version: str) -> dict[tuple[str, str], str]:
    found = {}
    for (entity, name), renames in _RENAMED.items():
        for first, last, renamed in renames:
            if _between(version, first, last):
                found[(entity, renamed)] = name
    return found


@cache
def version_of(version: str) -> EndpointVersion:
    """The :class:`EndpointVersion` of ``version`` (any text: an unsupported one behaves as the
    canonical version of its contract; the connection test names it as unsupported)."""
    return EndpointVersion(version.strip())

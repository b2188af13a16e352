"""What the sandbox serves of the Default endpoint: entities, fields, value types, keys, actions.

Field names, their order and their value types are those of Acumatica's own Default/24.200.001
swagger (API.md §4.3, §11); older endpoint versions serve the same set minus the fields marked with
the version that introduced them (``@23``, ``@24``). Every scalar field of a served entity is
served; of the linked and detail entities only those a fulfillment integration touches are (the
others, e.g. ``SalesOrder.Payments`` or ``StockItem.WarehouseDetails``, are left out of the
entity, its swagger and its responses). tests/sandbox/test_swagger.py holds this file to the
shared swagger.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache, cached_property

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
OLDEST_VERSION = "20.200.001"


@dataclass(frozen=True)
class FieldDef:
    name: str
    # "value" (a *Value wrapper), "linked" (one nested object) or "detail" (an array of them).
    kind: str
    # The *Value schema name for value fields, the nested entity's name otherwise.
    type_name: str
    since: str = OLDEST_VERSION


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


def _fields(spec: str, *, omit: str = "") -> tuple[FieldDef, ...]:
    """Parse ``Name:type[@since]`` tokens: type is a VALUE_TYPES short name, an entity name, or an
    entity name with ``[]`` for a detail collection. ``omit`` names fields not served."""
    omitted = set(omit.split())
    out = []
    for token in spec.split():
        name, _, rest = token.partition(":")
        type_part, _, since = rest.partition("@")
        if name in omitted:
            continue
        since_version = f"{since}.200.001" if since else OLDEST_VERSION
        if type_part in VALUE_TYPES:
            out.append(FieldDef(name, "value", VALUE_TYPES[type_part], since_version))
        elif type_part.endswith("[]"):
            out.append(FieldDef(name, "detail", type_part[:-2], since_version))
        else:
            out.append(FieldDef(name, "linked", type_part, since_version))
    return tuple(out)


_SALES_ORDER = _fields(
    """Approved:bool BaseCurrencyID:str BillToAddress:Address BillToAddressOverride:bool
    BillToAddressValidated:bool BillToContact:DocContact BillToContactOverride:bool Branch:str@23
    CashAccount:str Commissions:Commissions ContactID:str ControlTotal:dec CreditHold:bool
    CurrencyID:str CurrencyRate:dec CurrencyRateTypeID:str CustomerID:str CustomerOrder:str Date:dt
    Description:str DestinationWarehouseID:str Details:SalesOrderDetail[]
    DisableAutomaticDiscountUpdate:bool DisableAutomaticTaxCalculation:bool
    DiscountDetails:SalesOrdersDiscountDetails[] EffectiveDate:dt ExternalRef:str
    FinancialSettings:FinancialSettings Hold:bool IsTaxValid:bool LastModified:dt LocationID:str
    MaxRiskScore:dec@23 OrderedQty:dec OrderNbr:str OrderRisks:OrderRisks[]@23 OrderTotal:dec
    OrderType:str PaymentMethod:str Payments:SalesOrderPayment[] PreferredWarehouseID:str
    Project:str ReciprocalRate:dec Relations:RelationDetail[]@23 RequestedOn:dt
    Shipments:SalesOrderShipment[] ShippingSettings:ShippingSettings ShipToAddress:Address
    ShipToAddressOverride:bool ShipToAddressValidated:bool ShipToContact:DocContact
    ShipToContactOverride:bool ShipVia:str Status:str TaxDetails:TaxDetail[] TaxTotal:dec
    Totals:Totals VATExemptTotal:dec VATTaxableTotal:dec ExternalOrderOriginal:bool
    ExternalRefundRef:str WillCall:bool PaymentRef:str NoteID:guid UsrExternalOrderOriginal:bool
    ExternalOrderOrigin:str ExternalOrderSource:str TaxCalcMode:str CreatedDate:dt""",
    omit="Commissions DiscountDetails FinancialSettings OrderRisks Payments Relations TaxDetails "
    "Totals",
)
_SALES_ORDER_DETAIL = _fields(
    """Account:str Allocations:SalesOrderDetailAllocation[] AlternateID:str Amount:dec
    AutoCreateIssue:bool AverageCost:dec Branch:str CalculateDiscountsOnImport:bool
    Commissionable:bool Completed:bool CostCode:str CustomerOrderNbr:str DiscountAmount:dec
    DiscountCode:str DiscountedUnitPrice:dec DiscountPercent:dec ExtendedPrice:dec FreeItem:bool
    InventoryID:str InvoiceLineNbr:int InvoiceNbr:str InvoiceType:str LastModifiedDate:str
    LineDescription:str LineNbr:int LineType:str Location:str ManualDiscount:bool MarkForPO:bool
    OpenQty:dec Operation:str OrderQty:dec OvershipThreshold:dec POSource:str ProjectTask:str
    PurchaseWarehouse:str PurchasingDetails:PurchasingDetail[] VendorID:str QtyOnShipments:dec
    ReasonCode:str RequestedOn:dt SalespersonID:str SchedOrderDate:dt ShipOn:dt ShippingRule:str
    ShipToLocation:str Subitem:str TaxCategory:str TaxZone:str UnbilledAmount:dec
    UndershipThreshold:dec UnitCost:dec UnitPrice:dec UOM:str WarehouseID:str
    AssociatedOrderLineNbr:int GiftMessage:str ManualPrice:bool LotSerialNbr:str NoteID:guid
    ExternalRef:str""",
    omit="Allocations PurchasingDetails",
)
_SALES_ORDER_SHIPMENT = _fields(
    """InventoryDocType:str InventoryRefNbr:str InvoiceNbr:str InvoiceType:str ShipmentDate:dt
    ShipmentNbr:str ShipmentType:str ShippedQty:dec ShippedVolume:dec ShippedWeight:dec Status:str
    InventoryNoteID:guid LastModifiedDateTime:dt OrderNoteID:guid ShippingNoteID:guid"""
)
_ADDRESS = _fields(
    "AddressLine1:str AddressLine2:str City:str Country:str PostalCode:str State:str Validated:bool"
)
_DOC_CONTACT = _fields("Attention:str BusinessName:str Email:str Phone1:str")
_SHIPPING_SETTINGS = _fields(
    """CancelByDate:dt Canceled:bool FOBPoint:str GroundCollect:bool Insurance:bool
    PreferredWarehouseID:str Priority:short ResidentialDelivery:bool SaturdayDelivery:bool
    ScheduledShipmentDate:dt ShippingRule:str ShippingTerms:str ShippingZone:str ShipSeparately:bool
    ShipVia:str ShopForRates:ShopForRates UseCustomersAccount:bool FreightPrice:dec FreightCost:dec
    FreightCostIsuptodate:bool FreightTaxCategory:str OrderVolume:dec OrderWeight:dec
    OverrideFreightPrice:bool PackageWeight:dec PremiumFreight:dec""",
    omit="ShopForRates",
)
_SHIPMENT = _fields(
    """BaseCurrencyID:str ControlQty:dec CreatedDateTime:dt CurrencyRate:dec CurrencyRateTypeID:str
    CurrencyViewState:bool CustomerID:str CreateNewShipmentForEveryOrder:bool
    Details:ShipmentDetail[] Description:str EffectiveDate:dt FOBPoint:str OverrideFreightPrice:bool
    FreightPrice:dec FreightCost:dec FreightCurrencyID:str GroundCollect:bool Hold:bool
    Insurance:bool LastModifiedDateTime:dt LocationID:str Operation:str
    Orders:ShipmentOrderDetail[] Owner:str PackageCount:int Packages:ShipmentPackage[]
    PackageWeight:dec Picked:bool ReciprocalRate:dec ResidentialDelivery:bool SaturdayDelivery:bool
    ShipmentDate:dt ShipmentNbr:str ShippedQty:dec ShippedVolume:dec ShippedWeight:dec
    ShippingSettings:ShipToSettings ShippingTerms:str ShippingZoneID:str ShipVia:str Status:str
    ToWarehouseID:str Type:str UnlimitedPackages:bool@24 UseCustomersAccount:bool WarehouseID:str
    WorkgroupID:str NoteID:guid"""
)
_SHIPMENT_DETAIL = _fields(
    """Allocations:ShipmentDetailAllocation[] Description:str ExpirationDate:dt FreeItem:bool
    InventoryID:str LineNbr:int LocationID:str LotSerialNbr:str OpenQty:dec OrderedQty:dec
    OrderLineNbr:int OrderNbr:str OrderType:str OriginalQty:dec ReasonCode:str ShippedQty:dec
    Subitem:str UOM:str WarehouseID:str"""
)
_SHIPMENT_DETAIL_ALLOCATION = _fields(
    """Description:str ExpirationDate:dt InventoryID:str LocationID:str LotSerialNbr:str
    OrderNbr:str OrderType:str Qty:dec Subitem:str SplitLineNbr:int UOM:str"""
)
_SHIPMENT_ORDER_DETAIL = _fields(
    """InventoryDocType:str InventoryRefNbr:str InvoiceNbr:str InvoiceType:str OrderNbr:str
    OrderType:str ShipmentNbr:str ShipmentType:str ShippedQty:dec ShippedVolume:dec
    ShippedWeight:dec OrderNoteID:guid"""
)
_SHIPMENT_PACKAGE = _fields(
    """BoxID:str CODAmount:dec Confirmed:bool CustomRefNbr1:str CustomRefNbr2:str DeclaredValue:dec
    Description:str TrackingNbr:str Type:str UOM:str Weight:dec Length:dec Width:dec Height:dec
    PackageContents:ShipmentPackageDetail[] LineNbr:int NoteID:guid"""
)
_SHIPMENT_PACKAGE_DETAIL = _fields(
    """InventoryID:str LotSerialNbr:str OrigOrderNbr:str OrigOrderType:str Quantity:dec
    ShipmentSplitLineNbr:int Subitem:str UOM:str"""
)
_SHIP_TO_SETTINGS = _fields(
    """ShipToAddress:Address ShipToAddressOverride:bool ShipToContact:DocContact
    ShipToContactOverride:bool Validated:bool"""
)
_STOCK_ITEM = _fields(
    """ABCCode:str Attributes:AttributeValue[] AutoIncrementalValue:str AverageCost:dec BaseUOM:str
    Boxes:BoxStockItem[] Categories:CategoryStockItem[] COGSAccount:str COGSSubaccount:str
    Content:str CountryOfOrigin:str CrossReferences:InventoryItemCrossReference[]
    CurrentStdCost:dec DefaultIssueLocationID:str DefaultPrice:dec DefaultReceiptLocationID:str
    DefaultSubitem:str DefaultWarehouseID:str DeferralAccount:str DeferralSubaccount:str
    Description:str DimensionVolume:dec DimensionWeight:dec DiscountAccount:str
    DiscountSubaccount:str ImageUrl:str InventoryAccount:str InventoryID:str InventorySubaccount:str
    IsAKit:bool ItemClass:str ItemStatus:str ItemType:str LandedCostVarianceAccount:str
    LandedCostVarianceSubaccount:str LastCost:dec LastModified:dt LastModifiedDateTime:dt@24
    LastStdCost:dec LotSerialClass:str Markup:dec MaxCost:dec MinCost:dec MinMarkup:dec MSRP:dec
    PackagingOption:str PackSeparately:bool PendingStdCost:dec POAccrualAccount:str
    POAccrualSubaccount:str PostingClass:str PriceClass:str PriceManager:str PriceWorkgroup:str
    ProductManager:str ProductWorkgroup:str PurchasePriceVarianceAccount:str
    PurchasePriceVarianceSubaccount:str PurchaseUOM:str ReasonCodeSubaccount:str
    ReplenishmentParameters:ReplenishmentParameterStockItem[] SalesAccount:str SalesSubaccount:str
    SalesUOM:str StandardCostRevaluationAccount:str StandardCostRevaluationSubaccount:str
    StandardCostVarianceAccount:str StandardCostVarianceSubaccount:str SubjectToCommission:bool
    TaxCategory:str TariffCode:str UOMConversions:InventoryItemUOMConversion[] UseOnEntry:bool
    ValuationMethod:str VendorDetails:StockItemVendorDetail[] VolumeUOM:str
    WarehouseDetails:StockItemWarehouseDetail[] WeightUOM:str CurySpecificMSRP:dec
    CurySpecificPrice:dec Availability:str CustomURL:str ExportToExternal:bool
    FileURLs:InventoryFileUrls[] MetaDescription:str MetaKeywords:str NoteID:guid PageTitle:str
    SearchKeywords:str TemplateItemID:str Visibility:str NotAvailable:str""",
    omit="Attributes Boxes Categories CrossReferences ReplenishmentParameters UOMConversions "
    "VendorDetails WarehouseDetails FileURLs",
)
# Setup entities, read-only in the sandbox: what a connection test and a carrier/box mapping
# look up. Warehouse.Locations and ShipVia.FreightRates/Packages are not served.
_WAREHOUSE_FIELDS = _fields(
    """Active:bool COGSExpenseAccount:str COGSExpenseSubaccount:str Description:str
    DiscountAccount:str DiscountSubaccount:str DropShipLocationID:str FreightChargeAccount:str
    FreightChargeSubaccount:str InventoryAccount:str InventorySubaccount:str
    LandedCostVarianceAccount:str LandedCostVarianceSubaccount:str LastModifiedDateTime:dt@23
    Locations:WarehouseLocation[] MiscChargeAccount:str MiscChargeSubaccount:str
    NonStockPickingLocationID:str@23 OverrideInventoryAccountSubaccount:bool POAccrualAccount:str
    POAccrualSubaccount:str PurchasePriceVarianceAccount:str PurchasePriceVarianceSubaccount:str
    ReasonCodeSubaccount:str ReceivingLocationID:str RMALocationID:str SalesAccount:str
    SalesSubaccount:str ShippingLocationID:str StandardCostRevaluationAccount:str
    StandardCostRevaluationSubaccount:str StandardCostVarianceAccount:str
    StandardCostVarianceSubaccount:str UseItemDefaultLocationForPicking:bool@23 WarehouseID:str""",
    omit="Locations",
)
_SHIPPING_BOX = _fields(
    """ActiveByDefault:bool BoxID:str BoxWeight:dec CarriersPackage:str Description:str Height:dec
    Length:dec MaxVolume:dec MaxWeight:dec VolumeUOM:str WeightUOM:str Width:dec LinearUOM:str"""
)
# The Ship Via code is CarrierID (mapped to Carrier.CarrierID, the key of CS207500); the
# Default endpoint's separate "Carrier" entity is the carrier plug-in (CS207700).
_SHIP_VIA = _fields(
    """CalculationMethod:str Calendar:str CarrierID:str CommonCarrier:bool Description:str
    FreightExpenseAccount:str FreightExpenseSubaccount:str FreightRates:ShipViaFreightRate[]
    FreightSalesAccount:str FreightSalesSubaccount:str Packages:ShippingBox[] TaxCategory:str""",
    omit="FreightRates Packages",
)

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


@dataclass(frozen=True)
class EndpointSchema:
    """The entities one endpoint version serves, fields already filtered for that version."""

    version: str
    entities: dict[str, EntityDef] = field(hash=False)

    @property
    def top_level(self) -> tuple[str, ...]:
        return tuple(name for name in TOP_LEVEL if name in self.entities)

    def entity(self, name: str) -> EntityDef | None:
        return self.entities.get(name)


@cache
def endpoint_schema(version: str, *, package_contents_exposed: bool = True) -> EndpointSchema:
    """The served schema of Default/<version>. ``package_contents_exposed=False`` drops
    ``ShipmentPackage.PackageContents`` (an instance whose endpoint does not map it)."""
    wanted = version_tuple(version)
    entities = {}
    for name, entity in ENTITIES.items():
        fields = tuple(
            f
            for f in entity.fields
            if version_tuple(f.since) <= wanted
            and not (
                name == "ShipmentPackage"
                and f.name == "PackageContents"
                and not package_contents_exposed
            )
        )
        entities[name] = replace(entity, fields=fields)
    return EndpointSchema(version, entities)

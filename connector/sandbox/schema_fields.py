"""The Default endpoint's fields, entity by entity, as ``Name:type`` tokens (schema.py parses them).

``type`` is a value type (``str dec int short long bool dt guid byte double``), ``choice`` (a
drop-down: ``StringValue`` up to Contract Version 4, ``StringSingleSelectValue`` from Contract
Version 5 = 26.200.001), an entity name, or an entity name with ``[]`` (a detail collection).
Markers, per version of Default (API.md §11, swagger/extracts/DIFF.md):

* ``@22`` — first served in 22.200.001 (without a marker: since 20.200.001, the oldest);
* ``!26`` — no longer served from 26.200.001 on;
* ``=Stored`` — the field's value is kept under another name in the sandbox's records (a field
  renamed between versions: 20.200.001's ``Shipment.FreightAmount`` is 22's ``FreightPrice``,
  26.200.001's ``SalesOrder.LastModifiedDateTime`` is the older ``LastModified``).

Field names, order and types are Acumatica's own (Default/24.200.001 swagger, checked for every
version by tests/sandbox/test_swagger.py and test_versions_swagger.py).
"""

SALES_ORDER = dict(
    spec="""Approved:bool BaseCurrencyID:str BillToAddress:Address BillToAddressOverride:bool
    BillToAddressValidated:bool BillToContact:DocContact BillToContactOverride:bool Branch:str@23
    CashAccount:str Commissions:Commissions ContactID:str ControlTotal:dec CreditHold:bool
    CurrencyID:str CurrencyRate:dec CurrencyRateTypeID:str CustomerID:str CustomerOrder:str Date:dt
    Description:str DestinationWarehouseID:str Details:SalesOrderDetail[]
    DisableAutomaticDiscountUpdate:bool DisableAutomaticTaxCalculation:bool@22
    DiscountDetails:SalesOrdersDiscountDetails[] EffectiveDate:dt ExternalRef:str
    FinancialSettings:FinancialSettings Hold:bool IsTaxValid:bool LastModified:dt!26
    LastModifiedDateTime:dt@26=LastModified LocationID:str MaxRiskScore:dec@23 OrderedQty:dec
    OrderNbr:str OrderRisks:OrderRisks[]@23 OrderTotal:dec OrderType:choice PaymentMethod:str
    Payments:SalesOrderPayment[] PreferredWarehouseID:str Project:str ReciprocalRate:dec
    Relations:RelationDetail[]@23 RequestedOn:dt Shipments:SalesOrderShipment[]
    ShippingSettings:ShippingSettings ShipToAddress:Address ShipToAddressOverride:bool
    ShipToAddressValidated:bool ShipToContact:DocContact ShipToContactOverride:bool ShipVia:str
    Status:choice TaxDetails:TaxDetail[] TaxTotal:dec Totals:Totals VATExemptTotal:dec
    VATTaxableTotal:dec ExternalOrderOriginal:bool@22 ExternalRefundRef:str@22 WillCall:bool@22
    PaymentRef:str@22 NoteID:guid@22 UsrExternalOrderOriginal:bool@22 ExternalOrderOrigin:str@22
    ExternalOrderSource:str@22 TaxCalcMode:str@22 CreatedDate:dt@22""",
    omit="Commissions DiscountDetails FinancialSettings OrderRisks Payments Relations TaxDetails "
    "Totals",
)
SALES_ORDER_DETAIL = dict(
    spec="""Account:str Allocations:SalesOrderDetailAllocation[] AlternateID:str Amount:dec
    AutoCreateIssue:bool AverageCost:dec Branch:str CalculateDiscountsOnImport:bool
    Commissionable:bool Completed:bool CostCode:str CustomerOrderNbr:str DiscountAmount:dec
    DiscountCode:str DiscountedUnitPrice:dec DiscountPercent:dec ExtendedPrice:dec FreeItem:bool
    InventoryID:str InvoiceLineNbr:int@22 InvoiceNbr:str@22 InvoiceType:choice@22
    LastModifiedDate:str!26 LastModifiedDateTime:dt@26=LastModifiedDate LineDescription:str
    LineNbr:int LineType:choice Location:str ManualDiscount:bool MarkForPO:bool OpenQty:dec
    Operation:str OrderQty:dec OvershipThreshold:dec POSource:str ProjectTask:str
    PurchaseWarehouse:str@22 PurchasingDetails:PurchasingDetail[] VendorID:str@22
    QtyOnShipments:dec ReasonCode:str RequestedOn:dt SalespersonID:str SchedOrderDate:dt ShipOn:dt
    ShippingRule:str ShipToLocation:str Subitem:str TaxCategory:str TaxZone:str UnbilledAmount:dec
    UndershipThreshold:dec UnitCost:dec UnitPrice:dec UOM:str WarehouseID:str
    AssociatedOrderLineNbr:int@22 GiftMessage:str@22 ManualPrice:bool@22 LotSerialNbr:str@22
    NoteID:guid@22 ExternalRef:str@22""",
    omit="Allocations PurchasingDetails",
)
SALES_ORDER_SHIPMENT = dict(
    spec="""InventoryDocType:choice InventoryRefNbr:str InvoiceNbr:str InvoiceType:choice
    ShipmentDate:dt ShipmentNbr:str ShipmentType:choice ShippedQty:dec ShippedVolume:dec
    ShippedWeight:dec Status:choice InventoryNoteID:guid@22 LastModifiedDateTime:dt@22
    OrderNoteID:guid@22 ShippingNoteID:guid@22"""
)
# 25.200.001 adds the structured parts and 26.200.001 AddressLine3 (3P summary of the 2026 R2
# guide's endpoint comparison; the extracts did not read Address): served as StringValue.
ADDRESS = dict(
    spec="""AddressLine1:str AddressLine2:str AddressLine3:str@26 BuildingName:str@25
    BuildingNumber:str@25 City:str Country:str Department:str@25 DistrictName:str@25 Floor:str@25
    PostalCode:str PostBox:str@25 Room:str@25 State:str StreetName:str@25 SubDepartment:str@25
    TownLocationName:str@25 UnitNumber:str@25 Validated:bool"""
)
DOC_CONTACT = dict(spec="Attention:str BusinessName:str Email:str Phone1:str")
SHIPPING_SETTINGS = dict(
    spec="""CancelByDate:dt Canceled:bool FOBPoint:str GroundCollect:bool Insurance:bool
    PreferredWarehouseID:str Priority:short ResidentialDelivery:bool SaturdayDelivery:bool
    ScheduledShipmentDate:dt ShippingRule:str ShippingTerms:str ShippingZone:str
    ShipSeparately:bool ShipVia:str ShopForRates:ShopForRates UseCustomersAccount:bool
    Freight:dec!22=FreightPrice FreightPrice:dec@22 FreightCost:dec FreightCostIsuptodate:bool
    FreightTaxCategory:str OrderVolume:dec OrderWeight:dec OverrideFreightPrice:bool@22
    PackageWeight:dec PremiumFreight:dec""",
    omit="ShopForRates",
)
SHIPMENT = dict(
    spec="""BaseCurrencyID:str ControlQty:dec CreatedDateTime:dt CurrencyRate:dec
    CurrencyRateTypeID:str CurrencyViewState:bool CustomerID:str
    CreateNewShipmentForEveryOrder:bool Details:ShipmentDetail[] Description:str EffectiveDate:dt
    FOBPoint:str OverrideFreightPrice:bool FreightAmount:dec!22=FreightPrice FreightPrice:dec@22
    FreightCost:dec FreightCurrencyID:str GroundCollect:bool Hold:bool Insurance:bool
    LastModifiedDateTime:dt LocationID:str Operation:str Orders:ShipmentOrderDetail[] Owner:str
    PackageCount:int Packages:ShipmentPackage[] PackageWeight:dec Picked:bool ReciprocalRate:dec
    ResidentialDelivery:bool SaturdayDelivery:bool ShipmentDate:dt ShipmentNbr:str ShippedQty:dec
    ShippedVolume:dec ShippedWeight:dec ShippingSettings:ShipToSettings ShippingTerms:str
    ShippingZoneID:str ShipVia:str Status:choice ToWarehouseID:str Type:choice
    UnlimitedPackages:bool@24 UseCustomersAccount:bool WarehouseID:str WorkgroupID:str
    NoteID:guid@22"""
)
SHIPMENT_DETAIL = dict(
    spec="""Allocations:ShipmentDetailAllocation[] Description:str ExpirationDate:dt FreeItem:bool
    InventoryID:str LineNbr:int LocationID:str LotSerialNbr:str OpenQty:dec OrderedQty:dec
    OrderLineNbr:int OrderNbr:str OrderType:choice OriginalQty:dec ReasonCode:str ShippedQty:dec
    Subitem:str UOM:str WarehouseID:str"""
)
SHIPMENT_DETAIL_ALLOCATION = dict(
    spec="""Description:str ExpirationDate:dt InventoryID:str LocationID:str LotSerialNbr:str
    OrderNbr:str OrderType:choice Qty:dec Subitem:str SplitLineNbr:int@22 UOM:str"""
)
SHIPMENT_ORDER_DETAIL = dict(
    spec="""InventoryDocType:choice InventoryRefNbr:str InvoiceNbr:str InvoiceType:choice
    OrderNbr:str OrderType:choice ShipmentNbr:str ShipmentType:choice ShippedQty:dec
    ShippedVolume:dec ShippedWeight:dec OrderNoteID:guid@22"""
)
SHIPMENT_PACKAGE = dict(
    spec="""BoxID:str CODAmount:dec Confirmed:bool CustomRefNbr1:str CustomRefNbr2:str
    DeclaredValue:dec Description:str TrackingNbr:str Type:str UOM:str Weight:dec Length:dec@22
    Width:dec@22 Height:dec@22 PackageContents:ShipmentPackageDetail[] LineNbr:int@22
    NoteID:guid@22"""
)
SHIPMENT_PACKAGE_DETAIL = dict(
    spec="""InventoryID:str LotSerialNbr:str OrigOrderNbr:str@22 OrigOrderType:str@22 Quantity:dec
    ShipmentSplitLineNbr:int Subitem:str UOM:str"""
)
SHIP_TO_SETTINGS = dict(
    spec="""ShipToAddress:Address ShipToAddressOverride:bool ShipToContact:DocContact
    ShipToContactOverride:bool Validated:bool"""
)
STOCK_ITEM = dict(
    spec="""ABCCode:str Attributes:AttributeValue[] AutoIncrementalValue:str AverageCost:dec
    BaseUOM:str Boxes:BoxStockItem[] Categories:CategoryStockItem[] COGSAccount:str
    COGSSubaccount:str Content:str CountryOfOrigin:str@22
    CrossReferences:InventoryItemCrossReference[] CurrentStdCost:dec DefaultIssueLocationID:str
    DefaultPrice:dec DefaultReceiptLocationID:str DefaultSubitem:str DefaultWarehouseID:str
    DeferralAccount:str DeferralSubaccount:str Description:str DimensionVolume:dec
    DimensionWeight:dec DiscountAccount:str DiscountSubaccount:str ImageUrl:str
    InventoryAccount:str InventoryID:str InventorySubaccount:str IsAKit:bool ItemClass:str
    ItemStatus:str ItemType:str LandedCostVarianceAccount:str LandedCostVarianceSubaccount:str
    LastCost:dec LastModified:dt LastModifiedDateTime:dt@24 LastStdCost:dec LotSerialClass:str
    Markup:dec MaxCost:dec MinCost:dec MinMarkup:dec MSRP:dec PackagingOption:str
    PackSeparately:bool PendingStdCost:dec POAccrualAccount:str POAccrualSubaccount:str
    PostingClass:str PriceClass:str PriceManager:str PriceWorkgroup:str ProductManager:str
    ProductWorkgroup:str PurchasePriceVarianceAccount:str PurchasePriceVarianceSubaccount:str
    PurchaseUOM:str ReasonCodeSubaccount:str
    ReplenishmentParameters:ReplenishmentParameterStockItem[] SalesAccount:str SalesSubaccount:str
    SalesUOM:str StandardCostRevaluationAccount:str StandardCostRevaluationSubaccount:str
    StandardCostVarianceAccount:str StandardCostVarianceSubaccount:str SubjectToCommission:bool
    TaxCategory:str TariffCode:str@22 UOMConversions:InventoryItemUOMConversion[] UseOnEntry:bool
    ValuationMethod:str VendorDetails:StockItemVendorDetail[] VolumeUOM:str
    WarehouseDetails:StockItemWarehouseDetail[] WeightUOM:str CurySpecificMSRP:dec@22
    CurySpecificPrice:dec@22 Availability:str@22 CustomURL:str@22 ExportToExternal:bool@22
    FileURLs:InventoryFileUrls[] MetaDescription:str@22 MetaKeywords:str@22 NoteID:guid@22
    PageTitle:str@22 SearchKeywords:str@22 TemplateItemID:str@22 Visibility:str@22
    NotAvailable:str@22""",
    omit="Attributes Boxes Categories CrossReferences ReplenishmentParameters UOMConversions "
    "VendorDetails WarehouseDetails FileURLs",
)
# Setup entities, read-only in the sandbox: what a connection test and a carrier/box mapping
# look up. Warehouse.Locations and ShipVia.FreightRates/Packages are not served.
WAREHOUSE_FIELDS = dict(
    spec="""Active:bool COGSExpenseAccount:str COGSExpenseSubaccount:str Description:str
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
SHIPPING_BOX = dict(
    spec="""ActiveByDefault:bool BoxID:str BoxWeight:dec CarriersPackage:str Description:str
    Height:dec Length:dec MaxVolume:dec MaxWeight:dec VolumeUOM:str WeightUOM:str Width:dec
    LinearUOM:str"""
)
# The Ship Via code is CarrierID (mapped to Carrier.CarrierID, the key of CS207500); the
# Default endpoint's separate "Carrier" entity is the carrier plug-in (CS207700).
SHIP_VIA = dict(
    spec="""CalculationMethod:str Calendar:str CarrierID:str CommonCarrier:bool Description:str
    FreightExpenseAccount:str FreightExpenseSubaccount:str FreightRates:ShipViaFreightRate[]
    FreightSalesAccount:str FreightSalesSubaccount:str Packages:ShippingBox[] TaxCategory:str""",
    omit="FreightRates Packages",
)

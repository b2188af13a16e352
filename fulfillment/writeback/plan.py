"""What to write to Acumatica for one fulfillment, as plain values (the mapper's input).

``plan_for`` reads the fulfillment's rows and checks, before any call to Acumatica, what only a
person can fix: no carrier mapping or no box (→ held), or data Acumatica cannot take (several
warehouses in one shipment, a unit the connector cannot convert → failed). The payload builders
(:mod:`.payloads`) and the read-back check (:mod:`.verify`) work on the resulting
:class:`ShipmentPlan` alone, so they are tested without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from connector.acumatica.endpoints import version_of

from ..models import (
    CarrierMapping,
    Fulfillment,
    FulfillmentPackage,
    FulfillmentStatus,
    Order,
)
from ..modes import Mode
from . import units


class PlanHeld(Exception):
    """A person must add something (a carrier mapping, a default box) before it can be written."""


class PlanRefused(Exception):
    """The fulfillment cannot be written as it is; retrying will not help."""


@dataclass(frozen=True)
class LinePlan:
    order_type: str
    order_nbr: str
    # The sales-order line shipped (sales-order mode: always; shipment mode: when known).
    order_line_nbr: int | None
    # Shipment mode: the line of the existing Shipment.
    shipment_line_nbr: int | None
    inventory_id: str
    uom: str
    quantity: Decimal


@dataclass(frozen=True)
class ContentPlan:
    inventory_id: str
    uom: str
    quantity: Decimal
    order_type: str
    order_nbr: str


@dataclass(frozen=True)
class PackagePlan:
    box_id: str
    weight: Decimal
    tracking_number: str
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    contents: tuple[ContentPlan, ...] = ()


@dataclass(frozen=True)
class ShipmentPlan:
    # A new Shipment for the order's lines (sales-order mode), or the imported Shipment
    # completed (shipment mode): the mode's write-back plan (``fulfillment.modes``).
    creates_shipment: bool
    reference: str
    customer_id: str
    warehouse_id: str
    shipment_date: dt.date
    ship_via: str
    lines: tuple[LinePlan, ...]
    packages: tuple[PackagePlan, ...]
    include_contents: bool = False
    weight_uom: str = "LB"
    # Shipment mode: the Shipment to update, and its lines this fulfillment did not ship.
    shipment_nbr: str = ""
    unshipped_line_nbrs: tuple[int, ...] = ()
    # The store's endpoint version (what it can hold: 20.200.001 has no package dimensions).
    endpoint_version: str = ""

    @property
    def description(self) -> str:
        # The reference travels in the Shipment's Description (a top-level field, so a lost
        # reply can be found with $filter) and in every package's CustomRefNbr1.
        return f"3PL fulfillment {self.reference}"


def plan_for(
    fulfillment: Fulfillment,
    mapping: CarrierMapping | None,
    *,
    weight_uom: str,
    length_uom: str,
) -> ShipmentPlan:
    """Raises :class:`PlanHeld` or :class:`PlanRefused` with a message for the operator."""
    order = fulfillment.order
    store = fulfillment.store
    carriers_page = f"/stores/{store.pk}/carriers/"
    if mapping is None:
        service = f" service {fulfillment.service!r}" if fulfillment.service else ""
        raise PlanHeld(
            f"No Ship Via mapped for carrier {fulfillment.carrier!r}{service}: add it at "
            f"{carriers_page} and the write-back resumes."
        )
    mode = order.mode
    fulfilled = list(
        fulfillment.lines.select_related("order_line").order_by("order_line__line_nbr")
    )
    if not fulfilled:
        raise PlanRefused("The fulfillment has no lines to ship.")
    lines = []
    for item in fulfilled:
        line = item.order_line
        if line.order_id != order.pk:
            raise PlanRefused(f"Line {line.line_nbr} does not belong to {order}.")
        if item.quantity <= 0:
            raise PlanRefused(f"Line {line.line_nbr}: the shipped quantity must be positive.")
        order_type, order_nbr, order_line_nbr, shipment_line_nbr = mode.line_source(order, line)
        lines.append(
            LinePlan(
                order_type=order_type,
                order_nbr=order_nbr,
                order_line_nbr=order_line_nbr,
                shipment_line_nbr=shipment_line_nbr,
                inventory_id=line.inventory_id,
                uom=line.uom,
                quantity=item.quantity,
            )
        )

    if mode.creates_shipment:
        warehouses = sorted({item.order_line.warehouse for item in fulfilled} - {""})
        if len(warehouses) > 1:
            raise PlanRefused(
                f"The fulfillment ships lines from several warehouses ({', '.join(warehouses)}); "
                "an Acumatica shipment leaves from one warehouse: record one fulfillment per "
                "warehouse."
            )
        warehouse = (warehouses or [order.warehouse or store.default_warehouse])[0]
        if not warehouse:
            raise PlanRefused("No warehouse is known for the fulfillment's lines.")
        if not order.customer_id:
            raise PlanRefused(f"{order} has no customer.")
        unshipped: tuple[int, ...] = ()
    else:
        warehouse = order.warehouse
        if not order.erp_shipment_nbr:
            raise PlanRefused(f"{order} has no Acumatica shipment number.")
        earlier = (
            Fulfillment.objects.filter(order=order, pk__lt=fulfillment.pk)
            .exclude(status=FulfillmentStatus.FAILED)
            .values_list("reference", flat=True)
            .first()
        )
        if earlier:
            # A shipment is confirmed once; what was not shipped goes back to the sales order,
            # and Acumatica makes a new shipment for it (imported as an order of its own).
            raise PlanRefused(
                f"{order} is written back by fulfillment {earlier}; a shipment-mode order "
                "takes one fulfillment. Ship the rest on the shipment Acumatica makes for it."
            )
        shipped = {item.order_line.line_nbr for item in fulfilled}
        unshipped = tuple(sorted(set(order.lines.values_list("line_nbr", flat=True)) - shipped))

    endpoint = version_of(store.endpoint_version)
    context = _PackageContext(
        mapping=mapping,
        # An endpoint without package dimensions (20.200.001) is not sent them, and the
        # read-back does not expect them (API.md §11).
        dimensions=endpoint.has("ShipmentPackage", "Length"),
        carrier=fulfillment.carrier,
        include_contents=store.include_package_contents,
        mode=mode,
        order=order,
        weight_uom=weight_uom,
        length_uom=length_uom,
        carriers_page=carriers_page,
    )
    packages = tuple(
        _package(package, context)
        for package in fulfillment.packages.prefetch_related("contents__order_line").order_by(
            "position"
        )
    )
    return ShipmentPlan(
        creates_shipment=mode.creates_shipment,
        reference=fulfillment.reference,
        customer_id=order.customer_id,
        warehouse_id=warehouse,
        # ShipmentDate is a date in Acumatica: the day it shipped in the connector's TIME_ZONE.
        shipment_date=timezone.localtime(fulfillment.shipped_at).date(),
        ship_via=mapping.ship_via,
        lines=tuple(lines),
        packages=packages,
        include_contents=store.include_package_contents,
        weight_uom=weight_uom,
        shipment_nbr="" if mode.creates_shipment else order.erp_shipment_nbr,
        unshipped_line_nbrs=unshipped,
        endpoint_version=endpoint.version,
    )


@dataclass(frozen=True)
class _PackageContext:
    mapping: CarrierMapping
    dimensions: bool
    carrier: str
    include_contents: bool
    mode: Mode
    order: Order
    weight_uom: str
    length_uom: str
    carriers_page: str


def _package(package: FulfillmentPackage, ctx: _PackageContext) -> PackagePlan:
    where = f"Package {package.position}"
    box_id = package.box_id or ctx.mapping.default_box_id
    if not box_id:
        raise PlanHeld(
            f"{where} has no box and the mapping for carrier {ctx.carrier!r} has no "
            f"default box: set one at {ctx.carriers_page} and the write-back resumes."
        )
    try:
        weight = units.convert_weight(package.weight, package.weight_unit, ctx.weight_uom)
        dimensions = [
            units.convert_length(value, package.dimension_unit, ctx.length_uom)
            if value is not None and ctx.dimensions
            else None
            for value in (package.length, package.width, package.height)
        ]
    except units.UnknownUnit as exc:
        raise PlanRefused(
            f"{where}: the unit {exc.unit!r} cannot be converted (known: {', '.join(exc.known)})."
        ) from None
    contents: dict[int, ContentPlan] = {}
    order = ctx.order
    if ctx.include_contents:
        for content in package.contents.all():
            line = content.order_line
            if line.order_id != order.pk:
                raise PlanRefused(f"{where}: line {line.line_nbr} does not belong to {order}.")
            previous = contents.get(line.pk)
            order_type, order_nbr, _, _ = ctx.mode.line_source(order, line)
            contents[line.pk] = ContentPlan(
                inventory_id=line.inventory_id,
                uom=line.uom,
                quantity=content.quantity + (previous.quantity if previous else 0),
                order_type=order_type,
                order_nbr=order_nbr,
            )
    return PackagePlan(
        box_id=box_id.strip().upper(),
        weight=weight,
        tracking_number=package.tracking_number,
        length=dimensions[0],
        width=dimensions[1],
        height=dimensions[2],
        contents=tuple(contents.values()),
    )

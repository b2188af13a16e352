"""Recording what the warehouse shipped: ``fulfillment_record``.

One transaction per fulfillment: the order row is locked, the idempotency key is checked, the
request is checked against the order as it stands, and the fulfillment (lines, packages,
contents), its write-back outbox row, the lines' shipped quantities and the order's status are
written together. The write-back task is queued only after that commits (``writeback_enqueue``).

Idempotency: the key is unique per order (a database constraint). The same key with the same
request (compared by ``request_hash``, the sha256 of its canonical JSON) returns the fulfillment
already recorded; with another request it is a conflict. Two requests with one key that race
each other are serialised by the order lock; where a database has no row locks, the unique
constraint stops the second insert and it is answered from the row that won, as dj-stripe does.

``data`` is a validated request (the API's serializer or the order page's form):

    {"shipped_at": datetime, "carrier": str, "service": str,
     "lines": [{"line_id": int, "quantity": Decimal}],
     "packages": [{"box_id": str, "weight": Decimal, "weight_unit": "lb|kg|oz|g",
                   "length"/"width"/"height": Decimal | None, "dimension_unit": "in|cm|",
                   "tracking_number": str,
                   "contents": [{"line_id": int, "quantity": Decimal}]}]}

Optional keys may be missing or None; they mean the same as empty, for the hash too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentPackage,
    FulfillmentPackageContent,
    FulfillmentSource,
    Order,
    OrderEventKind,
    OrderLine,
    OrderStatus,
    WriteBackOutbox,
)
from ..timeline import order_event_record
from ..writeback import writeback_enqueue
from . import rules
from .errors import FulfillmentConflict, FulfillmentInvalid, OrderNotShippable
from .requests import (
    canonical_request,
    decimal_or_none,
    decimal_text,
    new_reference,
    request_hash,
)


def fulfillment_record(
    *,
    order: Order,
    data: dict[str, Any],
    idempotency_key: str,
    source: str,
    api_token=None,
    user=None,
    raw_request: Any = None,
) -> tuple[Fulfillment, bool]:
    """Record a fulfillment of ``order``; returns it and whether it was created now (False: the
    same request came again with the same key).

    Raises FulfillmentInvalid (with a message per field path), FulfillmentConflict (key re-used
    with another request) or OrderNotShippable. ``raw_request`` is the request as received
    (kept on the fulfillment); by default the canonical form of ``data``.
    """
    if source not in FulfillmentSource.values:
        raise ValueError(f"unknown fulfillment source {source!r}")
    key = idempotency_key if isinstance(idempotency_key, str) else ""
    if not key.strip() or len(key) > rules.IDEMPOTENCY_KEY_MAX:
        raise FulfillmentInvalid(
            {"idempotency_key": [f"Give a key of 1 to {rules.IDEMPOTENCY_KEY_MAX} characters."]}
        )
    canonical = canonical_request(data)
    digest = request_hash(canonical)
    try:
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            existing = Fulfillment.objects.filter(order=locked, idempotency_key=key).first()
            if existing is not None:
                return _same_request(existing, digest), False
            fulfillment = _record(
                locked,
                canonical,
                key=key,
                digest=digest,
                source=source,
                api_token=api_token,
                user=user,
                raw_request=canonical if raw_request is None else raw_request,
            )
    except IntegrityError:
        # A request with the same key committed between our read and our insert.
        existing = Fulfillment.objects.filter(order_id=order.pk, idempotency_key=key).first()
        if existing is None:
            raise
        return _same_request(existing, digest), False
    return fulfillment, True


def _same_request(existing: Fulfillment, digest: str) -> Fulfillment:
    if existing.request_hash != digest:
        raise FulfillmentConflict(existing)
    return existing


def _record(
    order: Order,
    request: dict[str, Any],
    *,
    key: str,
    digest: str,
    source: str,
    api_token,
    user,
    raw_request: Any,
) -> Fulfillment:
    _check_order_status(order)
    lines = {line.pk: line for line in OrderLine.objects.select_for_update().filter(order=order)}
    shipped = _check_request(order, request, lines)

    now = timezone.now()
    fulfillment = Fulfillment.objects.create(
        order=order,
        store_id=order.store_id,
        source=source,
        idempotency_key=key,
        request_hash=digest,
        raw_request=raw_request,
        api_token=api_token,
        created_by=user if user is not None and user.is_authenticated else None,
        shipped_at=dt.datetime.fromisoformat(request["shipped_at"]),
        carrier=request["carrier"],
        service=request["service"],
        reference=new_reference(),
        created_at=now,
    )
    FulfillmentLine.objects.bulk_create(
        FulfillmentLine(fulfillment=fulfillment, order_line_id=line_id, quantity=quantity)
        for line_id, quantity in shipped.items()
    )
    packages = FulfillmentPackage.objects.bulk_create(
        FulfillmentPackage(
            fulfillment=fulfillment,
            position=position,
            box_id=package["box_id"],
            weight=Decimal(package["weight"]),
            weight_unit=package["weight_unit"],
            length=decimal_or_none(package["length"]),
            width=decimal_or_none(package["width"]),
            height=decimal_or_none(package["height"]),
            dimension_unit=package["dimension_unit"],
            tracking_number=package["tracking_number"],
        )
        for position, package in enumerate(request["packages"], start=1)
    )
    FulfillmentPackageContent.objects.bulk_create(
        FulfillmentPackageContent(
            package=package_row, order_line_id=item["line_id"], quantity=Decimal(item["quantity"])
        )
        for package_row, package in zip(packages, request["packages"], strict=True)
        for item in package["contents"]
    )
    WriteBackOutbox.objects.create(fulfillment=fulfillment, due_at=now, created_at=now)

    for line_id, quantity in shipped.items():
        lines[line_id].shipped_quantity += quantity
    OrderLine.objects.bulk_update([lines[i] for i in shipped], ["shipped_quantity"])
    everything_shipped = all(line.shipped_quantity >= line.open_quantity for line in lines.values())
    status = OrderStatus.SHIPPED if everything_shipped else OrderStatus.PARTIALLY_SHIPPED
    if order.status == OrderStatus.ERROR:
        # The failed write-back that put it there still needs a person; the write-back
        # recomputes the status once it is fixed.
        status = OrderStatus.ERROR
    fields = ["updated_at"]
    if order.status != status:
        order.status, order.status_changed_at, order.status_reason = status, now, ""
        fields += ["status", "status_changed_at", "status_reason"]
    order.updated_at = now
    order.save(update_fields=fields)
    tracking = ", ".join(p.tracking_number for p in packages)
    order_event_record(
        order=order,
        kind=OrderEventKind.FULFILLMENT_RECEIVED,
        summary=(
            f"Fulfillment {fulfillment.reference} received "
            f"({'operator' if source == FulfillmentSource.OPERATOR else 'warehouse API'}): "
            f"{fulfillment.carrier} {fulfillment.service}".rstrip()
            + f", {len(packages)} package(s), tracking {tracking}."
        ),
        detail={"reference": fulfillment.reference, "tracking_numbers": tracking.split(", ")},
        fulfillment=fulfillment,
        actor=user,
        at=now,
    )

    writeback_enqueue(fulfillment.id)
    return fulfillment


def _check_order_status(order: Order) -> None:
    if order.mode.takes_one_fulfillment and order.fulfillments.exists():
        # In shipment mode the warehouse fulfills one existing Acumatica Shipment; what it did
        # not ship stays open on the sales order for Acumatica to ship another way.
        raise OrderNotShippable(
            f"{order.document_label} already has a fulfillment: in shipment mode an Acumatica "
            "Shipment is fulfilled once. What was not shipped stays open on its sales order.",
            status=order.status,
        )
    if order.status in rules.SHIPPABLE_STATUSES:
        return
    why = {
        OrderStatus.ON_HOLD_AT_SOURCE: "it is on hold in Acumatica",
        OrderStatus.CANCELLED_AT_SOURCE: "it was cancelled in Acumatica",
        OrderStatus.CLOSED_AT_SOURCE: "it was completed or shipped in Acumatica",
        OrderStatus.SHIPPED: "everything on it has been shipped already",
        OrderStatus.WRITTEN_BACK: "everything on it has been shipped and written back",
    }.get(order.status, f"its status is {order.get_status_display()}")
    detail = f" ({order.status_reason})" if order.status_reason else ""
    raise OrderNotShippable(
        f"Order {order.document_label} cannot take a fulfillment: {why}{detail}.",
        status=order.status,
    )


def _check_request(
    order: Order, request: dict[str, Any], lines: dict[int, OrderLine]
) -> dict[int, Decimal]:
    """Every rule that depends on the order as it stands; returns line id → quantity shipped.
    Collects every problem before refusing, so one answer names them all."""
    errors: dict[str, list[str]] = {}

    def error(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    if not request["carrier"]:
        error("carrier", "Name the carrier, e.g. UPS.")
    if not request["lines"]:
        error("lines", "Send at least one line with the quantity shipped.")
    if not request["packages"]:
        error("packages", "Send at least one package with its tracking number.")

    shipped: dict[int, Decimal] = {}
    seen: set[int] = set()
    for index, item in enumerate(request["lines"]):
        path = f"lines[{index}]"
        line = lines.get(item["line_id"])
        quantity = Decimal(item["quantity"])
        if line is None:
            error(
                f"{path}.line_id",
                f"Line {item['line_id']} is not a line of order {order.document_label}; use "
                "the line ids the orders API lists.",
            )
            continue
        if line.pk in seen:
            error(
                f"{path}.line_id",
                f"Line {item['line_id']} appears more than once; send each line once with the "
                "total quantity shipped.",
            )
            continue
        seen.add(line.pk)
        if quantity <= 0:
            error(f"{path}.quantity", "Must be more than 0.")
            continue
        left = line.open_quantity - line.shipped_quantity
        if quantity > left:
            error(
                f"{path}.quantity",
                f"Shipping more than is open: line {line.line_nbr} ({line.inventory_id}) has "
                f"{decimal_text(max(left, Decimal(0)))} left to ship "
                f"({decimal_text(line.open_quantity)} open, "
                f"{decimal_text(line.shipped_quantity)} shipped before); this fulfillment "
                f"ships {decimal_text(quantity)}.",
            )
            continue
        shipped[line.pk] = quantity

    for index, package in enumerate(request["packages"]):
        _check_package(f"packages[{index}]", package, error)

    packed: dict[int, Decimal] = {}
    requested = seen  # the order's lines this fulfillment names
    for p_index, package in enumerate(request["packages"]):
        in_package: set[int] = set()
        for c_index, item in enumerate(package["contents"]):
            path = f"packages[{p_index}].contents[{c_index}]"
            line_id, quantity = item["line_id"], Decimal(item["quantity"])
            if line_id not in requested:
                error(
                    f"{path}.line_id",
                    f"Line {line_id} is not among this fulfillment's lines; a package holds "
                    "only lines the fulfillment ships.",
                )
                continue
            if line_id in in_package:
                error(f"{path}.line_id", f"Line {line_id} appears twice in this package.")
                continue
            in_package.add(line_id)
            if quantity <= 0:
                error(f"{path}.quantity", "Must be more than 0.")
                continue
            packed[line_id] = packed.get(line_id, Decimal(0)) + quantity
            if line_id in shipped and packed[line_id] > shipped[line_id]:
                error(
                    f"{path}.quantity",
                    f"The packages hold {decimal_text(packed[line_id])} of line {line_id} "
                    f"but the fulfillment ships {decimal_text(shipped[line_id])}.",
                )

    if errors:
        raise FulfillmentInvalid(errors)
    return shipped


def _check_package(path: str, package: dict[str, Any], error) -> None:
    if Decimal(package["weight"]) <= 0:
        error(f"{path}.weight", "Must be more than 0.")
    if package["weight_unit"] not in rules.WEIGHT_UNITS:
        error(f"{path}.weight_unit", f"Use one of {', '.join(rules.WEIGHT_UNITS)}.")
    if not package["tracking_number"]:
        error(f"{path}.tracking_number", "Every package needs its tracking number.")
    elif len(package["tracking_number"]) > rules.TRACKING_NUMBER_MAX:
        error(f"{path}.tracking_number", f"At most {rules.TRACKING_NUMBER_MAX} characters.")
    if len(package["box_id"]) > rules.BOX_ID_MAX:
        error(f"{path}.box_id", f"An Acumatica Box ID has at most {rules.BOX_ID_MAX} characters.")
    dimensions = [name for name in ("length", "width", "height") if package[name] is not None]
    for name in dimensions:
        if Decimal(package[name]) <= 0:
            error(f"{path}.{name}", "Must be more than 0.")
    if dimensions and package["dimension_unit"] not in rules.DIMENSION_UNITS:
        error(
            f"{path}.dimension_unit",
            f"Give the unit of {', '.join(dimensions)}: {' or '.join(rules.DIMENSION_UNITS)}.",
        )

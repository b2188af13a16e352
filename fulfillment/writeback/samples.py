"""Sample fulfillments for the write-back benchmark and tests: open orders made in a sandbox, and
fulfillments recorded straight into the database with the rows the warehouse API records
(fulfillment, lines, packages, contents, outbox row) in one transaction. The task is not queued:
the caller drains the outbox itself.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import requests
from django.db import transaction
from django.utils import timezone

from ..models import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentPackage,
    FulfillmentPackageContent,
    Order,
    OrderLine,
    OrderStatus,
    WriteBackOutbox,
)

ITEMS = (
    "AALEGO500",
    "CABLE-USBC1M",
    "DESKLAMP-LED",
    "HDPHONE-BT",
    "MUG-CERAMIC",
    "NOTEBOOK-A5",
    "SOAP-LAV-6PK",
    "SPEAKER-MINI",
    "WATCH-SPORT",
    "TENT-2P",
    "YOGAMAT-6MM",
    "TOWEL-BATH",
)
CUSTOMERS = ("ZENWELL", "GOODFOOD", "HOMEPLUS", "ALPHAOUTFIT", "BEACHHOUSE", "CITYCAFE")


def sandbox_open_orders(
    site_url: str,
    *,
    count: int,
    max_lines: int = 3,
    warehouse: str = "RETAIL",
    seed: int = 1,
    order_type: str = "SO",
    http: requests.Session | None = None,
) -> list[str]:
    """Create ``count`` Open sales orders of ``order_type`` in a sandbox (its data control),
    each with 1 to ``max_lines`` lines in one warehouse; returns their order numbers. ``http``:
    a session to reuse (a caller placing orders one by one keeps its connection)."""
    rng = random.Random(seed)
    numbers = []
    session = http or requests.Session()
    try:
        for _ in range(count):
            items = rng.sample(ITEMS, rng.randint(1, max(1, min(max_lines, len(ITEMS)))))
            reply = session.post(
                f"{site_url}/_sandbox/data/orders",
                json={
                    "type": order_type,
                    "customer": rng.choice(CUSTOMERS),
                    "lines": [
                        {"inventory": item, "qty": rng.randint(1, 6), "warehouse": warehouse}
                        for item in items
                    ],
                },
                timeout=30,
            )
            reply.raise_for_status()
            numbers.append(reply.json()["OrderNbr"]["value"])
    finally:
        if http is None:
            session.close()
    return numbers


@dataclass
class PackageSpec:
    tracking_number: str
    box_id: str = "SMALL"
    weight: Decimal = Decimal("1.5")
    weight_unit: str = "LB"
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    dimension_unit: str = ""
    # (order line, quantity) in this package.
    contents: list[tuple[OrderLine, Decimal]] = field(default_factory=list)


def new_reference() -> str:
    return f"WB-{uuid.uuid4().hex[:12].upper()}"


def fulfillment_build(
    *,
    order: Order,
    quantities: dict[int, Decimal] | None = None,
    packages: int | Sequence[PackageSpec] = 1,
    carrier: str = "UPS",
    service: str = "Ground",
    reference: str | None = None,
    shipped_at: dt.datetime | None = None,
    box_id: str = "SMALL",
) -> Fulfillment:
    """A fulfillment of ``order``: ``quantities`` by line number (default: what is left of
    every line); ``packages``: a number (the lines are spread over them, contents included)
    or explicit specs."""
    lines = list(order.lines.order_by("line_nbr"))
    if quantities is None:
        quantities = {
            line.line_nbr: line.open_quantity - line.shipped_quantity
            for line in lines
            if line.open_quantity > line.shipped_quantity
        }
    by_nbr = {line.line_nbr: line for line in lines}
    shipped = [(by_nbr[nbr], Decimal(qty)) for nbr, qty in sorted(quantities.items())]
    reference = reference or new_reference()
    if isinstance(packages, int):
        count = max(1, packages)
        specs = [
            PackageSpec(
                tracking_number=f"1Z{reference[-8:]}{index:02d}",
                box_id=box_id,
                weight=Decimal("0.5") + Decimal(index),
            )
            for index in range(count)
        ]
        for position, (line, qty) in enumerate(shipped):
            specs[position % count].contents.append((line, qty))
    else:
        specs = list(packages)
    with transaction.atomic():
        fulfillment = Fulfillment.objects.create(
            order=order,
            store=order.store,
            idempotency_key=reference,
            request_hash="0" * 64,
            raw_request={"sample": True, "reference": reference},
            shipped_at=shipped_at or timezone.now(),
            carrier=carrier,
            service=service,
            reference=reference,
        )
        FulfillmentLine.objects.bulk_create(
            FulfillmentLine(fulfillment=fulfillment, order_line=line, quantity=qty)
            for line, qty in shipped
        )
        for position, spec in enumerate(specs, start=1):
            package = FulfillmentPackage.objects.create(
                fulfillment=fulfillment,
                position=position,
                box_id=spec.box_id,
                weight=spec.weight,
                weight_unit=spec.weight_unit,
                length=spec.length,
                width=spec.width,
                height=spec.height,
                dimension_unit=spec.dimension_unit,
                tracking_number=spec.tracking_number,
            )
            FulfillmentPackageContent.objects.bulk_create(
                FulfillmentPackageContent(package=package, order_line=line, quantity=qty)
                for line, qty in spec.contents
            )
        for line, qty in shipped:
            line.shipped_quantity += qty
            line.save(update_fields=["shipped_quantity"])
        complete = all(line.shipped_quantity >= line.open_quantity for line in lines)
        order.status = OrderStatus.SHIPPED if complete else OrderStatus.PARTIALLY_SHIPPED
        order.status_changed_at = timezone.now()
        order.save(update_fields=["status", "status_changed_at"])
        WriteBackOutbox.objects.create(fulfillment=fulfillment)
    return fulfillment

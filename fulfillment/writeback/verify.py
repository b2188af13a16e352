"""Is the Shipment Acumatica holds the one that was sent? (pure: no database, no HTTP)

API.md §4.1: "A 200 does not prove the value was saved" — Acumatica drops values a form does
not let the user change, fields the endpoint does not expose (PackageContents on an endpoint
without them) and changes to a closed document, and still answers 200. So the Shipment is
compared with the plan twice: as the PUT answered it (before it is confirmed: a Shipment that
differs is never confirmed) and as read back after the confirmation (status Confirmed).

Compared: Ship Via; customer and warehouse (sales-order mode); the quantity shipped per order
line (sales-order mode: per OrderType/OrderNbr/OrderLineNbr, and nothing else shipped;
shipment mode: per shipment line, 0 for the lines not shipped); the packages — this
fulfillment's packages (all of them in sales-order mode, those whose CustomRefNbr1 is the
reference in shipment mode), matched by tracking number: count, box, weight (and its unit),
dimensions, reference, and the contents when the store sends them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from connector.acumatica.values import value_of

from . import units
from .plan import PackagePlan, ShipmentPlan

CONFIRMED_STATES = frozenset({"Confirmed", "Partially Invoiced", "Invoiced", "Completed"})
EDITABLE_STATES = frozenset({"On Hold", "Open"})
TOLERANCE = Decimal("0.0001")


@dataclass(frozen=True)
class Difference:
    """Where (a path like ``Packages[1Z999].Weight``) and what differs."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _text(value: Any) -> str:
    return str(value or "").strip().upper()


def _qty(value: Decimal | None) -> str:
    return "nothing" if value is None else f"{value.normalize():f}"


def _differs(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is not b
    return abs(a - b) > TOLERANCE


def carries_reference(record: Mapping[str, Any], reference: str) -> bool:
    """The Shipment was written for this fulfillment: its Description names the reference as a
    word (so ``F-12`` does not match ``F-123``), or one of its packages carries it."""
    words = str(value_of(record, "Description") or "").split()
    if reference in words:
        return True
    return any(
        (value_of(p, "CustomRefNbr1") or "").strip() == reference
        for p in record.get("Packages") or []
    )


def own_packages(plan: ShipmentPlan, record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    packages = [p for p in record.get("Packages") or [] if isinstance(p, Mapping)]
    if plan.creates_shipment:
        return packages
    return [p for p in packages if (value_of(p, "CustomRefNbr1") or "").strip() == plan.reference]


def differences(
    plan: ShipmentPlan, record: Mapping[str, Any], *, confirmed: bool
) -> list[Difference]:
    """Everything in ``record`` that is not as planned; ``confirmed`` also requires the
    status Confirmed (or a later one: Invoiced, Completed…)."""
    found: list[Difference] = []
    if confirmed:
        status = value_of(record, "Status")
        if status not in CONFIRMED_STATES:
            found.append(Difference("Status", f"is {status!r}, not Confirmed"))
    if _text(value_of(record, "ShipVia")) != _text(plan.ship_via):
        found.append(
            Difference("ShipVia", f"is {value_of(record, 'ShipVia')!r}, sent {plan.ship_via!r}")
        )
    if plan.creates_shipment:
        for name, sent in (("CustomerID", plan.customer_id), ("WarehouseID", plan.warehouse_id)):
            if _text(value_of(record, name)) != _text(sent):
                found.append(Difference(name, f"is {value_of(record, name)!r}, sent {sent!r}"))
    found += _line_differences(plan, record.get("Details"))
    found += _package_differences(plan, record)
    return found


def _line_differences(plan: ShipmentPlan, details: Any) -> list[Difference]:
    if not isinstance(details, list):
        return [Difference("Details", "not in Acumatica's answer")]
    actual: dict[tuple, Decimal] = {}
    expected: dict[tuple, Decimal] = {}
    if plan.creates_shipment:

        def key_of(line: Mapping[str, Any]) -> tuple:
            return (
                _text(value_of(line, "OrderType")),
                str(value_of(line, "OrderNbr") or "").strip(),
                value_of(line, "OrderLineNbr"),
            )

        for line in plan.lines:
            key = (_text(line.order_type), line.order_nbr.strip(), line.order_line_nbr)
            expected[key] = expected.get(key, Decimal(0)) + line.quantity
    else:

        def key_of(line: Mapping[str, Any]) -> tuple:
            return (value_of(line, "LineNbr"),)

        for line in plan.lines:
            expected[(line.shipment_line_nbr,)] = line.quantity
        for nbr in plan.unshipped_line_nbrs:
            expected[(nbr,)] = Decimal(0)
    for line in details:
        key = key_of(line)
        actual[key] = actual.get(key, Decimal(0)) + (
            decimal(value_of(line, "ShippedQty")) or Decimal(0)
        )
    found = []
    for key in sorted(set(expected) | set(actual), key=str):
        sent, held = expected.get(key), actual.get(key)
        if plan.creates_shipment and sent is None and not held:
            continue
        if not plan.creates_shipment and sent is None:
            continue  # shipment mode compares only the lines it set
        if _differs(sent or Decimal(0), held):
            where = " ".join(str(k) for k in key if k is not None)
            found.append(
                Difference(
                    f"Details[{where}].ShippedQty",
                    f"shipped {_qty(held)} in Acumatica, sent {_qty(sent)}",
                )
            )
    return found


def _package_differences(plan: ShipmentPlan, record: Mapping[str, Any]) -> list[Difference]:
    if not isinstance(record.get("Packages"), list):
        return [Difference("Packages", "not in Acumatica's answer")]
    actual = own_packages(plan, record)
    found = []
    if len(actual) != len(plan.packages):
        found.append(
            Difference(
                "Packages",
                f"{len(actual)} package(s) in Acumatica, {len(plan.packages)} sent",
            )
        )
    unused = list(actual)
    for sent in plan.packages:
        where = f"Packages[{sent.tracking_number}]"
        match = next(
            (
                p
                for p in unused
                if str(value_of(p, "TrackingNbr") or "").strip() == sent.tracking_number.strip()
            ),
            None,
        )
        if match is None:
            found.append(Difference(f"{where}.TrackingNbr", "no package with this tracking number"))
            continue
        unused.remove(match)
        found += _one_package(plan, sent, match, where)
    return found


def _one_package(
    plan: ShipmentPlan, sent: PackagePlan, package: Mapping[str, Any], where: str
) -> list[Difference]:
    found = []
    if _text(value_of(package, "BoxID")) != _text(sent.box_id):
        found.append(
            Difference(f"{where}.BoxID", f"is {value_of(package, 'BoxID')!r}, sent {sent.box_id!r}")
        )
    if (value_of(package, "CustomRefNbr1") or "").strip() != plan.reference:
        found.append(
            Difference(
                f"{where}.CustomRefNbr1",
                f"is {value_of(package, 'CustomRefNbr1')!r}, sent {plan.reference!r}",
            )
        )
    weight_unit = value_of(package, "UOM")
    if weight_unit and not units.same_unit(weight_unit, plan.weight_uom):
        found.append(
            Difference(
                f"{where}.UOM",
                f"Acumatica keeps package weights in {weight_unit}; the connector converted "
                f"them to {plan.weight_uom} (set FULFILLMENT_WRITEBACK_WEIGHT_UOM={weight_unit})",
            )
        )
    checks = [("Weight", sent.weight)] + [
        (name, getattr(sent, name.lower()))
        for name in ("Length", "Width", "Height")
        if getattr(sent, name.lower()) is not None
    ]
    for name, value in checks:
        held = decimal(value_of(package, name))
        if _differs(value, held):
            found.append(Difference(f"{where}.{name}", f"is {_qty(held)}, sent {_qty(value)}"))
    if plan.include_contents and sent.contents:
        found += _content_differences(sent, package.get("PackageContents"), where)
    return found


def _content_differences(sent: PackagePlan, contents: Any, where: str) -> list[Difference]:
    if not contents:
        return [
            Difference(
                f"{where}.PackageContents",
                "not saved: Acumatica kept no contents for this package (does the endpoint "
                "expose Packages/PackageContents? Otherwise turn off 'Include package "
                "contents' for the store)",
            )
        ]
    held = _content_counter(
        (value_of(c, "InventoryID"), decimal(value_of(c, "Quantity"))) for c in contents
    )
    wanted = _content_counter((c.inventory_id, c.quantity) for c in sent.contents)
    if held == wanted:
        return []
    return [
        Difference(
            f"{where}.PackageContents",
            f"holds {_describe(held)}, sent {_describe(wanted)}",
        )
    ]


def _content_counter(items: Iterable[tuple[Any, Decimal | None]]) -> Counter:
    totals: Counter = Counter()
    for inventory, quantity in items:
        totals[_text(inventory)] += quantity or Decimal(0)
    return Counter({k: v.normalize() for k, v in totals.items() if v})


def _describe(counter: Counter) -> str:
    return ", ".join(f"{_qty(q)} {item}" for item, q in sorted(counter.items())) or "nothing"

"""The comparer: what Acumatica holds against what is here, stage by stage (pure: no database,
no HTTP).

Inputs are plain rows: the keys, status and last-modified time of every record of the store's
entity that changed since the window opened (``SourceRow``), the local orders for those keys
and those imported from a change inside the window (``LocalOrder``), the fulfillments
recorded in the window (``LocalFulfillment``) and the Shipments Acumatica changed since then
with their packages' tracking numbers (``SourceShipment``).

The window selects *what changed* between ``since`` and ``until`` — a record whose
LastModified falls inside it, an order imported from such a change, a fulfillment recorded
inside it — and each one is compared with the other side's *current* state (the source query
has no upper bound, the local lookups none at all), so a change after ``until`` is never
mistaken for a deletion.

Four lists come out, each entry with its reason:

* ``not_imported``: eligible in Acumatica (the import's own rule, ``decisions.source_state``)
  and not here, or here but out of the warehouse queue "at source" (on hold, cancelled, closed)
  while Acumatica has it open again; the reason is the caller's why-not answer;
* ``no_longer_eligible``: in the warehouse queue here (ready, acknowledged) but cancelled, on
  hold or closed in Acumatica, or gone from it;
* ``no_shipment``: shipped at the warehouse (a fulfillment) with no confirmed Shipment in
  Acumatica: its write-back is pending, held or failed, or the Shipment it wrote is gone;
* ``shipment_differs``: written back, but the Shipment in Acumatica is no longer what was
  shipped: not confirmed, other tracking numbers, another Ship Via.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..importing.decisions import source_state
from ..models import WAREHOUSE_QUEUE_STATUSES, FulfillmentStatus, OrderStatus
from ..modes import Mode
from ..writeback.verify import CONFIRMED_STATES

NOT_IMPORTED = "not_imported"
NO_LONGER_ELIGIBLE = "no_longer_eligible"
NO_SHIPMENT = "no_shipment"
SHIPMENT_DIFFERS = "shipment_differs"
KINDS = (NOT_IMPORTED, NO_LONGER_ELIGIBLE, NO_SHIPMENT, SHIPMENT_DIFFERS)
KIND_LABELS = {
    NOT_IMPORTED: "Eligible in Acumatica but not imported",
    NO_LONGER_ELIGIBLE: "Imported but no longer eligible in Acumatica",
    NO_SHIPMENT: "Shipped at the warehouse, no Shipment in Acumatica",
    SHIPMENT_DIFFERS: "Shipment in Acumatica differs from what was shipped",
}

# The stages, in the order an order goes through them, with what each one counts.
STAGES = (
    ("eligible", "Eligible in Acumatica now", "orders"),
    ("imported", "Imported", "orders"),
    ("pulled", "Pulled by the warehouse", "orders"),
    ("shipped", "Shipped", "fulfillments"),
    ("written_back", "Written back", "fulfillments"),
    ("confirmed", "Confirmed in Acumatica as shipped", "fulfillments"),
)

# Out of the queue because of Acumatica's status: an import brings them back when released.
AT_SOURCE = frozenset(
    {
        OrderStatus.ON_HOLD_AT_SOURCE,
        OrderStatus.CANCELLED_AT_SOURCE,
        OrderStatus.CLOSED_AT_SOURCE,
    }
)
# The warehouse took the order (or shipped it).
PULLED = frozenset(
    {
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.WRITTEN_BACK,
        OrderStatus.ERROR,
    }
)


@dataclass(frozen=True)
class Window:
    """From ``since`` (None: from the beginning) to ``until``, both included."""

    since: dt.datetime | None
    until: dt.datetime

    def holds(self, moment: dt.datetime | None) -> bool:
        if moment is None:
            return True  # a record without a time cannot be placed: it is compared
        return (self.since is None or moment >= self.since) and moment <= self.until


@dataclass(frozen=True)
class SourceRow:
    key: tuple[str, ...]
    status: str
    hold: bool
    last_modified: dt.datetime | None


@dataclass(frozen=True)
class SourcePackage:
    tracking_number: str
    reference: str  # CustomRefNbr1: the fulfillment that wrote it


@dataclass(frozen=True)
class SourceShipment:
    nbr: str
    status: str
    ship_via: str
    packages: tuple[SourcePackage, ...] = ()


@dataclass(frozen=True)
class LocalOrder:
    id: int
    key: tuple[str, ...]
    document: str
    status: str
    status_label: str
    status_reason: str
    erp_last_modified: dt.datetime | None


@dataclass(frozen=True)
class LocalFulfillment:
    id: int
    order_id: int
    document: str
    reference: str
    status: str
    status_label: str
    status_reason: str
    last_error: str
    attempts: int
    erp_shipment_nbr: str
    ship_via: str
    tracking_numbers: tuple[str, ...]


@dataclass(frozen=True)
class Difference:
    kind: str
    document: str
    reason: str
    order_id: int | None = None
    fulfillment_id: int | None = None
    source_status: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Comparison:
    counts: dict[str, int]
    differences: list[Difference]

    def of_kind(self, kind: str) -> list[Difference]:
        return [d for d in self.differences if d.kind == kind]


@dataclass(frozen=True)
class _Status:
    """What ``source_state`` reads of a record."""

    source_kind: str
    erp_status: str
    erp_hold: bool


WhyNot = Callable[[SourceRow, LocalOrder | None], str]


def compare(
    *,
    mode: Mode,
    window: Window,
    source_rows: Iterable[SourceRow],
    local_orders: Iterable[LocalOrder],
    fulfillments: Iterable[LocalFulfillment],
    shipments: Mapping[str, SourceShipment],
    why_not: WhyNot,
) -> Comparison:
    """Counts per stage and the four difference lists (see the module docstring).
    ``why_not(row, local)`` answers why an eligible record is not here (or not in the queue)."""
    counts = dict.fromkeys((name for name, _label, _unit in STAGES), 0)
    differences: list[Difference] = []
    by_key = {row.key: row for row in source_rows}
    selected = {key for key, row in by_key.items() if window.holds(row.last_modified)}
    local_by_key = {order.key: order for order in local_orders}

    for key in sorted(selected):
        row = by_key[key]
        if _state(mode, row).status != OrderStatus.READY:
            continue
        counts["eligible"] += 1
        local = local_by_key.get(key)
        if local is None or local.status in AT_SOURCE:
            differences.append(
                Difference(
                    NOT_IMPORTED,
                    " ".join(key),
                    why_not(row, local),
                    order_id=local.id if local else None,
                    source_status=_status_text(row),
                )
            )

    for key, order in sorted(local_by_key.items()):
        if key not in selected and not window.holds(order.erp_last_modified):
            continue
        counts["imported"] += 1
        if order.status in PULLED:
            counts["pulled"] += 1
        if order.status not in WAREHOUSE_QUEUE_STATUSES:
            continue
        row = by_key.get(key)
        if row is None:
            differences.append(
                Difference(
                    NO_LONGER_ELIGIBLE,
                    order.document,
                    f"{order.status_label} here, but Acumatica no longer returns it among the "
                    f"store's {mode.plural.lower()}: deleted there (or moved out of the store's "
                    "scope).",
                    order_id=order.id,
                    source_status="(not found)",
                )
            )
            continue
        state = _state(mode, row)
        if state.status != OrderStatus.READY:
            differences.append(
                Difference(
                    NO_LONGER_ELIGIBLE,
                    order.document,
                    f"{order.status_label} here; {state.reason}",
                    order_id=order.id,
                    source_status=_status_text(row),
                )
            )

    for fulfillment in fulfillments:
        counts["shipped"] += 1
        nbr = fulfillment.erp_shipment_nbr
        shipment = shipments.get(nbr) if nbr else None
        if fulfillment.status != FulfillmentStatus.WRITTEN_BACK:
            differences.append(_not_written(fulfillment, shipment))
            continue
        counts["written_back"] += 1
        if shipment is None:
            differences.append(
                Difference(
                    NO_SHIPMENT,
                    fulfillment.document,
                    f"Written back as Shipment {nbr or '(no number)'}, which Acumatica no longer "
                    "has (deleted there?).",
                    order_id=fulfillment.order_id,
                    fulfillment_id=fulfillment.id,
                    source_status="(not found)",
                    detail={"reference": fulfillment.reference, "shipment_nbr": nbr},
                )
            )
            continue
        found = shipment_differences(mode, fulfillment, shipment)
        if found:
            differences.append(
                Difference(
                    SHIPMENT_DIFFERS,
                    fulfillment.document,
                    f"Shipment {nbr}: " + "; ".join(found) + ".",
                    order_id=fulfillment.order_id,
                    fulfillment_id=fulfillment.id,
                    source_status=shipment.status,
                    detail={
                        "reference": fulfillment.reference,
                        "shipment_nbr": nbr,
                        "differences": found,
                        "tracking_here": list(fulfillment.tracking_numbers),
                        "tracking_in_acumatica": [
                            p.tracking_number for p in own_packages(mode, fulfillment, shipment)
                        ],
                    },
                )
            )
        else:
            counts["confirmed"] += 1
    return Comparison(counts=counts, differences=differences)


def own_packages(
    mode: Mode, fulfillment: LocalFulfillment, shipment: SourceShipment
) -> list[SourcePackage]:
    """The Shipment's packages that are this fulfillment's: all of a Shipment it created, those
    carrying its reference on an imported one (other packages may be someone else's)."""
    if mode.creates_shipment:
        return list(shipment.packages)
    return [p for p in shipment.packages if p.reference == fulfillment.reference]


def shipment_differences(
    mode: Mode, fulfillment: LocalFulfillment, shipment: SourceShipment
) -> list[str]:
    """What about the Shipment is not as shipped, in words; empty when it is."""
    found = []
    if shipment.status not in CONFIRMED_STATES:
        found.append(f"it is {shipment.status or '(no status)'} in Acumatica, not Confirmed")
    here = Counter(t.strip() for t in fulfillment.tracking_numbers)
    there = Counter(p.tracking_number.strip() for p in own_packages(mode, fulfillment, shipment))
    if here != there:
        missing = sorted((here - there).elements())
        extra = sorted((there - here).elements())
        parts = []
        if missing:
            parts.append(f"tracking {_listed(missing)} shipped but not in Acumatica")
        if extra:
            parts.append(f"Acumatica has {_listed(extra)} instead")
        found.append(", ".join(parts) if parts else "the packages differ")
    if fulfillment.ship_via and _plain(shipment.ship_via) != _plain(fulfillment.ship_via):
        found.append(
            f"Ship Via is {shipment.ship_via or '(none)'} in Acumatica, {fulfillment.ship_via} "
            "was written"
        )
    return found


def _not_written(fulfillment: LocalFulfillment, shipment: SourceShipment | None) -> Difference:
    status = fulfillment.status
    if status == FulfillmentStatus.HELD:
        reason = f"Write-back held: {fulfillment.status_reason or 'no reason recorded'}"
    elif status == FulfillmentStatus.FAILED:
        reason = f"Write-back failed: {fulfillment.last_error or fulfillment.status_reason}"
    elif status == FulfillmentStatus.WRITING:
        reason = "Being written back right now."
    elif fulfillment.attempts:
        reason = (
            f"Write-back retrying after {fulfillment.attempts} attempt(s): "
            f"{fulfillment.last_error or fulfillment.status_reason or 'no error recorded'}"
        )
    else:
        reason = "Waiting for its first write-back attempt."
    reason = reason.rstrip(".") + "."
    if shipment is not None:
        reason += f" Shipment {shipment.nbr} is in Acumatica, {shipment.status}."
    return Difference(
        NO_SHIPMENT,
        fulfillment.document,
        reason,
        order_id=fulfillment.order_id,
        fulfillment_id=fulfillment.id,
        source_status=shipment.status if shipment else "(none)",
        detail={"reference": fulfillment.reference, "write_back": status},
    )


def _state(mode: Mode, row: SourceRow):
    return source_state(_Status(mode.source_kind, row.status, row.hold))


def _status_text(row: SourceRow) -> str:
    return f"{row.status or '(none)'}{', on hold' if row.hold else ''}"


def _plain(value: str) -> str:
    return (value or "").strip().upper()


def _listed(values: list[str]) -> str:
    return ", ".join(v or "(blank)" for v in values)

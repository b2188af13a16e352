"""What an import does with one record: pure rules, no database.

Eligibility follows PRODUCT.md §2: a sales order is eligible when its status is Open or Back
Order and it is not on hold; a shipment when it is Open. Incremental imports do not filter on
status (see ``source.py``), so they also see orders that *left* eligibility after import; for
those the status Acumatica reports decides the local one (on hold / cancelled / closed at the
source), which takes them out of the warehouse queue with the reason.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ..models import SHIPPED_STATUSES, WAREHOUSE_QUEUE_STATUSES, OrderStatus
from ..modes import MappedOrder, mode_of

_CONTENT_LABELS = {
    "lines": "lines",
    "ship_to": "ship-to address",
    "ship_via": "ship via",
    "customer": "customer",
    "warehouse": "warehouse",
}


@dataclass(frozen=True)
class SourceState:
    """The local status Acumatica's status implies, and why."""

    status: str
    reason: str = ""


def source_state(order: MappedOrder) -> SourceState:
    status = order.erp_status.casefold()
    label = order.erp_status
    if status == "canceled" or status == "cancelled":
        return SourceState(OrderStatus.CANCELLED_AT_SOURCE, "Cancelled in Acumatica.")
    mode = mode_of(order.source_kind)
    if order.erp_hold or status in mode.held_statuses:
        return SourceState(OrderStatus.ON_HOLD_AT_SOURCE, mode.held_reason.format(status=label))
    if status in mode.open_statuses:
        return SourceState(OrderStatus.READY)
    return SourceState(OrderStatus.CLOSED_AT_SOURCE, mode.closed_reason.format(status=label))


@dataclass(frozen=True)
class KnownOrder:
    """What the decision needs from the stored order."""

    id: int
    status: str
    payload_hash: str
    content_hashes: dict = field(compare=False)
    erp_status: str = ""
    erp_hold: bool = False


class Action(enum.Enum):
    CREATE = "create"
    # Overwrite the local copy (data, lines, status).
    UPDATE = "update"
    # The warehouse shipped against the local copy: record what Acumatica says, keep the rest.
    KEEP_LOCAL = "keep_local"
    UNCHANGED = "unchanged"
    SKIP = "skip"


@dataclass(frozen=True)
class Decision:
    action: Action
    status: str = ""
    status_reason: str = ""
    # Raise changed_at_source: the warehouse's copy no longer matches Acumatica.
    flag: bool = False
    changes: tuple[str, ...] = ()
    skip_reason: str = ""


def _changed(order: MappedOrder, known: KnownOrder, part: str, *, default: bool) -> bool:
    before = (known.content_hashes or {}).get(part)
    after = order.content_hashes.get(part)
    if before is None or after is None:
        return default
    return before != after


def decide(known: KnownOrder | None, order: MappedOrder) -> Decision:
    state = source_state(order)
    if known is None:
        if state.status == OrderStatus.READY:
            return Decision(Action.CREATE, status=OrderStatus.READY)
        return Decision(Action.SKIP, skip_reason=f"not eligible: {state.reason}")
    if known.payload_hash == order.payload_hash:
        return Decision(Action.UNCHANGED)

    content = [
        label
        for part, label in _CONTENT_LABELS.items()
        if order.content_hashes.get(part) != (known.content_hashes or {}).get(part)
    ]
    changes = list(content)
    if order.erp_status != known.erp_status:
        changes.append(f"status {known.erp_status or '?'} → {order.erp_status}")
    if order.erp_hold != known.erp_hold:
        changes.append("put on hold" if order.erp_hold else "hold released")

    if known.status in SHIPPED_STATUSES:
        # Completed/confirmed after our own shipment is expected, and so are lower open
        # quantities (when both copies carry the items-only hash); other changes are not.
        surprising = [
            label
            for label in content
            if label != "lines" or _changed(order, known, "line_items", default=True)
        ]
        alarming = bool(surprising) or state.status in (
            OrderStatus.CANCELLED_AT_SOURCE,
            OrderStatus.ON_HOLD_AT_SOURCE,
        )
        return Decision(
            Action.KEEP_LOCAL, status=known.status, flag=alarming, changes=tuple(changes)
        )

    if state.status == OrderStatus.READY:
        status = known.status if known.status in WAREHOUSE_QUEUE_STATUSES else OrderStatus.READY
        reason = ""
    else:
        status, reason = state.status, state.reason
    # A ready order has not reached the warehouse yet: updating it is enough.
    flag = known.status == OrderStatus.ACKNOWLEDGED and (bool(content) or status != known.status)
    return Decision(
        Action.UPDATE, status=status, status_reason=reason, flag=flag, changes=tuple(changes)
    )

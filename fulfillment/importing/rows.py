"""Local rows from mapped records: what a new order looks like, what an update rewrites, and
how lines are matched (by line number, so they keep their ids and shipped quantities)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from stores.models import StoreConnection

from ..models import ImportRun, Order, OrderLine
from ..modes import MappedLine, MappedOrder, mode_of
from .decisions import Decision, KnownOrder

BUSINESS_FIELDS = (
    "erp_order_type",
    "erp_order_nbr",
    "erp_shipment_nbr",
    "erp_note_id",
    "customer_id",
    "customer_reference",
    "ship_via",
    "warehouse",
    "order_date",
    "ship_to_name",
    "ship_to_attention",
    "ship_to_email",
    "ship_to_phone",
    "ship_to_address_line1",
    "ship_to_address_line2",
    "ship_to_city",
    "ship_to_state",
    "ship_to_postal_code",
    "ship_to_country",
    "content_hashes",
)
# What Acumatica says about the record; always refreshed when it changed.
SOURCE_FIELDS = (
    "erp_status",
    "erp_hold",
    "erp_last_modified",
    "payload_hash",
    "raw_payload",
    "changed_at_source",
    "source_changed_at",
    "source_changes",
    "last_import_run",
    "updated_at",
)
STATUS_FIELDS = ("status", "status_reason", "status_changed_at")
LINE_FIELDS = (
    "inventory_id",
    "description",
    "ordered_quantity",
    "open_quantity",
    "uom",
    "warehouse",
    "erp_order_type",
    "erp_order_nbr",
    "erp_order_line_nbr",
)
BATCH = 500


@dataclass
class StoredOrder:
    """A stored order as read back for one page."""

    snapshot: KnownOrder
    status_changed_at: dt.datetime
    source_changed_at: dt.datetime | None
    source_changes: list[str]
    changed_at_source: bool


def _business_values(mapped: MappedOrder) -> dict[str, Any]:
    ship_to = mapped.ship_to
    return {
        "erp_order_type": mapped.erp_order_type,
        "erp_order_nbr": mapped.erp_order_nbr,
        "erp_shipment_nbr": mapped.erp_shipment_nbr,
        "erp_note_id": mapped.erp_note_id,
        "customer_id": mapped.customer_id,
        "customer_reference": mapped.customer_reference,
        "ship_via": mapped.ship_via,
        "warehouse": mapped.warehouse,
        "order_date": mapped.order_date,
        "ship_to_name": ship_to.name,
        "ship_to_attention": ship_to.attention,
        "ship_to_email": ship_to.email,
        "ship_to_phone": ship_to.phone,
        "ship_to_address_line1": ship_to.address_line1,
        "ship_to_address_line2": ship_to.address_line2,
        "ship_to_city": ship_to.city,
        "ship_to_state": ship_to.state,
        "ship_to_postal_code": ship_to.postal_code,
        "ship_to_country": ship_to.country,
        "content_hashes": mapped.content_hashes,
    }


def _source_values(mapped: MappedOrder, run: ImportRun, now: dt.datetime) -> dict[str, Any]:
    return {
        "erp_status": mapped.erp_status,
        "erp_hold": mapped.erp_hold,
        "erp_last_modified": mapped.erp_last_modified,
        "payload_hash": mapped.payload_hash,
        "raw_payload": mapped.raw,
        "last_import_run": run,
        "updated_at": now,
    }


def new_order(
    store: StoreConnection, run: ImportRun, mapped: MappedOrder, now: dt.datetime
) -> Order:
    return Order(
        store=store,
        source_kind=mapped.source_kind,
        **_business_values(mapped),
        **_source_values(mapped, run, now),
        status=Order._meta.get_field("status").default,
        status_changed_at=now,
        imported_at=now,
    )


def _change_tracking(stored: StoredOrder, decision: Decision, now: dt.datetime) -> dict[str, Any]:
    """changed_at_source stays up until someone clears it; while it is up the list of changes
    keeps growing, so it always says how Acumatica differs from the warehouse's copy."""
    flagged = stored.changed_at_source or decision.flag
    changes = list(stored.source_changes) if stored.changed_at_source else []
    changes += [c for c in decision.changes if c not in changes]
    return {
        "changed_at_source": flagged,
        "source_changes": changes if decision.changes else stored.source_changes,
        "source_changed_at": now if decision.changes else stored.source_changed_at,
    }


def rewritten_order(
    stored: StoredOrder, run: ImportRun, mapped: MappedOrder, decision: Decision, now: dt.datetime
) -> Order:
    status_changed = decision.status != stored.snapshot.status
    return Order(
        pk=stored.snapshot.id,
        **_business_values(mapped),
        **_source_values(mapped, run, now),
        **_change_tracking(stored, decision, now),
        status=decision.status,
        status_reason=decision.status_reason,
        status_changed_at=now if status_changed else stored.status_changed_at,
    )


def refreshed_order(
    stored: StoredOrder, run: ImportRun, mapped: MappedOrder, decision: Decision, now: dt.datetime
) -> Order:
    return Order(
        pk=stored.snapshot.id,
        **_source_values(mapped, run, now),
        **_change_tracking(stored, decision, now),
    )


def new_line(order_id: int, line: MappedLine) -> OrderLine:
    return OrderLine(
        order_id=order_id, line_nbr=line.line_nbr, **{f: getattr(line, f) for f in LINE_FIELDS}
    )


def reconcile_lines(rewritten: list[tuple[Order, MappedOrder]]) -> None:
    """Lines keep their ids (and shipped quantities) across updates: matched by line number,
    changed in place, added or removed."""
    order_ids = [order.pk for order, _ in rewritten]
    current: dict[int, dict[int, OrderLine]] = {}
    for line in OrderLine.objects.filter(order_id__in=order_ids).order_by():
        current.setdefault(line.order_id, {})[line.line_nbr] = line
    to_create: list[OrderLine] = []
    to_update: list[OrderLine] = []
    to_delete: list[int] = []
    for order, mapped in rewritten:
        existing = current.get(order.pk, {})
        for line in mapped.lines:
            stored = existing.pop(line.line_nbr, None)
            if stored is None:
                to_create.append(new_line(order.pk, line))
            elif any(getattr(stored, f) != getattr(line, f) for f in LINE_FIELDS):
                for name in LINE_FIELDS:
                    setattr(stored, name, getattr(line, name))
                to_update.append(stored)
        to_delete.extend(stored.pk for stored in existing.values())
    if to_delete:
        OrderLine.objects.filter(pk__in=to_delete).delete()
    if to_update:
        OrderLine.objects.bulk_update(to_update, list(LINE_FIELDS), batch_size=BATCH)
    if to_create:
        OrderLine.objects.bulk_create(to_create, batch_size=BATCH)


def fill_missing_ids(store: StoreConnection, created: list[Order]) -> None:
    # Backends that cannot return ids from a bulk insert: read them back by key.
    missing = [order for order in created if order.pk is None]
    if not missing:
        return
    mode = mode_of(missing[0].source_kind)
    keys = [mode.order_key(order) for order in missing]
    found = Order.objects.filter(
        store=store, source_kind=mode.source_kind, **mode.key_filter(keys)
    ).values(*mode.order_key_fields, "id")
    ids = {mode.order_key(row): row["id"] for row in found}
    for order, key in zip(missing, keys, strict=True):
        order.pk = ids[key]

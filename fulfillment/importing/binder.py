"""Writing one page of Acumatica records: Acumatica keys ↔ local rows, set-based.

Per page: one query reads the known orders of the page, one ``bulk_create`` inserts the new
ones and one their lines, ``bulk_update`` rewrites the changed ones, and their lines are
reconciled by line number (one read, one bulk insert, one bulk update, one delete). Nothing is
written for an unchanged record.

Uniqueness is the database's job (the conditional unique constraints on Order). If an insert
still collides — another writer got there first — the page is re-read and applied again, as
dj-stripe does; a page the database refuses for any other reason is applied record by record so
that one bad record cannot block the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction

from stores.models import StoreConnection

from ..models import ImportRun, Order, OrderLine
from .decisions import Action, Decision, KnownOrder, decide
from .mapper import SHIPMENT, MappedLine, MappedOrder, MappingError, map_sales_order, map_shipment

logger = logging.getLogger("connector.fulfillment")

_BUSINESS_FIELDS = (
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
_SOURCE_FIELDS = (
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
_STATUS_FIELDS = ("status", "status_reason", "status_changed_at")
_LINE_FIELDS = (
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
_KNOWN_FIELDS = (
    "id",
    "erp_order_type",
    "erp_order_nbr",
    "erp_shipment_nbr",
    "status",
    "status_changed_at",
    "payload_hash",
    "content_hashes",
    "erp_status",
    "erp_hold",
    "changed_at_source",
    "source_changed_at",
    "source_changes",
)
_BATCH = 500


@dataclass
class PageResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    skipped_reasons: list[dict[str, str]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)

    def skip(self, key: str, reason: str) -> None:
        self.skipped += 1
        self.skipped_reasons.append({"key": key, "reason": reason})

    def fail(self, key: str, reason: str) -> None:
        self.failed += 1
        self.failures.append({"key": key, "reason": reason})


@dataclass
class _Known:
    """A stored order as read back for one page."""

    snapshot: KnownOrder
    status_changed_at: dt.datetime
    source_changed_at: dt.datetime | None
    source_changes: list[str]
    changed_at_source: bool


def map_records(
    records: Iterable[dict[str, Any]], source_kind: str, result: PageResult
) -> list[MappedOrder]:
    """Map a page; a record that does not map is a failure with its reason. When a page holds
    one key twice, the later LastModified wins."""
    mapper = map_shipment if source_kind == SHIPMENT else map_sales_order
    by_key: dict[tuple[str, ...], MappedOrder] = {}
    for record in records:
        try:
            order = mapper(record)
        except MappingError as exc:
            result.fail(exc.key or "(unknown)", exc.reason)
            continue
        earlier = by_key.get(order.key)
        if earlier is None or earlier.erp_last_modified <= order.erp_last_modified:
            by_key[order.key] = order
    return list(by_key.values())


def write_orders(
    *,
    store: StoreConnection,
    run: ImportRun,
    orders: list[MappedOrder],
    result: PageResult,
    now: dt.datetime,
) -> None:
    """Apply mapped orders inside the caller's transaction (each attempt in a savepoint)."""
    if not orders:
        return
    for attempt in (1, 2):
        trial = PageResult()
        try:
            with transaction.atomic():
                _apply(store, run, orders, trial, now)
        except IntegrityError as exc:
            if attempt == 1:
                logger.info("store %s: insert collided (%s); re-reading the page", store.pk, exc)
                continue
            break
        except DatabaseError as exc:
            logger.warning("store %s: page refused (%s); writing one by one", store.pk, exc)
            break
        _merge(result, trial)
        return
    for order in orders:
        trial = PageResult()
        try:
            with transaction.atomic():
                _apply(store, run, [order], trial, now)
        except DatabaseError as exc:
            result.fail(order.key_text, f"the database refused it: {exc}")
            continue
        _merge(result, trial)


def _merge(result: PageResult, part: PageResult) -> None:
    for name in ("created", "updated", "unchanged", "skipped", "failed"):
        setattr(result, name, getattr(result, name) + getattr(part, name))
    result.skipped_reasons.extend(part.skipped_reasons)
    result.failures.extend(part.failures)


def _apply(
    store: StoreConnection,
    run: ImportRun,
    orders: list[MappedOrder],
    result: PageResult,
    now: dt.datetime,
) -> None:
    known = _known_orders(store, orders)
    new_orders: list[tuple[Order, MappedOrder]] = []
    rewritten: list[tuple[Order, MappedOrder]] = []
    refreshed: list[Order] = []
    for mapped in orders:
        stored = known.get(mapped.key)
        decision = decide(stored.snapshot if stored else None, mapped)
        if decision.action is Action.SKIP:
            result.skip(mapped.key_text, decision.skip_reason)
        elif decision.action is Action.UNCHANGED:
            result.unchanged += 1
        elif decision.action is Action.CREATE:
            new_orders.append((_new_order(store, run, mapped, now), mapped))
            result.created += 1
        elif decision.action is Action.UPDATE:
            rewritten.append((_rewritten_order(stored, run, mapped, decision, now), mapped))
            result.updated += 1
        else:
            refreshed.append(_refreshed_order(stored, run, mapped, decision, now))
            result.updated += 1

    if new_orders:
        created = [order for order, _ in new_orders]
        Order.objects.bulk_create(created, batch_size=_BATCH)
        _fill_missing_ids(store, created)
        OrderLine.objects.bulk_create(
            [_new_line(order.pk, line) for order, mapped in new_orders for line in mapped.lines],
            batch_size=_BATCH,
        )
    if rewritten:
        Order.objects.bulk_update(
            [order for order, _ in rewritten],
            [*_BUSINESS_FIELDS, *_SOURCE_FIELDS, *_STATUS_FIELDS],
            batch_size=_BATCH,
        )
        _reconcile_lines(rewritten)
    if refreshed:
        Order.objects.bulk_update(refreshed, list(_SOURCE_FIELDS), batch_size=_BATCH)


def _known_orders(store: StoreConnection, orders: list[MappedOrder]) -> dict[tuple, _Known]:
    kind = orders[0].source_kind
    rows = Order.objects.filter(store=store, source_kind=kind).order_by()
    if kind == SHIPMENT:
        rows = rows.filter(erp_shipment_nbr__in={o.erp_shipment_nbr for o in orders})
    else:
        rows = rows.filter(erp_order_nbr__in={o.erp_order_nbr for o in orders})
    wanted = {o.key for o in orders}
    known: dict[tuple, _Known] = {}
    for row in rows.values(*_KNOWN_FIELDS):
        if kind == SHIPMENT:
            key: tuple = (row["erp_shipment_nbr"],)
        else:
            key = (row["erp_order_type"], row["erp_order_nbr"])
        if key not in wanted:
            continue
        known[key] = _Known(
            snapshot=KnownOrder(
                id=row["id"],
                status=row["status"],
                payload_hash=row["payload_hash"],
                content_hashes=row["content_hashes"] or {},
                erp_status=row["erp_status"],
                erp_hold=row["erp_hold"],
            ),
            status_changed_at=row["status_changed_at"],
            source_changed_at=row["source_changed_at"],
            source_changes=list(row["source_changes"] or []),
            changed_at_source=row["changed_at_source"],
        )
    return known


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


def _new_order(
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


def _change_tracking(stored: _Known, decision: Decision, now: dt.datetime) -> dict[str, Any]:
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


def _rewritten_order(
    stored: _Known, run: ImportRun, mapped: MappedOrder, decision: Decision, now: dt.datetime
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


def _refreshed_order(
    stored: _Known, run: ImportRun, mapped: MappedOrder, decision: Decision, now: dt.datetime
) -> Order:
    return Order(
        pk=stored.snapshot.id,
        **_source_values(mapped, run, now),
        **_change_tracking(stored, decision, now),
    )


def _new_line(order_id: int, line: MappedLine) -> OrderLine:
    return OrderLine(
        order_id=order_id, line_nbr=line.line_nbr, **{f: getattr(line, f) for f in _LINE_FIELDS}
    )


def _reconcile_lines(rewritten: list[tuple[Order, MappedOrder]]) -> None:
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
                to_create.append(_new_line(order.pk, line))
            elif any(getattr(stored, f) != getattr(line, f) for f in _LINE_FIELDS):
                for name in _LINE_FIELDS:
                    setattr(stored, name, getattr(line, name))
                to_update.append(stored)
        to_delete.extend(stored.pk for stored in existing.values())
    if to_delete:
        OrderLine.objects.filter(pk__in=to_delete).delete()
    if to_update:
        OrderLine.objects.bulk_update(to_update, list(_LINE_FIELDS), batch_size=_BATCH)
    if to_create:
        OrderLine.objects.bulk_create(to_create, batch_size=_BATCH)


def _fill_missing_ids(store: StoreConnection, created: list[Order]) -> None:
    # Backends that cannot return ids from a bulk insert: read them back by key.
    missing = [order for order in created if order.pk is None]
    if not missing:
        return
    kind = missing[0].source_kind
    rows = Order.objects.filter(store=store, source_kind=kind)
    if kind == SHIPMENT:
        ids = dict(
            rows.filter(erp_shipment_nbr__in=[o.erp_shipment_nbr for o in missing]).values_list(
                "erp_shipment_nbr", "id"
            )
        )
        for order in missing:
            order.pk = ids[order.erp_shipment_nbr]
    else:
        found = rows.filter(erp_order_nbr__in=[o.erp_order_nbr for o in missing]).values_list(
            "erp_order_type", "erp_order_nbr", "id"
        )
        ids = {(t, n): pk for t, n, pk in found}
        for order in missing:
            order.pk = ids[(order.erp_order_type, order.erp_order_nbr)]

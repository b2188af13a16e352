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

from ..events import import_events_record
from ..models import ImportRun, Order, OrderEvent, OrderLine
from ..modes import MappedOrder, MappingError, Mode, mode_of
from ..timeline import import_event
from . import rows
from .decisions import Action, Decision, KnownOrder, decide

logger = logging.getLogger("connector.fulfillment")

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


def map_records(
    records: Iterable[dict[str, Any]], mode: Mode, result: PageResult
) -> list[MappedOrder]:
    """Map a page; a record that does not map is a failure with its reason. When a page holds
    one key twice, the later LastModified wins."""
    by_key: dict[tuple[str, ...], MappedOrder] = {}
    for record in records:
        try:
            order = mode.map(record)
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
    known = known_orders(store, orders)
    new_orders: list[tuple[Order, MappedOrder]] = []
    rewritten: list[tuple[Order, MappedOrder]] = []
    refreshed: list[Order] = []
    # (order, mapped, decision, status before) of every order this page changes: its timeline.
    changed: list[tuple[Order, MappedOrder, Decision, str]] = []
    for mapped in orders:
        stored = known.get(mapped.key)
        decision = decide(stored.snapshot if stored else None, mapped)
        if decision.action is Action.SKIP:
            result.skip(mapped.key_text, decision.skip_reason)
        elif decision.action is Action.UNCHANGED:
            result.unchanged += 1
        elif decision.action is Action.CREATE:
            new_orders.append((rows.new_order(store, run, mapped, now), mapped))
            result.created += 1
        elif decision.action is Action.UPDATE:
            order = rows.rewritten_order(stored, run, mapped, decision, now)
            rewritten.append((order, mapped))
            changed.append((order, mapped, decision, stored.snapshot.status))
            result.updated += 1
        else:
            order = rows.refreshed_order(stored, run, mapped, decision, now)
            refreshed.append(order)
            changed.append((order, mapped, decision, stored.snapshot.status))
            result.updated += 1

    if new_orders:
        created = [order for order, _ in new_orders]
        Order.objects.bulk_create(created, batch_size=rows.BATCH)
        rows.fill_missing_ids(store, created)
        OrderLine.objects.bulk_create(
            [rows.new_line(order.pk, ln) for order, mapped in new_orders for ln in mapped.lines],
            batch_size=rows.BATCH,
        )
    if rewritten:
        Order.objects.bulk_update(
            [order for order, _ in rewritten],
            [*rows.BUSINESS_FIELDS, *rows.SOURCE_FIELDS, *rows.STATUS_FIELDS],
            batch_size=rows.BATCH,
        )
        rows.reconcile_lines(rewritten)
    if refreshed:
        Order.objects.bulk_update(refreshed, list(rows.SOURCE_FIELDS), batch_size=rows.BATCH)
    events = [
        import_event(
            order_id=order.pk,
            run_id=run.pk,
            created=True,
            status=order.status,
            document=order.document_label,
            now=now,
        )
        for order, _ in new_orders
    ]
    events += [
        import_event(
            order_id=order.pk,
            run_id=run.pk,
            created=False,
            status=decision.status or previous,
            previous_status=previous,
            status_reason=decision.status_reason,
            changes=decision.changes,
            flagged=decision.flag,
            now=now,
        )
        for order, _, decision, previous in changed
    ]
    if events:
        OrderEvent.objects.bulk_create(events, batch_size=rows.BATCH)
        import_events_record(store=store, timeline=events)


def known_orders(
    store: StoreConnection, orders: list[MappedOrder], *, lock: bool = True
) -> dict[tuple, rows.StoredOrder]:
    """The stored orders of ``orders`` (a page), by key; ``lock=False`` for a read that writes
    nothing (the re-scan's dry run)."""
    mode = mode_of(orders[0].source_kind)
    # Locked until the page commits: a fulfillment being recorded for one of these orders (which
    # locks its order too) either lands before this read — and the decision sees it shipped —
    # or waits for the page, so the page never writes back a stale status over it.
    wanted = {o.key for o in orders}
    stored = Order.objects.select_for_update() if lock else Order.objects.all()
    stored = stored.filter(
        store=store, source_kind=mode.source_kind, **mode.key_filter(wanted)
    ).order_by()
    known: dict[tuple, rows.StoredOrder] = {}
    for row in stored.values(*_KNOWN_FIELDS):
        key = mode.order_key(row)
        if key not in wanted:
            continue
        known[key] = rows.StoredOrder(
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

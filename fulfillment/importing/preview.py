"""A re-scan's dry run: what "Re-scan from a date" would do, read from Acumatica and decided
exactly as the import decides, with nothing written — no order, no run, no cursor move (the
Acumatica calls it makes are logged, as every call is).

It pages through the same query the re-scan sends (``source.scan_query``, scan "since") and
passes each page through the import's mapper and decisions (``binder.map_records``,
``decisions.decide``) against the orders here as they are now. Applying the re-scan afterwards
is the ordinary re-scan job, duplicate-free like every import.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from connector.acumatica import AcumaticaError
from stores.credentials import acumatica_client_for
from stores.errors import StoreClientUnavailable
from stores.models import StoreConnection

from ..modes import mode_for
from ..modes.mapping import record_key_text
from . import conf
from .binder import PageResult, known_orders, map_records
from .decisions import Action, decide
from .paging import scan_pages
from .single import acumatica_failure_text
from .source import FULL, SINCE, scan_fetch, scan_query

# What a person reads: each outcome lists at most this many records (the counts are complete).
LISTED = 100
OUTCOMES = ("create", "update", "leave", "skip", "fail")
_OUTCOME = {
    Action.CREATE: "create",
    Action.UPDATE: "update",
    Action.KEEP_LOCAL: "leave",
    Action.UNCHANGED: "leave",
    Action.SKIP: "skip",
}


class PreviewFailed(Exception):
    """Acumatica could not be read; the message says why (never a secret)."""


@dataclass(frozen=True)
class PreviewRow:
    key: str
    reason: str
    order_id: int | None = None


@dataclass
class RescanPreview:
    since: dt.datetime | None
    full: bool = False
    records: int = 0
    requests: int = 0
    # Stopped after FULFILLMENT_RESCAN_PREVIEW_MAX_RECORDS: the re-scan itself reads them all.
    stopped_early: bool = False
    counts: Counter = field(default_factory=Counter)
    rows: dict[str, list[PreviewRow]] = field(default_factory=lambda: {o: [] for o in OUTCOMES})

    def add(self, outcome: str, row: PreviewRow) -> None:
        self.counts[outcome] += 1
        if len(self.rows[outcome]) < LISTED:
            self.rows[outcome].append(row)

    @property
    def outcomes(self) -> list[tuple[str, int, list[PreviewRow]]]:
        return [(o, self.counts[o], self.rows[o]) for o in OUTCOMES]


def rescan_preview(
    *, store: StoreConnection, since: dt.datetime | None = None, full: bool = False
) -> RescanPreview:
    """What a re-scan of everything changed since ``since`` (or, ``full``, of every open
    record) would create, update, leave, skip and fail to read, with the reason for each
    record; raises :class:`PreviewFailed`."""
    if full == (since is not None):
        raise ValueError("a re-scan preview takes a date or full, not both or neither")
    mode = mode_for(store)
    query = scan_query(
        mode=mode,
        scan=FULL if full else SINCE,
        order_type=store.order_type or "SO",
        warehouse=store.default_warehouse,
        lower_bound=since,
    )
    preview = RescanPreview(since=since, full=full)
    limit = conf.rescan_preview_max_records()
    client = None
    try:
        client = acumatica_client_for(store, purpose="re-scan preview", urgent=True)
        with client:
            pages = scan_pages(
                lambda skip, top: scan_fetch(client, query, skip, top),
                key_of=lambda record: record_key_text(record, mode.key_fields),
                page_size=conf.page_size(),
            )
            for page in pages:
                _decide_page(store, mode, page.records, preview)
                preview.requests = client.request_count
                if preview.records >= limit and not page.last:
                    preview.stopped_early = True
                    break
    except (AcumaticaError, StoreClientUnavailable) as exc:
        raise PreviewFailed(acumatica_failure_text(exc)) from exc
    finally:
        if client is not None:
            preview.requests = client.request_count
    return preview


def _decide_page(store, mode, records: list[dict], preview: RescanPreview) -> None:
    preview.records += len(records)
    mapped_page = PageResult()
    orders = map_records(records, mode, mapped_page)
    for failure in mapped_page.failures:
        preview.add("fail", PreviewRow(failure["key"], failure["reason"]))
    known = known_orders(store, orders, lock=False) if orders else {}
    for order in orders:
        stored = known.get(order.key)
        decision = decide(stored.snapshot if stored else None, order)
        row = PreviewRow(order.key_text, _reason(decision), stored.snapshot.id if stored else None)
        preview.add(_OUTCOME[decision.action], row)


def _reason(decision) -> str:
    if decision.action is Action.SKIP:
        return decision.skip_reason
    if decision.action is Action.CREATE:
        return "new here"
    if decision.action is Action.UNCHANGED:
        return "up to date"
    changes = ", ".join(decision.changes) or "changed"
    if decision.action is Action.KEEP_LOCAL:
        kept = "shipped here: only Acumatica's status is recorded"
        return f"{kept} ({changes}){'; flagged for the warehouse' if decision.flag else ''}"
    return changes + ("; flagged for the warehouse" if decision.flag else "")

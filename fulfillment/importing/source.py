"""What an import asks Acumatica for (the adapter): entity, ``$filter``, ``$expand`` and
``$select`` per kind of scan, from the mode's spec (``fulfillment.modes``).

Full scans (the first import, a re-scan) filter on the eligible statuses: an open-orders scan
costs pages in proportion to what is open, not to the tenant's history.

Incremental scans filter only on what never changes for a record (order type, warehouse) and
on the last-modified time, not on status. That costs a few records the importer then skips, and
buys two things: (1) an order cancelled, put on hold or completed after import is seen (its
LastModified moves, but a status filter would hide it) and leaves the warehouse queue; (2) the
result set only grows while it is paged — a record never drops out of it between two pages —
so ``$skip`` paging cannot jump over a record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from connector.acumatica import odata

from ..modes import Mode

FULL = "full"
INCREMENTAL = "incremental"
SINCE = "since"


@dataclass(frozen=True)
class ScanQuery:
    entity: str
    filter: odata.Filter
    expand: tuple[str, ...]
    select: tuple[str, ...]


def scan_query(
    *,
    mode: Mode,
    scan: str,
    order_type: str,
    warehouse: str = "",
    lower_bound: dt.datetime | None = None,
) -> ScanQuery:
    """``lower_bound`` is required for incremental and since scans (``LastModified ge``)."""
    if scan != FULL and lower_bound is None:
        raise ValueError(f"a {scan} scan needs a lower bound")
    changed_since = odata.ge(mode.last_modified_field, lower_bound) if scan != FULL else None
    return ScanQuery(
        entity=mode.entity,
        filter=odata.and_(
            mode.scan_filter(full=scan == FULL, order_type=order_type, warehouse=warehouse),
            changed_since,
        ),
        expand=mode.expand,
        select=mode.select,
    )


def scan_fetch(client, query: ScanQuery, skip: int, top: int) -> list[dict]:
    """One page of ``query``: ``$top`` records after ``$skip`` (the pager's ``fetch``)."""
    return client.list(
        query.entity,
        filter=query.filter,
        expand=query.expand,
        select=query.select,
        top=top,
        skip=skip or None,
    )

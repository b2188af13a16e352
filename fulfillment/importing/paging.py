"""Reading a result set with ``$top``/``$skip`` without missing a record.

Acumatica documents no page order and has no ``$orderby`` (API.md §3), so a page cannot carry
a "last modified so far" checkpoint: a later page may hold older records. What a page can carry
is its *position* in the result set and the key of its last record (the boundary).

Each page after the first starts one record early (``$skip = position - 1``, ``$top = size +
1``) and must begin with the boundary record. When it does not, records before the boundary
left the result set (a status-filtered scan while orders change, or a deleted record) and the
records that slid back over the boundary would be skipped: the pager then re-reads backwards,
page by page, until it finds the boundary again, and yields those pages too. Re-reading is
harmless (the writes are idempotent upserts); skipping is not.

Recovery pages come *before* the page that revealed the shift, so a checkpoint is only ever
saved once everything before it has been written.

What this relies on: one query returns its records in the same relative order from one
request to the next. The sandbox uses key order; Acumatica documents none, but no ``$skip``
paging of any client could work without a stable order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from connector.acumatica import UnexpectedResponse

Record = dict[str, Any]
Fetch = Callable[[int, int], list[Record]]


@dataclass(frozen=True)
class Page:
    records: list[Record]
    # Where the scan stands once this page is written (a forward page), else None (a re-read).
    position: int | None
    boundary_key: str
    last: bool = False

    @property
    def checkpoint(self) -> bool:
        return self.position is not None


def scan_pages(
    fetch: Fetch,
    *,
    key_of: Callable[[Record], str],
    page_size: int,
    position: int = 0,
    boundary_key: str = "",
) -> Iterator[Page]:
    """Yield the pages of a result set; ``fetch(skip, top)`` sends one list request.

    Start at ``position`` with ``boundary_key`` to resume an interrupted scan. N records cost
    about N / page_size + 1 requests.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    if position <= 0 or not boundary_key:
        position, boundary_key = 0, ""
    while True:
        if boundary_key:
            skip, top = position - 1, page_size + 1
        else:
            skip, top = position, page_size
        page = _fetch(fetch, skip, top)
        fresh = page
        keys: list[str] = []
        if boundary_key:
            keys = [key_of(record) for record in page]
            if boundary_key in keys:
                at = keys.index(boundary_key)
                # Before the boundary there can only be records read already or newcomers
                # (changed after the scan started, so inside the next scan's window): records
                # keep their relative order, so every unread one is after the boundary.
                fresh = page[at + 1 :]
            else:
                yield from _recover(fetch, key_of, page_size, end=skip, boundary_key=boundary_key)
        last = len(page) < top
        end = skip + len(page)
        if page:
            boundary_key = key_of(page[-1])
        yield Page(fresh, position=end, boundary_key=boundary_key, last=last)
        if last:
            return
        # Hold no page while the next one is fetched: memory stays at one page.
        page = fresh = keys = []
        position = end


def _recover(
    fetch: Fetch, key_of: Callable[[Record], str], page_size: int, *, end: int, boundary_key: str
) -> Iterator[Page]:
    while end > 0:
        start = max(0, end - page_size)
        page = _fetch(fetch, start, end - start)
        yield Page(page, position=None, boundary_key=boundary_key)
        if any(key_of(record) == boundary_key for record in page):
            return
        end = start


def _fetch(fetch: Fetch, skip: int, top: int) -> list[Record]:
    page = fetch(skip, top)
    if len(page) > top:
        # The server ignored $top: positions mean nothing, paging on would repeat or skip.
        raise UnexpectedResponse(f"Acumatica returned {len(page)} records for $top={top}")
    return page

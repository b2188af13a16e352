"""The cursor: which scan a run does, and how far the watermark may move when a scan ends.

Why the watermark moves only at the end of a scan: Acumatica returns pages in no documented
order (no ``$orderby``), so a record read on page 1 may be newer than one still unread on page
5. Setting the watermark from the pages committed so far would let an interrupted run skip
page 5 for good. Instead each committed page checkpoints the scan's *position* (and the key of
the record there, see ``paging.py``); an interrupted scan resumes from that checkpoint with the
same filter, and only a scan that has read its last page moves the watermark.

The new watermark is ``min(newest LastModified seen, local time when the scan started)``; the
next scan asks for ``LastModified ge watermark - lookback``:

* a record changed while the scan ran has LastModified after the scan started, so it is at or
  after the watermark: the next scan sees it even if this one read its page before the change;
* same-second ties: ``ge`` (not ``gt``) plus the lookback re-read every record of the newest
  second, and the binder counts re-read records as unchanged (payload hash) — never twice;
* late commits (LastModified stamped before a transaction commits and becomes visible) and a
  clock skew between Acumatica and us are caught if shorter than the lookback (default 10 min).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import ImportCursor
from .source import FULL, INCREMENTAL, SINCE


@dataclass(frozen=True)
class ScanPlan:
    scan: str
    lower_bound: dt.datetime | None
    started_at: dt.datetime
    position: int = 0
    boundary_key: str = ""
    max_modified: dt.datetime | None = None
    max_key: str = ""
    resumed: bool = False


def plan_scan(
    cursor: ImportCursor,
    *,
    full: bool,
    since: dt.datetime | None,
    lookback: dt.timedelta,
    now: dt.datetime,
) -> ScanPlan:
    """A new scan when one is asked for (full, since) or none is in progress; else the scan in
    progress, from its checkpoint. The caller checks that the resumed scan's filter is still the
    one it would send (see :func:`fresh_plan`)."""
    if full:
        return ScanPlan(FULL, None, now)
    if since is not None:
        return ScanPlan(SINCE, since, now)
    if cursor.scan:
        return ScanPlan(
            cursor.scan,
            cursor.scan_lower_bound,
            cursor.scan_started_at or now,
            position=cursor.scan_offset,
            boundary_key=cursor.scan_boundary_key,
            max_modified=cursor.scan_max_modified,
            max_key=cursor.scan_max_key,
            resumed=True,
        )
    return fresh_plan(cursor, lookback=lookback, now=now)


def fresh_plan(cursor: ImportCursor, *, lookback: dt.timedelta, now: dt.datetime) -> ScanPlan:
    if cursor.cursor is None:
        return ScanPlan(FULL, None, now)
    return ScanPlan(INCREMENTAL, cursor.cursor - lookback, now)


def finished_cursor(
    cursor: ImportCursor, plan: ScanPlan, *, lookback: dt.timedelta
) -> tuple[dt.datetime | None, str]:
    """The watermark (and the key of the record that set it) after ``plan`` read its last page;
    ``plan.max_modified`` is the newest LastModified of the whole scan."""
    current, current_key = cursor.cursor, cursor.cursor_key
    if plan.max_modified is None:
        return current, current_key
    seen_until = min(plan.max_modified, plan.started_at)
    key = plan.max_key if seen_until == plan.max_modified else ""
    if current is None:
        # Nothing was imported before: every eligible record up to here now is.
        return seen_until, key
    if plan.scan == FULL:
        # A status-filtered scan does not see orders that *left* eligibility; the incremental
        # scans that do must not be moved past them.
        return current, current_key
    if plan.scan == SINCE and plan.lower_bound and plan.lower_bound > current - lookback:
        # It started later than the next incremental scan would: the gap is still unread.
        return current, current_key
    if seen_until > current:
        return seen_until, key
    return current, current_key

"""A report's differences as CSV, every row, streamed. Cells a spreadsheet would run as a
formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return first: text typed in Acumatica
or by the warehouse) are prefixed with ``'``, as the orders export does."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator

from .models import ReconciliationReport

HEADER = (
    "Report",
    "Store",
    "Merchant",
    "Difference",
    "Document",
    "Status in Acumatica",
    "Reason",
    "Order id",
    "Fulfillment id",
    "Backfill",
    "Backfill outcome",
    "Backfilled at (UTC)",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def defused(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def report_csv(report: ReconciliationReport) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    store = report.store
    rows = report.differences.order_by("kind", "id").iterator(chunk_size=2000)
    for row in rows:
        yield writer.writerow(
            [
                defused(value)
                for value in (
                    report.pk,
                    store.name,
                    store.merchant.name,
                    row.get_kind_display(),
                    row.document,
                    row.source_status,
                    row.reason,
                    row.order_id or "",
                    row.fulfillment_id or "",
                    row.get_backfill_state_display() if row.backfill_state else "",
                    row.backfill_outcome,
                    _utc(row.backfilled_at),
                )
            ]
        )


def _utc(moment) -> str:
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

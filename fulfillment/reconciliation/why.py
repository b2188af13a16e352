""" "Why isn't it imported?" for each record a reconciliation finds eligible and missing, from
what is already known (pure: no database, no HTTP): the store's state, what recent import runs
said about the key, and the import's watermark against the record's LastModified — the same
rules "Why wasn't this order imported?" (``importing.diagnosis``) applies, read through its
functions (``local.why_context_for``), without reading each record again. That page's live
answer is one click away on the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..importing.diagnosis import IMPORTING_STORE_STATUSES, RecordedReason
from .compare import AT_SOURCE, LocalOrder, SourceRow


@dataclass(frozen=True)
class WhyContext:
    store_status: str
    store_status_label: str
    # The oldest LastModified the next import reads, for the store's kind of record
    # (``diagnosis.import_watermark``; None: no scan yet).
    watermark: dt.datetime | None
    # Key text ("SO 000123") → what the latest run that named it said
    # (``diagnosis.recorded_reasons``).
    recorded: dict[str, RecordedReason] = field(default_factory=dict)


def why_not_imported(row: SourceRow, local: LocalOrder | None, context: WhyContext) -> str:
    """One or two sentences for an operator: why the record is not here (or not in the warehouse
    queue) although Acumatica has it eligible, and whether the next import fixes it."""
    next_import = _next_import(row, context)
    if local is not None and local.status in AT_SOURCE:
        text = f"Here as {local.status_label.lower()}"
        text += f" ({local.status_reason.rstrip('.')})" if local.status_reason else ""
        text += f", but Acumatica has it {row.status} now."
        if next_import is True:
            return text + " The next import brings it back to the warehouse queue."
        return text + " No import will read it again unless it changes: import it now."
    if context.store_status not in IMPORTING_STORE_STATUSES:
        return (
            f"The store is {context.store_status_label.lower()}: nothing is imported until it "
            "is active."
        )
    recorded = context.recorded.get(" ".join(row.key))
    if recorded is not None:
        return (
            f"Import run {recorded.run_id} ({recorded.started_at:%Y-%m-%d %H:%M}) reported: "
            f"{recorded.reason.rstrip('.')}."
        )
    if context.watermark is None:
        return "No import of this store has finished a scan yet: the first one imports it."
    if row.last_modified is None:
        return (
            "Acumatica gives no last-modified time for it, so no scan can place it: import it now."
        )
    bound = context.watermark
    if next_import:
        return (
            f"It changed at {_at(row.last_modified)}, after the import's watermark "
            f"({_at(bound)}): the next import picks it up."
        )
    return (
        f"It last changed at {_at(row.last_modified)}, before the import's watermark "
        f"({_at(bound)}), and is not here: imports read only what changed since, so it was "
        "removed here or missed. Import it now."
    )


def _next_import(row: SourceRow, context: WhyContext) -> bool | None:
    bound = context.watermark
    if bound is None or row.last_modified is None:
        return None
    return row.last_modified >= bound


def _at(moment: dt.datetime | None) -> str:
    return "?" if moment is None else f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"

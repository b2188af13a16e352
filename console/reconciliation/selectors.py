"""Reads on reconciliation reports, always through the user's stores (``stores.access``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from fulfillment.reconciliation import KIND_LABELS, KINDS, STAGES
from stores.access import stores_for

from .models import ReconciliationDifference, ReconciliationReport

# Rows shown per list on the report page; the CSV has every one.
ROWS_SHOWN = 200


def reports_for(user) -> QuerySet[ReconciliationReport]:
    return ReconciliationReport.objects.filter(store__in=stores_for(user)).select_related(
        "store", "store__merchant", "requested_by"
    )


def report_for(user, report_id) -> ReconciliationReport:
    """The report if it is of one of the user's stores, else Http404."""
    try:
        return reports_for(user).get(pk=report_id)
    except (ReconciliationReport.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report.") from None


def report_stages(report: ReconciliationReport) -> list[tuple[str, str, int]]:
    """(label, unit, count) per stage, in the order an order goes through them."""
    counts = report.counts or {}
    return [(label, unit, counts.get(name, 0)) for name, label, unit in STAGES]


def report_lists(report: ReconciliationReport, *, limit: int = ROWS_SHOWN) -> list[dict]:
    """Each kind of difference with its first ``limit`` rows and how many there are."""
    lists = []
    for kind in KINDS:
        rows = report.differences.filter(kind=kind).select_related("order", "fulfillment")
        total = rows.count()
        lists.append(
            {
                "kind": kind,
                "label": KIND_LABELS[kind],
                "total": total,
                "rows": list(rows.order_by("id")[:limit]),
            }
        )
    return lists


def report_rows_all(report: ReconciliationReport) -> QuerySet[ReconciliationDifference]:
    return report.differences.order_by("kind", "id")


def latest_reports_by_store(store_ids) -> dict[int, ReconciliationReport]:
    """Each store's newest finished report."""
    latest: dict[int, ReconciliationReport] = {}
    reports = ReconciliationReport.objects.filter(
        store_id__in=list(store_ids), status="finished"
    ).order_by("store_id", "-created_at", "-id")
    for report in reports.defer("counts"):
        latest.setdefault(report.store_id, report)
    return latest

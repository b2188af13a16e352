"""The audit log page: who did what, when, to which store or order, with before → after.

Merchant users see only their merchant's entries (``stores.audit.audit_entries_for``). Filters
come from the query string; a bad one is reported on the page and ignored, never a 500.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from stores.audit import audit_entries_for
from stores.models import AuditEntry

from ..audit_changes import changed_fields
from ..config_history import can_revert, is_revertable_action
from ..forms import AuditFilterForm
from ..selectors import audit_entries_filtered, audit_target_urls

PAGE_SIZE = 50
# The CSV export is for "what happened last week", not a backup: keep a request bounded.
CSV_MAX_ROWS = 10_000


def _filtered(entries: QuerySet[AuditEntry], form: AuditFilterForm) -> QuerySet[AuditEntry]:
    form.is_valid()
    # Valid fields still apply when another one is wrong.
    return audit_entries_filtered(entries, filters=form.cleaned_data)


@login_required
def audit_log(request):
    visible = audit_entries_for(request.user)
    form = AuditFilterForm(request.GET or None, user=request.user, entries=visible)
    entries = _filtered(visible, form) if form.is_bound else visible
    if request.GET.get("format") == "csv":
        return _csv_response(entries)
    if form.is_bound and form.errors:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else "Filters"
            messages.error(request, f"{label}: {' '.join(errors)} This filter was ignored.")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    urls = audit_target_urls(page.object_list)
    reverts = can_revert(request.user)
    rows = [
        {
            "entry": entry,
            "target_url": urls.get(entry.pk),
            "changes": changed_fields(entry),
            "revert_url": _revert_url(entry) if reverts else None,
        }
        for entry in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "console/audit_log.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


def _revert_url(entry: AuditEntry) -> str | None:
    """Where a configuration change of a store is reverted (its confirmation page)."""
    if entry.store_id is None or not is_revertable_action(entry.action):
        return None
    return reverse("history:revert", args=[entry.store_id, entry.pk])


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value: str) -> str:
    # A spreadsheet would run a cell that starts like a formula.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_response(entries: QuerySet[AuditEntry]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    header = ["at", "actor", "via", "action", "store", "target_type", "target_id", "target"]
    header += ["summary", "reason", "changes"]

    def rows():
        yield writer.writerow(header)
        for entry in entries[:CSV_MAX_ROWS].iterator():
            changes = "; ".join(f"{n}: {b} → {a}" for n, b, a in changed_fields(entry))
            values = [
                entry.at.isoformat(),
                entry.actor_label,
                entry.via,
                entry.action,
                entry.store_label,
                entry.target_type,
                entry.target_id,
                entry.target_label,
                entry.summary,
                entry.reason,
                changes,
            ]
            yield writer.writerow([_csv_cell(str(v)) for v in values])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response

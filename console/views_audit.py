"""The audit log page: who did what, when, to which store or order, with before → after.

Merchant users see only their merchant's entries (``stores.audit.audit_entries_for``). Filters
come from the query string; a bad one is reported on the page and ignored, never a 500.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from fulfillment.models import Fulfillment
from stores.access import stores_for
from stores.audit import CHANGED, SECRET_FIELDS, audit_entries_for
from stores.models import AuditEntry

PAGE_SIZE = 50
# The CSV export is for "what happened last week", not a backup: keep a request bounded.
CSV_MAX_ROWS = 10_000


def _looks_secret(name: str) -> bool:
    """Defensive second line behind ``audit_record``'s masking: a page never shows such a value."""
    name = name.lower()
    return name in SECRET_FIELDS or name.endswith(("_secret", "_password"))


def _shown(name: str, value: Any) -> str:
    if _looks_secret(name):
        return CHANGED if value else ""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def changed_fields(entry: AuditEntry) -> list[tuple[str, str, str]]:
    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return [
        (name, _shown(name, before.get(name)), _shown(name, after.get(name)))
        for name in sorted(set(before) | set(after))
    ]


class AuditFilterForm(forms.Form):
    store = forms.TypedChoiceField(label="Store", required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label="Action", required=False)
    actor = forms.CharField(label="Who", required=False, max_length=150)
    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")
    q = forms.CharField(required=False, max_length=200, label="Search")

    def __init__(self, *args, user, entries: QuerySet[AuditEntry], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", "All stores")] + [
            (store.pk, str(store)) for store in stores_for(user)
        ]
        actions = sorted(set(entries.order_by().values_list("action", flat=True).distinct()))
        groups = sorted({a.split(".", 1)[0] + "." for a in actions if "." in a})
        self.fields["action"].choices = (
            [("", "All actions")]
            + [(group, f"{group}*") for group in groups]
            + [(action, action) for action in actions if action not in groups]
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "“To” is before “From”.")
            cleaned.pop("date_to", None)
        return cleaned


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered(entries: QuerySet[AuditEntry], form: AuditFilterForm) -> QuerySet[AuditEntry]:
    form.is_valid()
    # Valid fields still apply when another one is wrong.
    data = form.cleaned_data
    if data.get("store"):
        entries = entries.filter(store_id=data["store"])
    if data.get("action"):
        entries = entries.filter(action__startswith=data["action"])
    if data.get("actor"):
        entries = entries.filter(actor_label__icontains=data["actor"].strip())
    if data.get("date_from"):
        entries = entries.filter(at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        entries = entries.filter(at__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    if data.get("q"):
        text = data["q"].strip()
        entries = entries.filter(Q(summary__icontains=text) | Q(target_label__icontains=text))
    return entries


def _target_urls(entries: list[AuditEntry]) -> dict[int, str]:
    """Where each entry's target lives in the console (fulfillments open their order's page)."""
    fulfillment_ids = {
        int(e.target_id)
        for e in entries
        if e.target_type == "fulfillment" and e.target_id.isdigit()
    }
    order_of_fulfillment = dict(
        Fulfillment.objects.filter(pk__in=fulfillment_ids).values_list("pk", "order_id")
    )
    urls = {}
    for entry in entries:
        if not entry.target_id.isdigit():
            continue
        target_id = int(entry.target_id)
        if entry.target_type == "order":
            urls[entry.pk] = reverse("fulfillment:order_detail", args=[target_id])
        elif entry.target_type == "storeconnection":
            urls[entry.pk] = reverse("stores:detail", args=[target_id])
        elif entry.target_type == "fulfillment" and target_id in order_of_fulfillment:
            order_id = order_of_fulfillment[target_id]
            urls[entry.pk] = reverse("fulfillment:order_detail", args=[order_id])
    return urls


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
    urls = _target_urls(page.object_list)
    rows = [
        {"entry": entry, "target_url": urls.get(entry.pk), "changes": changed_fields(entry)}
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

"""Reconciliation pages: the reports of the user's stores, one report (counts per stage, each list
of differences with its reason, Backfill selected, CSV), and the store's "Reconcile" window
picker. Anyone who may see the store reads its reports; only 3PL staff reconcile or backfill
(for anyone else those URLs do not exist, as another merchant's objects do not)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from fulfillment.reconciliation import NOT_IMPORTED, daily_window
from stores.access import is_3pl_staff, store_for, stores_for
from stores.views.guards import posted, stores_page

from ..reconciliation.export import report_csv
from ..reconciliation.forms import BackfillForm, ReconcileForm
from ..reconciliation.selectors import (
    ROWS_SHOWN,
    report_for,
    report_lists,
    report_stages,
    reports_for,
)
from ..reconciliation.services import reconciliation_backfill_request, reconciliation_request

LIST_LIMIT = 100


def _staff_only(request) -> None:
    if not is_3pl_staff(request.user):
        raise Http404("No such page.")


@stores_page
def reconciliation_list(request):
    reports = reports_for(request.user)
    store = None
    raw = request.GET.get("store", "").strip()
    if raw:
        if not raw.isdigit():
            messages.error(request, f"“{raw[:40]}” is not a store number; showing every store.")
        else:
            store = store_for(request.user, raw)
            reports = reports.filter(store=store)
    return render(
        request,
        "console/reconciliation_list.html",
        {
            "reports": list(reports.order_by("-created_at", "-id")[:LIST_LIMIT]),
            "store": store,
            "stores": list(stores_for(request.user).order_by("name")),
            "can_act": is_3pl_staff(request.user),
        },
    )


@stores_page
def store_reconcile(request, store_id):
    store = store_for(request.user, store_id)
    _staff_only(request)
    now = timezone.now()
    form = ReconcileForm(posted(request), initial={"since": now - daily_window()})
    if request.method == "POST" and form.is_valid():
        try:
            report = reconciliation_request(
                store=store,
                since=form.cleaned_data["since"],
                until=form.cleaned_data["until"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Reconciliation of {store.name} queued.")
            return redirect("console:reconciliation_detail", report.pk)
    return render(
        request,
        "console/reconcile_store.html",
        {"store": store, "form": form},
        status=400 if form.errors else 200,
    )


@stores_page
def reconciliation_detail(request, report_id):
    report = report_for(request.user, report_id)
    can_act = is_3pl_staff(request.user)
    if request.method == "POST":
        _staff_only(request)
        row_ids = report.differences.values_list("pk", flat=True)
        form = BackfillForm(request.POST, row_ids=list(row_ids))
        if form.is_valid():
            try:
                queued = reconciliation_backfill_request(
                    report=report, row_ids=form.cleaned_data["row"], actor=request.user
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    f"Backfill of {len(queued)} difference(s) queued; each row shows what it did.",
                )
            return redirect("console:reconciliation_detail", report.pk)
        for error in form.errors.get("row", []):
            messages.error(request, error)
        return redirect("console:reconciliation_detail", report.pk)
    return render(
        request,
        "console/reconciliation_detail.html",
        {
            "report": report,
            "stages": report_stages(report),
            "lists": report_lists(report),
            "rows_shown": ROWS_SHOWN,
            "can_act": can_act,
            "not_imported": NOT_IMPORTED,
            "why_url": reverse("fulfillment:order_why"),
            "in_progress": report.in_progress,
        },
    )


@stores_page
def reconciliation_export(request, report_id):
    report = report_for(request.user, report_id)
    response = StreamingHttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="reconciliation-{report.pk}-store-{report.store_id}.csv"'
    )
    return response

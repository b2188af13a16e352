"""Import runs (list, detail, live progress), run now and re-scan from a date.

Runs are read through ``importing.import_runs_for`` and stores through ``stores.access``: another
merchant's run or store is a 404. "Run now" and "Re-scan" follow the confirmation convention:
GET shows what will happen, POST queues it through ``importing.import_request`` (audited). A
re-scan's first POST is its dry run (``importing.rescan_preview``): what it would create,
update, leave and skip, with the reasons; "Apply" then queues it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from stores import access
from stores.models import StoreConnection, StoreStatus

from .. import importing
from ..models import ImportRun, ImportRunStatus, ImportTrigger
from ..selectors import stores_to_filter_by

PAGE_SIZE = 50
# The calls shown on a run's page: enough for any run a person reads call by call.
MAX_CALLS = 500


@login_required
def import_run_list(request):
    selected = {name: request.GET.get(name) or "" for name in ("store", "status", "trigger")}
    runs = importing.import_runs_filtered(importing.import_runs_for(request.user), **selected)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in selected.items() if v}
    return render(
        request,
        "fulfillment/import_run_list.html",
        {
            "page": page,
            "stores": stores_to_filter_by(request.user),
            "selected_store": selected["store"],
            "selected": selected,
            "statuses": ImportRunStatus.choices,
            "triggers": ImportTrigger.choices,
            "querystring": urlencode(query),
        },
    )


@login_required
def import_run_detail(request, run_id):
    run = _run_for(request.user, run_id)
    calls = importing.import_run_calls(run)
    call_count = calls.count()
    local = importing.run_order_ids(run)
    return render(
        request,
        "fulfillment/import_run_detail.html",
        {
            "run": run,
            "calls": calls[:MAX_CALLS],
            "call_count": call_count,
            "calls_cut": call_count > MAX_CALLS,
            "key_sections": [
                {
                    "title": "Failed records",
                    "count": run.failed,
                    "items": [_keyed(item, local) for item in run.failures or []],
                },
                {
                    "title": "Skipped records",
                    "count": run.skipped,
                    "items": [_keyed(item, local) for item in run.skipped_reasons or []],
                },
            ],
            "is_staff": access.is_3pl_staff(request.user),
        },
    )


@login_required
def import_run_progress(request, run_id):
    run = _run_for(request.user, run_id)
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_label": run.get_status_display(),
            "pages": run.pages,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "skipped": run.skipped,
            "failed": run.failed,
            "acumatica_requests": run.acumatica_requests,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "duration_seconds": _duration(run),
            "error": run.error,
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
def store_import_now(request, store_id):
    store = access.store_for(request.user, store_id)
    if request.method != "POST":
        return render(
            request,
            "fulfillment/confirm_import.html",
            {
                "store": store,
                "mode": "now",
                **importing.import_overview(store),
                "next": _next(request),
            },
        )
    try:
        importing.import_request(store=store, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Import of {store.name} queued; it starts in a moment.")
    return redirect(_next(request) or _runs_of(store))


class RescanForm(forms.Form):
    since = forms.CharField(
        required=False,
        max_length=40,
        label="Re-read every order changed since",
        help_text="A date (the start of that day, server time zone) or a date and time.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    full = forms.BooleanField(
        required=False,
        label="Full re-scan instead: re-read every open order, whatever its date",
    )

    def clean_since(self) -> dt.datetime | None:
        text = (self.cleaned_data.get("since") or "").strip()
        if not text:
            return None
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                "Enter a date like 2025-03-01 or a date and time like 2025-03-01T14:30."
            ) from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment > timezone.now():
            raise ValidationError("The date is in the future: pick a date in the past.")
        return moment

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("full") and data.get("since"):
            raise ValidationError("Choose either a date or a full re-scan, not both.")
        if not data.get("full") and not data.get("since"):
            raise ValidationError("Pick a date, or tick full re-scan.")
        return data


@login_required
def store_rescan(request, store_id):
    store = access.store_for(request.user, store_id)
    form = RescanForm(request.POST if request.method == "POST" else None)
    preview = None
    if request.method == "POST" and form.is_valid():
        since, full = form.cleaned_data["since"], form.cleaned_data["full"]
        if request.POST.get("action") == "apply":
            try:
                importing.import_request(store=store, since=since, full=full, actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                what = "Full re-scan" if full else f"Re-scan from {since:%Y-%m-%d %H:%M}"
                messages.success(request, f"{what} of {store.name} queued; it starts in a moment.")
                return redirect(_next(request) or _runs_of(store))
        elif store.status == StoreStatus.DRAFT:
            form.add_error(None, "Test the connection and activate the store before importing.")
        else:
            # The dry run first: what the re-scan would do, nothing written.
            try:
                preview = importing.rescan_preview(store=store, since=since, full=full)
            except importing.PreviewFailed as exc:
                form.add_error(None, str(exc))
    return render(
        request,
        "fulfillment/confirm_import.html",
        {
            "store": store,
            "mode": "rescan",
            "form": form,
            "preview": preview,
            **importing.import_overview(store),
            "next": _next(request),
        },
    )


# --- helpers -----------------------------------------------------------------------------------


def _run_for(user, run_id) -> ImportRun:
    """The run if the user may see it, else Http404 (another merchant's run does not exist)."""
    try:
        return importing.import_runs_for(user).get(pk=run_id)
    except ImportRun.DoesNotExist:
        raise Http404("No such import run.") from None


def _duration(run: ImportRun) -> float:
    end = run.finished_at or timezone.now()
    return round((end - run.started_at).total_seconds(), 1)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _runs_of(store: StoreConnection) -> str:
    return f"{reverse('fulfillment:import_run_list')}?store={store.pk}"


def _keyed(item, local: dict[str, int]) -> dict:
    if not isinstance(item, dict):
        return {"key": "", "reason": str(item), "order_id": None}
    key = str(item.get("key", ""))
    return {"key": key, "reason": str(item.get("reason", "")), "order_id": local.get(key)}

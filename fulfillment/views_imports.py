"""Import runs (list, detail, live progress), run now and re-scan from a date.

Placeholder parts are being written."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from stores import access

from . import selectors, services

PAGE_SIZE = 50


@login_required
def import_run_list(request):
    runs = selectors.import_runs_for(request.user)
    store_id = request.GET.get("store") or ""
    if store_id.isdigit():
        runs = runs.filter(store_id=int(store_id))
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "fulfillment/import_run_list.html",
        {"page": page, "stores": access.stores_for(request.user), "selected_store": store_id},
    )


@login_required
@require_POST
def store_import_now(request, store_id):
    store = access.store_for(request.user, store_id)
    try:
        services.import_request(store=store)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Import of {store.name} queued; it starts in a moment.")
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = f"{reverse('fulfillment:import_run_list')}?store={store.pk}"
    return redirect(target)


def import_run_detail(request, **kwargs):
    return HttpResponse("not yet", status=501)


def import_run_progress(request, **kwargs):
    return HttpResponse("not yet", status=501)


def store_rescan(request, **kwargs):
    return HttpResponse("not yet", status=501)

"""Alert pages: the list (open, closed or all; by store) and one alert with what lies behind it
and what to do. "Retry write-backs" is confirmed on the alert's own page and POSTed back to it;
only 3PL staff may do it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render

from fulfillment.writeback.services import writeback_retry_store
from stores.access import is_3pl_staff, store_for
from stores.views.guards import stores_page

from ..causes import IMPORT_CAUSES, IMPORT_NOW_CAUSES, WRITEBACK_CAUSES
from ..selectors import alert_for, alert_related_fulfillments, alert_related_runs, alerts_listed

STATES = {"open": "Open", "closed": "Closed", "all": "All"}
PAGE_SIZE = 50


@stores_page
def alert_list(request):
    state = request.GET.get("state", "open")
    if state not in STATES:
        messages.error(request, "Unknown state: showing open alerts (choose open, closed or all).")
        state = "open"
    store = None
    raw_store = request.GET.get("store", "").strip()
    if raw_store:
        if raw_store.isdigit():
            store = store_for(request.user, raw_store)
        else:
            messages.error(request, f"“{raw_store[:40]}” is not a store number: showing all.")
    alerts = alerts_listed(request.user, state=state, store=store)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "console/alert_list.html",
        {
            "page": page,
            "alerts": page.object_list,
            "state": state,
            "states": STATES,
            "store": store,
        },
    )


@stores_page
def alert_detail(request, alert_id):
    alert = alert_for(request.user, alert_id)
    can_act = is_3pl_staff(request.user)
    retryable = alert.store_id is not None and alert.cause in WRITEBACK_CAUSES
    if request.method == "POST":
        if request.POST.get("action") != "retry_writebacks" or not retryable:
            messages.error(request, "This alert has no such action.")
        elif not can_act:
            messages.error(request, "Only 3PL staff can retry write-backs.")
        else:
            _retry_writebacks(request, alert)
        return redirect("console:alert_detail", alert_id=alert.pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "console/alert_detail.html",
        {
            "alert": alert,
            "can_act": can_act,
            "retryable": retryable,
            "import_now": alert.store_id is not None and alert.cause in IMPORT_NOW_CAUSES,
            "is_import_cause": alert.cause in IMPORT_CAUSES,
            "runs": alert_related_runs(alert),
            "fulfillments": alert_related_fulfillments(alert),
        },
    )


def _retry_writebacks(request, alert) -> None:
    try:
        retried = writeback_retry_store(store=alert.store, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return
    if retried:
        messages.success(
            request,
            f"{len(retried)} write-back(s) of {alert.store.name} will be retried now; this "
            "alert closes by itself once they succeed.",
        )
    else:
        messages.warning(request, f"{alert.store.name} has no write-back to retry.")

"""The dashboard: open alerts, every store's health, and the last 24 hours as a chart.

Reads only. Alerts come from the rows the evaluator keeps (every 15 s), health from
``console.health`` in a fixed number of queries for all the user's stores."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from stores.access import is_3pl_staff, store_for, stores_for
from stores.views.guards import stores_page

from ..chart import hourly_chart_svg
from ..selectors import hourly_activity, open_alerts_for, store_healths_for


def _chart_store_ids(request):
    """The stores the chart counts: the user's, or the one ``?store=`` names (if theirs)."""
    raw = request.GET.get("store", "").strip()
    if not raw:
        return stores_for(request.user).values("id"), None
    if not raw.isdigit():
        messages.error(request, f"“{raw[:40]}” is not a store number; showing every store.")
        return stores_for(request.user).values("id"), None
    store = store_for(request.user, raw)
    return [store.pk], store


def _local(hours):
    return [timezone.localtime(h) for h in hours]


@stores_page
def dashboard(request):
    now = timezone.now()
    store_ids, chart_store = _chart_store_ids(request)
    activity = hourly_activity(store_ids=store_ids, now=now)
    return render(
        request,
        "console/dashboard.html",
        {
            "now": now,
            "alerts": list(open_alerts_for(request.user)),
            "healths": store_healths_for(request.user, now=now),
            "can_act": is_3pl_staff(request.user),
            "chart_store": chart_store,
            "chart_svg": hourly_chart_svg(
                hours=_local(activity.hours), imported=activity.imported, errors=activity.errors
            ),
            "activity": list(zip(activity.hours, activity.imported, activity.errors, strict=True)),
        },
    )


@stores_page
def dashboard_chart(request):
    store_ids, _ = _chart_store_ids(request)
    activity = hourly_activity(store_ids=store_ids, now=timezone.now())
    svg = hourly_chart_svg(
        hours=_local(activity.hours),
        imported=activity.imported,
        errors=activity.errors,
        standalone=True,
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=60"
    return response

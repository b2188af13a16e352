"""The merchant health page (read-only): a merchant user sees their own merchant's stores; 3PL
staff pick a merchant."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from stores.access import is_3pl_staff, merchants_for
from stores.views.guards import stores_page

from ..merchant_health import merchant_for_health, merchant_health_for


@stores_page
def merchant_health(request):
    merchant = merchant_for_health(request.user, request.GET.get("merchant", "").strip())
    now = timezone.now()
    return render(
        request,
        "console/merchant_health.html",
        {
            "now": now,
            "merchant": merchant,
            "health": merchant_health_for(merchant, now=now) if merchant else None,
            "merchants": list(merchants_for(request.user).order_by("name"))
            if is_3pl_staff(request.user)
            else [],
        },
    )

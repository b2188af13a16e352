"""Merchant-facing order pages (the operator console comes later) and "run import now".

Orders and runs are read through ``selectors`` (which filter by ``stores.access``): another
merchant's order is a 404, never a 403."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from stores import access

from . import selectors
from .models import OrderStatus
from .views_fulfilments import order_page

PAGE_SIZE = 50


@login_required
def order_list(request):
    orders = selectors.orders_for(request.user)
    stores = access.stores_for(request.user)
    store_id = request.GET.get("store") or ""
    status = request.GET.get("status") or ""
    if store_id.isdigit():
        orders = orders.filter(store_id=int(store_id))
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    page = Paginator(orders.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "fulfillment/order_list.html",
        {
            "page": page,
            "stores": stores,
            "statuses": OrderStatus.choices,
            "selected_store": store_id,
            "selected_status": status,
            "is_staff": access.is_3pl_staff(request.user),
        },
    )


@login_required
def order_detail(request, order_id):
    # The page also shows the order's fulfilments and, for 3PL staff, the form to record one.
    return order_page(request, selectors.order_for(request.user, order_id))

"""The orders list and the order page.

Orders are read through ``selectors`` (which filter by ``stores.access``): another merchant's
order is a 404, never a 403, and never appears in a list, whatever the filters say."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from stores import access

from .. import selectors
from ..forms import OrderFilterForm
from ..models import OrderStatus
from .fulfillments import order_page

PAGE_SIZE = 50


@login_required
def order_list(request):
    form = OrderFilterForm(request.GET)
    values = form.values()
    for problem in values.pop("problems"):
        messages.warning(request, problem)
    orders = selectors.orders_filtered(selectors.orders_for(request.user), values)
    # Counts by status for the other filters, so a click on one narrows the list.
    by_status = selectors.order_status_counts(orders)
    if "status" in values:
        orders = orders.filter(status=values["status"])
    page = Paginator(orders.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    selectors.orders_with_fulfillment_summary(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    without_status = query.copy()
    without_status.pop("status", None)
    return render(
        request,
        "fulfillment/order_list.html",
        {
            "page": page,
            "form": form,
            "stores": selectors.stores_to_filter_by(request.user),
            "statuses": OrderStatus.choices,
            "fulfillment_statuses": OrderFilterForm.FULFILLMENT_STATUSES,
            "status_counts": [
                (value, label, by_status[value])
                for value, label in OrderStatus.choices
                if by_status.get(value)
            ],
            "selected": {
                "store": str(values.get("store", "")),
                "status": values.get("status", ""),
                "fulfillment_status": values.get("fulfillment_status", ""),
                "q": request.GET.get("q", "")[:100],
                "dates": values.get("date_field", "imported"),
                "from": request.GET.get("from", "")[:10],
                "to": request.GET.get("to", "")[:10],
            },
            "querystring": query.urlencode(),
            "querystring_without_status": without_status.urlencode(),
            "is_staff": access.is_3pl_staff(request.user),
        },
    )


@login_required
def order_detail(request, order_id):
    # The page also shows the order's timeline, fulfillments and, for 3PL staff, the actions.
    return order_page(request, selectors.order_for(request.user, order_id))

"""The orders list and the order page.

Orders are read through ``selectors`` (which filter by ``stores.access``): another merchant's
order is a 404, never a 403, and never appears in a list, whatever the filters say."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from stores import access

from .. import selectors
from ..forms import OrderBulkForm, OrderFilterForm
from ..models import OrderStatus
from ..order_bulk import BULK_ACTIONS, orders_bulk_act
from ..order_export import orders_csv
from .fulfillments import order_page

PAGE_SIZE = 50


def _filtered(request):
    """The filter form, its values and the user's orders they select (status aside)."""
    form = OrderFilterForm(request.GET)
    values = form.values()
    for problem in values.pop("problems"):
        messages.warning(request, problem)
    return form, values, selectors.orders_filtered(selectors.orders_for(request.user), values)


@login_required
def order_list(request):
    form, values, orders = _filtered(request)
    # Counts by status for the other filters, so a click on one narrows the list.
    by_status = selectors.order_status_counts(orders)
    if "status" in values:
        orders = orders.filter(status=values["status"])
    sort = selectors.order_sort_key(request.GET.get("sort", ""))
    page = Paginator(selectors.orders_sorted(orders, sort), PAGE_SIZE).get_page(
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
            "sorts": [(key, label) for key, (label, _) in selectors.ORDER_SORTS.items()],
            "sort": sort,
            "querystring": query.urlencode(),
            "querystring_without_status": without_status.urlencode(),
            "is_staff": access.is_3pl_staff(request.user),
            "bulk_form": OrderBulkForm(actions=BULK_ACTIONS),
            # Where the bulk action comes back to: this very page of the list.
            "list_querystring": request.GET.urlencode(),
        },
    )


@login_required
def order_bulk(request):
    """POST: one action on the ticked orders of the list (3PL staff only; for anyone else the
    URL does not exist), then back to the list as it was filtered, with what was done."""
    # The list's own filters and page, rebuilt from their parts: never a URL from the form.
    back = QueryDict(request.POST.get("querystring", "")).urlencode()
    list_url = reverse("fulfillment:order_list") + (f"?{back}" if back else "")
    if request.method != "POST":
        return redirect(list_url)
    if not access.is_3pl_staff(request.user):
        raise Http404("No such page.")
    form = OrderBulkForm(request.POST, actions=BULK_ACTIONS)
    ids = request.POST.getlist("order")
    if not form.is_valid():
        messages.error(request, "Choose what to do with the selected orders.")
        return redirect(list_url)
    if not ids:
        messages.warning(request, "Tick the orders to act on first.")
        return redirect(list_url)
    try:
        result = orders_bulk_act(
            actor=request.user,
            action=form.cleaned_data["action"],
            order_ids=ids,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, f"Nothing was done: {' '.join(exc.messages)}")
        return redirect(list_url)
    (messages.success if result.ok else messages.warning)(request, result.message)
    return redirect(list_url)


@login_required
def order_list_csv(request):
    """The orders the list's filters select (every page, in the list's order) as CSV."""
    _, values, orders = _filtered(request)
    if "status" in values:
        orders = orders.filter(status=values["status"])
    orders = selectors.orders_sorted(orders, request.GET.get("sort", ""))
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return StreamingHttpResponse(
        orders_csv(orders),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="orders-{stamp}.csv"'},
    )


@login_required
def order_detail(request, order_id):
    # The page also shows the order's timeline, fulfillments and, for 3PL staff, the actions.
    return order_page(request, selectors.order_for(request.user, order_id))

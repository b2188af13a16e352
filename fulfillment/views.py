"""The orders list and the order page.

Orders are read through ``selectors`` (which filter by ``stores.access``): another merchant's
order is a 404, never a 403, and never appears in a list, whatever the filters say."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.shortcuts import render
from django.utils import timezone

from stores import access

from . import selectors
from .forms import OrderFilterForm
from .models import Fulfillment, FulfillmentPackage, FulfillmentStatus, OrderStatus
from .views_fulfillments import order_page

PAGE_SIZE = 50
# "pending" covers a write-back a worker is doing right now: both are waiting for Acumatica.
_FULFILLMENT_STATUSES = {
    "pending": (FulfillmentStatus.PENDING, FulfillmentStatus.WRITING),
    "held": (FulfillmentStatus.HELD,),
    "failed": (FulfillmentStatus.FAILED,),
    "written_back": (FulfillmentStatus.WRITTEN_BACK,),
}
# The worst status first: what the list shows for an order with several fulfillments.
_WORST_FIRST = [
    FulfillmentStatus.FAILED,
    FulfillmentStatus.HELD,
    FulfillmentStatus.WRITING,
    FulfillmentStatus.PENDING,
    FulfillmentStatus.WRITTEN_BACK,
]
# "SO 000123", "SO/000123": an order type and number typed together.
_TYPED_NBR = re.compile(r"^(?P<type>[A-Za-z0-9]{2})[ /](?P<nbr>\S+)$")


def orders_search(orders: QuerySet, q: str) -> QuerySet:
    """Orders whose document number, Acumatica shipment number (its own or a fulfillment's),
    customer reference, fulfillment reference or tracking number matches ``q``. Numbers match
    whole (ignoring case): a sales order and a shipment may share a number, and both are found;
    the customer reference matches anywhere in it."""
    typed = _TYPED_NBR.match(q)
    if typed:
        return orders.filter(
            erp_order_type__iexact=typed["type"], erp_order_nbr__iexact=typed["nbr"]
        )
    via_fulfillments = Fulfillment.objects.filter(
        Q(reference__iexact=q) | Q(erp_shipment_nbr__iexact=q)
    ).values("order_id")
    via_packages = FulfillmentPackage.objects.filter(tracking_number__iexact=q).values(
        "fulfillment__order_id"
    )
    return orders.filter(
        Q(erp_order_nbr__iexact=q)
        | Q(erp_shipment_nbr__iexact=q)
        | Q(customer_reference__icontains=q)
        | Q(pk__in=via_fulfillments)
        | Q(pk__in=via_packages)
    )


def _filtered(orders: QuerySet, values: dict) -> QuerySet:
    if "store" in values:
        # A store the user may not see filters to nothing: orders_for already excludes it.
        orders = orders.filter(store_id=values["store"])
    if "fulfillment_status" in values:
        statuses = _FULFILLMENT_STATUSES[values["fulfillment_status"]]
        orders = orders.filter(
            pk__in=Fulfillment.objects.filter(status__in=statuses).values("order_id")
        )
    field = "updated_at" if values.get("date_field") == "updated" else "imported_at"
    tz = timezone.get_current_timezone()
    if "from_date" in values:
        start = dt.datetime.combine(values["from_date"], dt.time.min, tzinfo=tz)
        orders = orders.filter(**{f"{field}__gte": start})
    if "to_date" in values:
        end = dt.datetime.combine(values["to_date"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        orders = orders.filter(**{f"{field}__lt": end})
    if "q" in values:
        orders = orders_search(orders, values["q"])
    return orders


def _with_fulfillment_summary(orders) -> None:
    """Sets ``fulfillment_count``, ``fulfillment_worst`` (a FulfillmentStatus or "") and
    ``shipment_nbrs`` on each order of the page (one query for the page)."""
    by_order: dict[int, list[tuple[str, str]]] = {}
    rows = Fulfillment.objects.filter(order__in=orders).values_list(
        "order_id", "status", "erp_shipment_nbr"
    )
    for order_id, status, nbr in rows:
        by_order.setdefault(order_id, []).append((status, nbr))
    for order in orders:
        found = by_order.get(order.pk, [])
        statuses = {status for status, _ in found}
        order.fulfillment_count = len(found)
        order.fulfillment_worst = next((s for s in _WORST_FIRST if s in statuses), "")
        order.fulfillment_worst_label = (
            FulfillmentStatus(order.fulfillment_worst).label if order.fulfillment_worst else ""
        )
        nbrs = [nbr for _, nbr in found if nbr]
        if order.erp_shipment_nbr and order.erp_shipment_nbr not in nbrs:
            nbrs.insert(0, order.erp_shipment_nbr)
        order.shipment_nbrs = nbrs


@login_required
def order_list(request):
    form = OrderFilterForm(request.GET)
    values = form.values()
    for problem in values.pop("problems"):
        messages.warning(request, problem)
    orders = _filtered(selectors.orders_for(request.user), values)
    # Counts by status for the other filters, so a click on one narrows the list.
    by_status = dict(
        orders.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    if "status" in values:
        orders = orders.filter(status=values["status"])
    page = Paginator(orders.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _with_fulfillment_summary(page.object_list)
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
            "stores": access.stores_for(request.user),
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

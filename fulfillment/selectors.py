"""Reads of orders: which orders a user may see, and the orders list's filters and summaries."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from stores.access import merchant_ids_for, stores_for
from stores.models import StoreConnection, StoreStatus

from .models import Fulfillment, FulfillmentPackage, FulfillmentStatus, ImportRun, Order


def orders_for(user) -> QuerySet[Order]:
    """Orders of the merchants the user may see (every merchant for 3PL staff)."""
    ids = merchant_ids_for(user)
    orders = Order.objects.select_related("store", "store__merchant")
    return orders if ids is None else orders.filter(store__merchant_id__in=ids)


def stores_to_filter_by(user) -> QuerySet[StoreConnection]:
    """The stores the orders, import runs and "why not imported?" pages offer to filter by: the
    user's stores that are or were in use. A draft never activated (a wizard given up half-way)
    has nothing to show and is left out; a draft that imported before (its settings changed)
    stays."""
    return (
        stores_for(user)
        .filter(
            ~Q(status=StoreStatus.DRAFT)
            | Q(pk__in=Order.objects.values("store_id"))
            | Q(pk__in=ImportRun.objects.values("store_id"))
        )
        .order_by("name", "pk")
    )


def order_for(user, order_id) -> Order:
    """The order if the user may see it, else Http404: another merchant's order does not exist
    for this user."""
    try:
        return orders_for(user).get(pk=order_id)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise Http404("No such order.") from None


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


def orders_filtered(orders: QuerySet, values: dict) -> QuerySet:
    """The orders list's filters (``OrderFilterForm.values()``) applied to ``orders``."""
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


def orders_with_fulfillment_summary(orders) -> None:
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


# The orders list's sort orders: key -> (label, fields). Unknown keys fall back to the first (a
# stale link shows the list, not an error). Each ends with a unique field: pages never overlap.
ORDER_SORTS = {
    "updated": ("Last updated, newest first", ("-updated_at", "-id")),
    "oldest": ("Last updated, oldest first", ("updated_at", "id")),
    "imported": ("Imported, newest first", ("-imported_at", "-id")),
    "document": ("Document number", ("erp_order_type", "erp_order_nbr", "erp_shipment_nbr", "id")),
    "store": ("Store", ("store__name", "-updated_at", "-id")),
    "status": ("Status", ("status", "-updated_at", "-id")),
}


def order_sort_key(value: str) -> str:
    return value if value in ORDER_SORTS else "updated"


def orders_sorted(orders: QuerySet, key: str) -> QuerySet:
    return orders.order_by(*ORDER_SORTS[order_sort_key(key)][1])


def order_status_counts(orders: QuerySet) -> dict[str, int]:
    """Order status -> how many of ``orders`` have it."""
    return dict(
        orders.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )

"""Reads of fulfillments with everything their pages and API answers show, in a fixed number
of queries whatever their size."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from stores.access import merchant_ids_for

from ..models import Fulfillment, FulfillmentPackage, FulfillmentStatus, Order, WriteBackAttempt


def fulfillments_detailed(queryset: QuerySet[Fulfillment] | None = None) -> QuerySet[Fulfillment]:
    queryset = Fulfillment.objects.all() if queryset is None else queryset
    return queryset.select_related("order", "store").prefetch_related(
        "lines__order_line",
        Prefetch(
            "packages",
            queryset=FulfillmentPackage.objects.order_by("position").prefetch_related("contents"),
        ),
        Prefetch("attempts_log", queryset=WriteBackAttempt.objects.order_by("number")),
    )


def fulfillments_of_order(order: Order) -> QuerySet[Fulfillment]:
    return fulfillments_detailed(Fulfillment.objects.filter(order=order)).order_by(
        "created_at", "id"
    )


def fulfillment_for(user, fulfillment_id) -> Fulfillment:
    """The fulfillment if the user may see it, else Http404 (another merchant's does not exist
    for this user)."""
    ids = merchant_ids_for(user)
    fulfillments = Fulfillment.objects.select_related("order", "store", "store__merchant")
    if ids is not None:
        fulfillments = fulfillments.filter(store__merchant_id__in=ids)
    try:
        return fulfillments.get(pk=fulfillment_id)
    except (Fulfillment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such fulfillment.") from None


def held_fulfillments(store) -> QuerySet[Fulfillment]:
    """The store's fulfillments held for want of a carrier mapping or box, oldest first."""
    return (
        Fulfillment.objects.filter(store=store, status=FulfillmentStatus.HELD)
        .select_related("order")
        .order_by("created_at")
    )


def stopped_fulfillment_count(order: Order) -> int:
    """How many of the order's fulfillments failed or are held (what a reprocess retries)."""
    stopped = (FulfillmentStatus.FAILED, FulfillmentStatus.HELD)
    return order.fulfillments.filter(status__in=stopped).count()

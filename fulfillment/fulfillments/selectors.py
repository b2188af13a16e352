"""Reads of fulfillments with everything their pages and API answers show, in a fixed number
of queries whatever their size."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from ..models import Fulfillment, FulfillmentPackage, Order, WriteBackAttempt


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

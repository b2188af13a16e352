"""What a token may read: the orders and fulfillments of its merchants (all, for a token made
for every merchant). Anything else does not exist for it (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from ..fulfillments.rules import MAX_ID
from ..fulfillments.selectors import fulfillments_detailed
from ..models import ApiToken, Fulfillment, Order
from .tokens import merchant_ids_for_token


def orders_for_token(token: ApiToken) -> QuerySet[Order]:
    ids = merchant_ids_for_token(token)
    orders = Order.objects.select_related("store", "store__merchant").prefetch_related("lines")
    return orders if ids is None else orders.filter(store__merchant_id__in=ids)


def order_for_token(token: ApiToken, order_id: int) -> Order:
    if not 0 < order_id <= MAX_ID:
        raise NotFound("No such order.")
    order = orders_for_token(token).filter(pk=order_id).first()
    if order is None:
        raise NotFound("No such order.")
    return order


def fulfillments_for_token(token: ApiToken) -> QuerySet[Fulfillment]:
    ids = merchant_ids_for_token(token)
    fulfillments = fulfillments_detailed()
    return fulfillments if ids is None else fulfillments.filter(store__merchant_id__in=ids)


def fulfillment_for_token(token: ApiToken, fulfillment_id: int) -> Fulfillment:
    if not 0 < fulfillment_id <= MAX_ID:
        raise NotFound("No such fulfillment.")
    fulfillment = fulfillments_for_token(token).filter(pk=fulfillment_id).first()
    if fulfillment is None:
        raise NotFound("No such fulfillment.")
    return fulfillment

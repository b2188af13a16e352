"""Reads of orders: which orders a user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from stores.access import merchant_ids_for

from .models import Order


def orders_for(user) -> QuerySet[Order]:
    """Orders of the merchants the user may see (every merchant for 3PL staff)."""
    ids = merchant_ids_for(user)
    orders = Order.objects.select_related("store", "store__merchant")
    return orders if ids is None else orders.filter(store__merchant_id__in=ids)


def order_for(user, order_id) -> Order:
    """The order if the user may see it, else Http404: another merchant's order does not exist
    for this user."""
    try:
        return orders_for(user).get(pk=order_id)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise Http404("No such order.") from None

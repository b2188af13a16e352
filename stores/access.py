"""Who may see and do what. Every view, API endpoint and command that touches a merchant's data
goes through these functions; an object outside the user's reach is reported as not found."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Merchant, Role, StoreConnection


def role_of(user) -> str | None:
    if not user or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.THREEPL_ADMIN
    profile = getattr(user, "connector_profile", None)
    return profile.role if profile else None


def is_3pl_staff(user) -> bool:
    return role_of(user) in (Role.THREEPL_ADMIN, Role.THREEPL_OPERATOR)


def is_3pl_admin(user) -> bool:
    return role_of(user) == Role.THREEPL_ADMIN


def merchant_ids_for(user) -> list[int] | None:
    """None means every merchant (3PL staff); a list limits to those merchants."""
    role = role_of(user)
    if role in (Role.THREEPL_ADMIN, Role.THREEPL_OPERATOR):
        return None
    if role == Role.MERCHANT_USER:
        return [user.connector_profile.merchant_id]
    return []


def merchants_for(user) -> QuerySet[Merchant]:
    ids = merchant_ids_for(user)
    merchants = Merchant.objects.all()
    return merchants if ids is None else merchants.filter(id__in=ids)


def stores_for(user) -> QuerySet[StoreConnection]:
    ids = merchant_ids_for(user)
    stores = StoreConnection.objects.select_related("merchant")
    return stores if ids is None else stores.filter(merchant_id__in=ids)


def store_for(user, store_id) -> StoreConnection:
    """The store if the user may see it, else Http404 (never 403: existence is not revealed)."""
    try:
        return stores_for(user).get(pk=store_id)
    except (StoreConnection.DoesNotExist, ValueError, TypeError):
        raise Http404("No such store.") from None


def can_delete_store(user) -> bool:
    return is_3pl_admin(user)


def can_force_activate(user) -> bool:
    return is_3pl_staff(user)

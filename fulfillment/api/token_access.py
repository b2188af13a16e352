"""Who may see, make and revoke warehouse API tokens from the console.

A token gives its holder the warehouse's powers over the merchants it serves (pull their orders,
acknowledge them, post what shipped, which writes Shipments into their Acumatica). That is the
3PL's side of the connector, so tokens are made by 3PL staff: an operator for named merchants, a
3PL admin also for every merchant. A merchant user may not make one (it would let them mark
their own orders shipped past the warehouse) but sees the tokens that serve their merchant, to
know who reads their orders; never a key, never a token made for every merchant."""

from __future__ import annotations

from django.db.models import F, QuerySet

from stores.access import is_3pl_admin, is_3pl_staff, role_of
from stores.models import Role

from ..models import ApiToken


def can_make_api_tokens(user) -> bool:
    return is_3pl_staff(user)


def can_make_all_merchant_tokens(user) -> bool:
    return is_3pl_admin(user)


def can_revoke_api_token(user, token: ApiToken) -> bool:
    return is_3pl_admin(user) or (is_3pl_staff(user) and not token.all_merchants)


def api_tokens_for(user) -> QuerySet[ApiToken]:
    """The tokens the user may see: every one for 3PL staff; for a merchant user those made
    for their merchant (a token made for every merchant is the 3PL's); none without a role."""
    # Active ones first (a NULL revoked_at), then by name.
    tokens = ApiToken.objects.prefetch_related("merchants").order_by(
        F("revoked_at").asc(nulls_first=True), "name"
    )
    if is_3pl_staff(user):
        return tokens
    if role_of(user) == Role.MERCHANT_USER:
        merchant_id = user.connector_profile.merchant_id
        return tokens.filter(all_merchants=False, merchants__id=merchant_id).distinct()
    return tokens.none()

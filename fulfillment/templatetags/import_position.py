"""``{% import_position store %}``: where a store's imports stand (cursor, lookback, a scan in
progress with its last checkpoint), for the store's page, which belongs to the stores app and
may not import the importer."""

from __future__ import annotations

from django import template

from ..importing import import_overview

register = template.Library()


@register.inclusion_tag("fulfillment/_import_position.html")
def import_position(store) -> dict:
    return {"store": store, **import_overview(store)}

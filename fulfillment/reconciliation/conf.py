"""Reconciliation settings, read from Django settings (defaults and meanings in
connector/settings.py, the one place they are defined)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

# Keys-only pages: API.md §3 puts no cap below 500 on $top, and a keys-only record is a few
# hundred bytes, so 500 keys cost one request.
KEYS_PAGE_SIZE = 500
# Shipments written for a fulfillment were last modified after it was recorded; this margin
# covers clock skew between this server and Acumatica.
SHIPMENT_MARGIN = dt.timedelta(hours=1)


def retention() -> dt.timedelta:
    """How long reports are kept (CONNECTOR_RECONCILIATION_RETENTION_DAYS)."""
    return dt.timedelta(days=max(1, int(settings.CONNECTOR_RECONCILIATION_RETENTION_DAYS)))


def daily_window() -> dt.timedelta:
    """What the daily reconciliation looks back over: a day and the overlap with the day
    before (CONNECTOR_RECONCILIATION_WINDOW_HOURS), so a change at the boundary is in both."""
    return dt.timedelta(hours=max(1, int(settings.CONNECTOR_RECONCILIATION_WINDOW_HOURS)))

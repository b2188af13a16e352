"""Import settings (``FULFILLMENT_IMPORT_*`` in Django settings, from the environment; the
defaults here apply when a settings module leaves one out)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

DEFAULTS = {
    # Records per list request ($top).
    "FULFILLMENT_IMPORT_PAGE_SIZE": 500,
    # How far before the cursor each incremental scan starts again (late commits, ties, skew).
    "FULFILLMENT_IMPORT_LOOKBACK_SECONDS": 600,
    # A run's hold on its store, renewed after each page: it only has to outlive one page (a
    # read timeout plus the limiter's wait), and bounds how long a killed worker blocks the store.
    "FULFILLMENT_IMPORT_LEASE_SECONDS": 300,
    # After a failed run the scheduler waits base * 2^(failures - 1), at most cap.
    "FULFILLMENT_IMPORT_BACKOFF_BASE_SECONDS": 60,
    "FULFILLMENT_IMPORT_BACKOFF_CAP_SECONDS": 3600,
}


def _get(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


def page_size() -> int:
    return max(1, _get("FULFILLMENT_IMPORT_PAGE_SIZE"))


def lookback() -> dt.timedelta:
    return dt.timedelta(seconds=_get("FULFILLMENT_IMPORT_LOOKBACK_SECONDS"))


def lease_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=_get("FULFILLMENT_IMPORT_LEASE_SECONDS"))


def backoff(consecutive_failures: int) -> dt.timedelta:
    base = _get("FULFILLMENT_IMPORT_BACKOFF_BASE_SECONDS")
    cap = _get("FULFILLMENT_IMPORT_BACKOFF_CAP_SECONDS")
    exponent = min(max(consecutive_failures - 1, 0), 20)
    return dt.timedelta(seconds=min(cap, base * 2**exponent))

"""Import settings, read from Django settings (``FULFILLMENT_IMPORT_*``; defaults and meanings
in connector/settings.py, the one place they are defined)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def _get(name: str) -> int:
    return int(getattr(settings, name))


def page_size() -> int:
    return max(1, _get("FULFILLMENT_IMPORT_PAGE_SIZE"))


def lookback() -> dt.timedelta:
    return dt.timedelta(seconds=_get("FULFILLMENT_IMPORT_LOOKBACK_SECONDS"))


def lease_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=_get("FULFILLMENT_IMPORT_LEASE_SECONDS"))


def busy_wait() -> float:
    return float(max(0, _get("FULFILLMENT_IMPORT_BUSY_WAIT_SECONDS")))


def schedule_burst() -> int:
    return max(1, _get("FULFILLMENT_SCHEDULE_BURST"))


def schedule_spread_seconds() -> float:
    return float(max(0, _get("FULFILLMENT_SCHEDULE_SPREAD_SECONDS")))


def rescan_preview_max_records() -> int:
    return max(1, _get("FULFILLMENT_RESCAN_PREVIEW_MAX_RECORDS"))


def catch_up_spacing() -> dt.timedelta:
    return dt.timedelta(seconds=max(0, _get("FULFILLMENT_PUSH_CATCH_UP_SECONDS")))


def push_job_stale() -> dt.timedelta:
    return dt.timedelta(seconds=max(0, _get("FULFILLMENT_PUSH_JOB_STALE_SECONDS")))


def backoff(consecutive_failures: int) -> dt.timedelta:
    base = _get("FULFILLMENT_IMPORT_BACKOFF_BASE_SECONDS")
    cap = _get("FULFILLMENT_IMPORT_BACKOFF_CAP_SECONDS")
    exponent = min(max(consecutive_failures - 1, 0), 20)
    return dt.timedelta(seconds=min(cap, base * 2**exponent))

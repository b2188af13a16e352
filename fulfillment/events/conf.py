"""Event delivery settings, read from Django settings (``FULFILLMENT_EVENTS_*``; defaults and
meanings in connector/settings.py, the one place they are defined)."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings


def _get(name: str):
    return getattr(settings, name)


def timeout_seconds() -> float:
    return max(0.1, float(_get("FULFILLMENT_EVENTS_TIMEOUT_SECONDS")))


def disable_after() -> dt.timedelta:
    return dt.timedelta(seconds=float(_get("FULFILLMENT_EVENTS_DISABLE_AFTER_SECONDS")))


def secret_grace() -> dt.timedelta:
    return dt.timedelta(seconds=float(_get("FULFILLMENT_EVENTS_SECRET_GRACE_SECONDS")))


def dispatch_batch() -> int:
    return max(1, int(_get("FULFILLMENT_EVENTS_DISPATCH_BATCH")))


def lease_ttl() -> dt.timedelta:
    """A worker's hold on a delivery while it sends: the POST's time limit and room to record
    it, so that a killed worker's delivery is sent again soon."""
    return dt.timedelta(seconds=timeout_seconds() + 30)


def backoff_ceiling(failures_in_a_row: int) -> float:
    """The most a retry after ``failures_in_a_row`` failures waits: base * 2^(n-1), capped."""
    base = float(_get("FULFILLMENT_EVENTS_BACKOFF_BASE_SECONDS"))
    cap = float(_get("FULFILLMENT_EVENTS_BACKOFF_CAP_SECONDS"))
    exponent = min(max(failures_in_a_row - 1, 0), 30)
    return min(cap, base * 2**exponent)


def backoff(
    failures_in_a_row: int, *, retry_after: float | None = None, rng: random.Random | None = None
) -> dt.timedelta:
    """Full jitter (anywhere between 0 and the ceiling): receivers that failed together for
    many subscriptions come back spread out. A 429's Retry-After is a floor, up to the cap."""
    delay = (rng or random).uniform(0, backoff_ceiling(failures_in_a_row))
    if retry_after:
        cap = float(_get("FULFILLMENT_EVENTS_BACKOFF_CAP_SECONDS"))
        delay = max(delay, min(float(retry_after), cap))
    return dt.timedelta(seconds=delay)

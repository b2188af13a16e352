"""Write-back settings, read from Django settings (``FULFILLMENT_WRITEBACK_*``; defaults and
meanings in connector/settings.py, the one place they are defined)."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings


def _get(name: str):
    return getattr(settings, name)


def lease_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=int(_get("FULFILLMENT_WRITEBACK_LEASE_SECONDS")))


def lost_write_wait() -> dt.timedelta:
    return dt.timedelta(seconds=int(_get("FULFILLMENT_WRITEBACK_LOST_WRITE_WAIT_SECONDS")))


def lost_reply_recheck() -> dt.timedelta:
    return dt.timedelta(seconds=float(_get("FULFILLMENT_WRITEBACK_LOST_REPLY_RECHECK_SECONDS")))


def held_recheck() -> dt.timedelta:
    return dt.timedelta(seconds=int(_get("FULFILLMENT_WRITEBACK_HELD_RECHECK_SECONDS")))


def max_attempts() -> int:
    return max(1, int(_get("FULFILLMENT_WRITEBACK_MAX_ATTEMPTS")))


def refusal_repeats() -> int:
    return max(1, int(_get("FULFILLMENT_WRITEBACK_REFUSAL_REPEATS")))


def confirm_poll_seconds() -> float:
    return float(_get("FULFILLMENT_WRITEBACK_CONFIRM_POLL_SECONDS"))


def confirm_timeout_seconds() -> float:
    return float(_get("FULFILLMENT_WRITEBACK_CONFIRM_TIMEOUT_SECONDS"))


def weight_uom() -> str:
    return str(_get("FULFILLMENT_WRITEBACK_WEIGHT_UOM")).strip().upper()


def length_uom() -> str:
    return str(_get("FULFILLMENT_WRITEBACK_LENGTH_UOM")).strip().upper()


def dispatch_batch() -> int:
    return max(1, int(_get("FULFILLMENT_WRITEBACK_DISPATCH_BATCH")))


def backoff(failures_in_a_row: int, *, rng: random.Random | None = None) -> dt.timedelta:
    """base * 2^(n-1), capped, then "equal jitter": between half and all of it. Never less
    than half, so a retry cannot come back at once; never more than the cap."""
    base = float(_get("FULFILLMENT_WRITEBACK_BACKOFF_BASE_SECONDS"))
    cap = float(_get("FULFILLMENT_WRITEBACK_BACKOFF_CAP_SECONDS"))
    exponent = min(max(failures_in_a_row - 1, 0), 30)
    delay = min(cap, base * 2**exponent)
    factor = (rng or random).uniform(0.5, 1.0)
    return dt.timedelta(seconds=delay * factor)

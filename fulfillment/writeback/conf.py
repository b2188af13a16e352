"""Write-back settings (``FULFILLMENT_WRITEBACK_*`` in Django settings, from the environment; the
defaults here apply when a settings module leaves one out)."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings

DEFAULTS: dict[str, float | int | str] = {
    # After a transient failure the next attempt waits base * 2^(n-1) seconds (n = failures in
    # a row), at most cap, with jitter so that fulfillments that failed together spread out.
    "FULFILLMENT_WRITEBACK_BACKOFF_BASE_SECONDS": 30,
    "FULFILLMENT_WRITEBACK_BACKOFF_CAP_SECONDS": 3600,
    # Transient failures in a row before the fulfillment is marked failed with the last cause.
    "FULFILLMENT_WRITEBACK_MAX_ATTEMPTS": 8,
    # The same Acumatica 500 message this many attempts in a row is a refusal, not a hiccup
    # (Acumatica answers business rules such as "cannot be confirmed" with 500 PXException).
    "FULFILLMENT_WRITEBACK_REFUSAL_REPEATS": 3,
    # A worker's hold on one fulfillment: longer than one attempt can last (a read timeout per
    # call, the confirm's polling), short enough that a killed worker's fulfillment resumes soon.
    "FULFILLMENT_WRITEBACK_LEASE_SECONDS": 600,
    # A write whose answer never came may still be running in Acumatica: its request queue
    # keeps a request up to 10 minutes (API.md §7). Until then nobody writes that fulfillment.
    "FULFILLMENT_WRITEBACK_LOST_WRITE_WAIT_SECONDS": 600,
    # How often a held fulfillment (no carrier mapping, store needs attention) is looked at again.
    "FULFILLMENT_WRITEBACK_HELD_RECHECK_SECONDS": 300,
    # ConfirmShipment's status URL: how often to poll it and for how long.
    "FULFILLMENT_WRITEBACK_CONFIRM_POLL_SECONDS": 1.0,
    "FULFILLMENT_WRITEBACK_CONFIRM_TIMEOUT_SECONDS": 120,
    # The units Acumatica keeps package weights and dimensions in (the company's weight and
    # linear UOM, shown on the Boxes form): the warehouse's figures are converted to these.
    "FULFILLMENT_WRITEBACK_WEIGHT_UOM": "LB",
    "FULFILLMENT_WRITEBACK_LENGTH_UOM": "IN",
    # Outbox rows the periodic sweep queues per run.
    "FULFILLMENT_WRITEBACK_DISPATCH_BATCH": 500,
}


def _get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def lease_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=int(_get("FULFILLMENT_WRITEBACK_LEASE_SECONDS")))


def lost_write_wait() -> dt.timedelta:
    return dt.timedelta(seconds=int(_get("FULFILLMENT_WRITEBACK_LOST_WRITE_WAIT_SECONDS")))


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

"""One import per store at a time: a lease (``fulfillment.leases``) on the store's ImportState
row, renewed after every page and released in ``finally``."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from ..leases import RowLease, new_holder
from ..models import ImportState

LEASE = RowLease(holder_field="lease_holder", until_field="lease_expires_at")

__all__ = ["acquire", "import_state_for", "is_held", "new_holder", "release", "renew"]


def import_state_for(store_id: int) -> ImportState:
    try:
        with transaction.atomic():
            state, _ = ImportState.objects.get_or_create(store_id=store_id)
    except IntegrityError:
        # Created by a concurrent caller between our read and our insert.
        state = ImportState.objects.get(store_id=store_id)
    return state


def _row(store_id: int):
    return ImportState.objects.filter(store_id=store_id)


def acquire(*, store_id: int, holder: str, ttl: dt.timedelta) -> bool:
    import_state_for(store_id)
    return LEASE.take(_row(store_id), holder=holder, ttl=ttl)


def renew(*, store_id: int, holder: str, ttl: dt.timedelta) -> bool:
    """False when the lease expired and someone else took it: the caller must stop."""
    return LEASE.renew(_row(store_id), holder=holder, ttl=ttl)


def release(*, store_id: int, holder: str) -> None:
    LEASE.release(_row(store_id), holder=holder)


def is_held(state: ImportState, now: dt.datetime) -> bool:
    return LEASE.is_held(state, now)

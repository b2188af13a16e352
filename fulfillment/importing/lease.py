"""One import per store at a time: a lease on the store's ImportState row.

Taken with one conditional UPDATE (free, or expired) so that two workers racing for it cannot
both win, on SQLite as on PostgreSQL; renewed after every page; released in ``finally``. It
expires, so a worker killed mid-run blocks the store only until then.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ..models import ImportState


def new_holder() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def import_state_for(store_id: int) -> ImportState:
    try:
        with transaction.atomic():
            state, _ = ImportState.objects.get_or_create(store_id=store_id)
    except IntegrityError:
        # Created by a concurrent caller between our read and our insert.
        state = ImportState.objects.get(store_id=store_id)
    return state


def acquire(*, store_id: int, holder: str, ttl: dt.timedelta) -> bool:
    import_state_for(store_id)
    now = timezone.now()
    taken = (
        ImportState.objects.filter(store_id=store_id)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))
        .update(lease_holder=holder, lease_expires_at=now + ttl)
    )
    return taken == 1


def renew(*, store_id: int, holder: str, ttl: dt.timedelta) -> bool:
    """False when the lease expired and someone else took it: the caller must stop."""
    return (
        ImportState.objects.filter(store_id=store_id, lease_holder=holder).update(
            lease_expires_at=timezone.now() + ttl
        )
        == 1
    )


def release(*, store_id: int, holder: str) -> None:
    ImportState.objects.filter(store_id=store_id, lease_holder=holder).update(
        lease_holder="", lease_expires_at=None
    )


def is_held(state: ImportState, now: dt.datetime) -> bool:
    return bool(state.lease_expires_at and state.lease_expires_at > now)

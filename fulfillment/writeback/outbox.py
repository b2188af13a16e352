"""The write-back outbox: who may work on a fulfillment, and when.

One ``WriteBackOutbox`` row per fulfillment still to be written (or held). A worker takes the
row's lease (``fulfillment.leases``: free, expired, or only marked "queued" by the sweep — and
due, unless asked to ignore back-off timers), so two deliveries of the same task never both
win, on SQLite as on PostgreSQL. ``lease_holder`` ``queued`` marks a row the sweep handed to
the broker; the sweep leaves it alone until the mark expires (a task lost on the way is queued
again), any worker may take it. ``writes_blocked_until``: a write's answer never came and it
may still be running in Acumatica until then; attempts look for what it made, but write nothing
new before (FULFILLMENT_WRITEBACK_LOST_WRITE_WAIT_SECONDS).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from ..jobs import WRITE_BACK, enqueue_after_commit
from ..leases import RowLease, new_holder
from ..models import WriteBackOutbox
from . import conf

QUEUED = "queued"
LEASE = RowLease(holder_field="lease_holder", until_field="lease_until")

__all__ = [
    "QUEUED",
    "dispatch_due",
    "new_holder",
    "release",
    "renew",
    "runnable_ids",
    "take",
]


def _free(now: dt.datetime) -> Q:
    return LEASE.free(now) | Q(lease_holder=QUEUED)


def _row(fulfillment_id: int):
    return WriteBackOutbox.objects.filter(fulfillment_id=fulfillment_id)


def take(*, fulfillment_id: int, holder: str, ttl: dt.timedelta, ignore_due: bool = False) -> bool:
    now = timezone.now()
    rows = _row(fulfillment_id) if ignore_due else _row(fulfillment_id).filter(due_at__lte=now)
    return LEASE.take(rows, holder=holder, ttl=ttl, free=_free(now))


def renew(*, fulfillment_id: int, holder: str, ttl: dt.timedelta) -> bool:
    """False when the lease expired and another worker took it: the caller must stop."""
    return LEASE.renew(_row(fulfillment_id), holder=holder, ttl=ttl)


def release(*, fulfillment_id: int, holder: str, due_at: dt.datetime | None = None) -> None:
    changes = {} if due_at is None else {"due_at": due_at}
    LEASE.release(_row(fulfillment_id), holder=holder, **changes)


def runnable_ids(
    *, store_id: int | None = None, ignore_due: bool = False, now: dt.datetime | None = None
) -> list[int]:
    """Fulfillments whose row a worker could take now, oldest due first."""
    now = now or timezone.now()
    rows = WriteBackOutbox.objects.filter(_free(now))
    if not ignore_due:
        rows = rows.filter(due_at__lte=now)
    if store_id is not None:
        rows = rows.filter(fulfillment__store_id=store_id)
    return list(rows.order_by("due_at", "pk").values_list("fulfillment_id", flat=True))


def dispatch_due(*, now: dt.datetime | None = None) -> list[int]:
    """Queue the write-back of every due row no worker holds (tasks lost with a worker, back-off
    timers that ran out, held fulfillments to look at again); returns their fulfillment ids. Each
    row is marked ``queued`` with a conditional UPDATE first, so two sweeps never queue it twice
    and the next sweeps leave it alone while its task waits in the broker."""
    now = now or timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    candidates = list(
        WriteBackOutbox.objects.filter(free, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", "fulfillment_id")[: conf.dispatch_batch()]
    )
    queued = []
    for pk, fulfillment_id in candidates:
        claimed = (
            WriteBackOutbox.objects.filter(pk=pk)
            .filter(free)
            .update(lease_holder=QUEUED, lease_until=now + conf.lease_ttl())
        )
        if claimed:
            enqueue_after_commit(WRITE_BACK, fulfillment_id)
            queued.append(fulfillment_id)
    return queued

"""The periodic sweep (``dispatch_events``, every 30 s from beat): queue every pending delivery
that is due and that no worker holds — its job was lost with a worker or a broker, or its
back-off was too long for a job of its own — and give feed positions to committed events. With
it, an event whose delivery job never ran is still delivered."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..jobs import DELIVER_EVENT, enqueue_after_commit
from ..models import DeliveryStatus, EventDelivery
from . import conf
from .deliver import LEASE
from .feed import events_sequence

# A delivery's own job normally runs within a second of it falling due: only those due for
# longer than this are the sweep's, so a busy queue is not filled with copies of its jobs.
GRACE = dt.timedelta(seconds=20)


def deliveries_dispatch_due() -> list[int]:
    """Queue the due deliveries (oldest due first, at most the batch); their ids."""
    events_sequence()
    now = timezone.now()
    due = list(
        EventDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            due_at__lte=now - GRACE,
            subscription__active=True,
        )
        .filter(LEASE.free(now))
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[: conf.dispatch_batch()]
    )
    for delivery_id in due:
        enqueue_after_commit(DELIVER_EVENT, delivery_id)
    return due

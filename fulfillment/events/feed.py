"""The event feed (``GET /api/v1/events?after=``) for warehouses that poll instead of taking
webhooks.

Ordering by insert id would lose events: a long transaction (an import page) can commit an
event with a lower id after a poller has already read past it. So an event gets its feed
position (``sequence``) only once it is committed: ``events_sequence`` numbers the committed
events that have none, under a lock on the one ``EventFeedPosition`` row, so positions become
visible in ascending order and a cursor that only moves forward never skips one. The feed runs
it before reading (a no-op, one indexed query, when nothing waits) and so does the sweep.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from ..models import EventFeedPosition, OutboundEvent

SEQUENCE_BATCH = 1000
MAX_LIMIT = 500
DEFAULT_LIMIT = 100


def events_sequence() -> int:
    """Give feed positions to committed events without one, oldest first; how many."""
    if not OutboundEvent.objects.filter(sequence__isnull=True).exists():
        return 0
    given = 0
    while True:
        with transaction.atomic():
            position = _locked_position()
            # Read after the lock: what a concurrent sequencer numbered is not numbered again.
            waiting = list(
                OutboundEvent.objects.filter(sequence__isnull=True)
                .order_by("created_at", "id")
                .only("id")[:SEQUENCE_BATCH]
            )
            for event in waiting:
                position.last_sequence += 1
                event.sequence = position.last_sequence
            OutboundEvent.objects.bulk_update(waiting, ["sequence"], batch_size=500)
            position.save(update_fields=["last_sequence"])
        given += len(waiting)
        if len(waiting) < SEQUENCE_BATCH:
            return given


def _locked_position() -> EventFeedPosition:
    position = EventFeedPosition.objects.select_for_update().filter(pk=1).first()
    if position is not None:
        return position
    try:
        with transaction.atomic():
            return EventFeedPosition.objects.create(pk=1, last_sequence=_highest())
    except IntegrityError:
        return EventFeedPosition.objects.select_for_update().get(pk=1)


def _highest() -> int:
    last = OutboundEvent.objects.filter(sequence__isnull=False).order_by("-sequence").first()
    return last.sequence if last else 0


def events_after(
    *, merchant_ids: list[int] | None, after: int, limit: int, kinds: list[str] | None = None
) -> QuerySet[OutboundEvent]:
    """Events past ``after`` in feed order, of these merchants (None: every merchant)."""
    events = OutboundEvent.objects.filter(sequence__gt=after).select_related("store")
    if merchant_ids is not None:
        events = events.filter(merchant_id__in=merchant_ids)
    if kinds:
        events = events.filter(kind__in=kinds)
    return events.order_by("sequence")[: max(1, min(limit, MAX_LIMIT))]

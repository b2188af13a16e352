"""Recording a write-back attempt and applying how it ended.

The attempt row is written (committed) before any call to Acumatica. Its outcome is applied in
one transaction, only while the worker still holds the outbox row's lease: written back (row
deleted, the order moved on), retried after a back-off (the row stays, due later; after a lost
write it is also blocked until that write cannot still be running), failed (row deleted) or
held (the row stays and is looked at again later). Retries in a row are counted from the
attempt log, so reprocessing starts a fresh count without any extra column.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from stores.models import StoreStatus
from stores.services import store_mark_needs_attention

from ..events import writeback_attempt_event
from ..jobs import WRITE_BACK, enqueue_after_commit
from ..models import (
    Fulfillment,
    FulfillmentStatus,
    OrderEventKind,
    WriteBackAttempt,
    WriteBackOutbox,
    WriteBackProgress,
)
from ..timeline import order_event_record
from . import conf, outbox
from .orders import order_status_refresh
from .outcomes import FAILED, HELD, HELD_BACK, LEASE_LOST, RETRY, SUCCEEDED, Outcome

# A retry due within this long gets a task of its own (Celery countdown); later ones are the
# sweep's (dispatch_writebacks, every 30 s).
SOON = dt.timedelta(seconds=60)
logger = logging.getLogger("connector.fulfillment")


def attempt_start(fulfillment: Fulfillment) -> WriteBackAttempt:
    """Close attempts a dead worker left running, then record this one (committed before any
    call to Acumatica, so the next attempt knows this one may have written)."""
    now = timezone.now()
    with transaction.atomic():
        WriteBackAttempt.objects.filter(
            fulfillment=fulfillment, outcome=WriteBackAttempt.Outcome.RUNNING
        ).update(
            outcome=WriteBackAttempt.Outcome.RETRY,
            finished_at=now,
            error=(
                "The worker stopped before this attempt finished; the next attempt resumed "
                "from what Acumatica holds."
            ),
        )
        locked = Fulfillment.objects.select_for_update().get(pk=fulfillment.pk)
        number = locked.attempts + 1
        Fulfillment.objects.filter(pk=fulfillment.pk).update(
            attempts=number, status=FulfillmentStatus.WRITING, updated_at=now
        )
        fulfillment.attempts, fulfillment.status = number, FulfillmentStatus.WRITING
        return WriteBackAttempt.objects.create(fulfillment=fulfillment, number=number)


def _retries_in_a_row(fulfillment: Fulfillment, attempt: WriteBackAttempt) -> list[str]:
    """Errors of the attempts before this one that also ended in "retry", newest first.
    Attempts the limiter kept from being sent (breaker open, throttled) do not count:
    Acumatica never saw them."""
    errors = []
    earlier = (
        WriteBackAttempt.objects.filter(fulfillment=fulfillment, number__lt=attempt.number)
        .order_by("-number")
        .values_list("outcome", "error")
    )
    for outcome, error in earlier:
        if outcome != WriteBackAttempt.Outcome.RETRY:
            break
        if not error.startswith(HELD_BACK):
            errors.append(error)
    return errors


def _escalate(fulfillment: Fulfillment, attempt: WriteBackAttempt, outcome: Outcome) -> Outcome:
    """A retry becomes a failure when retries ran out or Acumatica keeps refusing the same way."""
    if outcome.held_back:
        return outcome
    earlier = _retries_in_a_row(fulfillment, attempt)
    in_a_row = len(earlier) + 1
    repeats = conf.refusal_repeats()
    if (
        outcome.refusal
        and in_a_row >= repeats
        and all(e == outcome.message for e in earlier[: repeats - 1])
    ):
        return Outcome.failed(f"Acumatica refused it {repeats} times in a row: {outcome.message}")
    if in_a_row >= conf.max_attempts():
        return Outcome.failed(
            f"Gave up after {in_a_row} attempts in a row; last: {outcome.message}"
        )
    return outcome


def attempt_finish(
    fulfillment: Fulfillment,
    attempt: WriteBackAttempt,
    outcome: Outcome,
    holder: str,
    *,
    calls: list,
) -> None:
    now = timezone.now()
    if outcome.kind == RETRY:
        outcome = _escalate(fulfillment, attempt, outcome)
    attempt.finished_at = now
    attempt.calls = calls
    attempt.error = outcome.message
    attempt.error_fields = outcome.fields
    with transaction.atomic():
        row = (
            WriteBackOutbox.objects.select_for_update()
            .filter(fulfillment_id=fulfillment.pk, lease_holder=holder)
            .first()
        )
        if row is None or outcome.kind == LEASE_LOST:
            # Someone else holds the fulfillment now: its outcome is theirs to record.
            attempt.outcome = WriteBackAttempt.Outcome.RETRY
            attempt.error = outcome.message or "Another worker took this fulfillment over."
            attempt.save()
            if row is not None:
                outbox.release(fulfillment_id=fulfillment.pk, holder=holder)
            return
        # What the hooks committed meanwhile (number, progress); the store and order loaded
        # with it stay (refreshing drops them, and the event below would read them again).
        store, order = fulfillment.store, fulfillment.order
        fulfillment.refresh_from_db()
        fulfillment.store, fulfillment.order = store, order
        changes = _apply(fulfillment, attempt, outcome, row, now)
        fulfillment.save(update_fields=[*changes, "updated_at"])
        attempt.save()
        _timeline(fulfillment, attempt)
        writeback_attempt_event(fulfillment=fulfillment, attempt=attempt)
    if outcome.needs_attention:
        store = fulfillment.store
        store.refresh_from_db(fields=["status", "status_reason"])
        if store.status == StoreStatus.ACTIVE:
            store_mark_needs_attention(store=store, reason=outcome.needs_attention)
    if outcome.kind in (SUCCEEDED, FAILED):
        order_status_refresh(order_id=fulfillment.order_id)
    logger.info(
        "fulfillment %s attempt %s: %s%s",
        fulfillment.pk,
        attempt.number,
        outcome.kind,
        f": {outcome.message}" if outcome.message else "",
    )


def _timeline(fulfillment: Fulfillment, attempt: WriteBackAttempt) -> None:
    if attempt.outcome == WriteBackAttempt.Outcome.SUCCEEDED:
        order_event_record(
            order=fulfillment.order_id,
            kind=OrderEventKind.WRITTEN_BACK,
            summary=(
                f"Written back: Acumatica shipment {fulfillment.erp_shipment_nbr} confirmed and "
                f"read back as sent (fulfillment {fulfillment.reference}, attempt "
                f"{attempt.number})."
            ),
            detail={"shipment_nbr": fulfillment.erp_shipment_nbr, "attempt": attempt.number},
            fulfillment=fulfillment,
            at=attempt.finished_at,
        )
        return
    label = WriteBackAttempt.Outcome(attempt.outcome).label.lower()
    order_event_record(
        order=fulfillment.order_id,
        kind=OrderEventKind.WRITEBACK_ATTEMPT,
        summary=(
            f"Write-back attempt {attempt.number} of fulfillment {fulfillment.reference}: "
            f"{label}" + (f" — {attempt.error}" if attempt.error else "")
        ),
        detail={
            "attempt": attempt.number,
            "outcome": attempt.outcome,
            "error": attempt.error,
            "fields": attempt.error_fields,
            "calls": len(attempt.calls or []),
        },
        fulfillment=fulfillment,
        is_error=True,
        at=attempt.finished_at,
    )


def _apply(fulfillment, attempt, outcome: Outcome, row: WriteBackOutbox, now) -> list[str]:
    if outcome.kind == SUCCEEDED:
        attempt.outcome = WriteBackAttempt.Outcome.SUCCEEDED
        fulfillment.status = FulfillmentStatus.WRITTEN_BACK
        fulfillment.progress = WriteBackProgress.VERIFIED
        fulfillment.written_back_at = now
        fulfillment.status_reason = fulfillment.last_error = ""
        fulfillment.last_error_fields = []
        row.delete()
        return [
            "status",
            "progress",
            "written_back_at",
            "status_reason",
            "last_error",
            "last_error_fields",
        ]
    fulfillment.last_error = outcome.message
    fulfillment.last_error_fields = outcome.fields
    if outcome.kind == FAILED:
        attempt.outcome = WriteBackAttempt.Outcome.FAILED
        fulfillment.status = FulfillmentStatus.FAILED
        fulfillment.status_reason = outcome.message
        row.delete()
    elif outcome.kind == HELD:
        attempt.outcome = WriteBackAttempt.Outcome.HELD
        fulfillment.status = FulfillmentStatus.HELD
        fulfillment.status_reason = outcome.message
        _reschedule(row, due_at=now + conf.held_recheck())
    else:
        attempt.outcome = WriteBackAttempt.Outcome.RETRY
        in_a_row = len(_retries_in_a_row(fulfillment, attempt)) + 1
        wait = conf.backoff(in_a_row)
        if outcome.retry_after:
            wait = max(wait, dt.timedelta(seconds=outcome.retry_after))
        blocked_until = None
        if outcome.lost_write:
            # Look for what it wrote at once; write nothing new until it cannot be running.
            blocked_until = now + conf.lost_write_wait()
            wait = conf.lost_reply_recheck()
        elif outcome.writes_blocked:
            wait = dt.timedelta(seconds=outcome.retry_after or 0)
        fulfillment.status = FulfillmentStatus.PENDING
        fulfillment.status_reason = (
            f"Attempt {in_a_row} of {conf.max_attempts()} failed; next at "
            f"{timezone.localtime(now + wait):%Y-%m-%d %H:%M:%S}: {outcome.message}"
        )
        _reschedule(row, due_at=now + wait, blocked_until=blocked_until)
        if wait <= SOON:
            # Soon: its own task, rather than the next sweep (every 30 s).
            enqueue_after_commit(WRITE_BACK, fulfillment.pk, delay=wait.total_seconds())
    return ["status", "status_reason", "last_error", "last_error_fields"]


def _reschedule(
    row: WriteBackOutbox, *, due_at: dt.datetime, blocked_until: dt.datetime | None = None
) -> None:
    row.due_at = due_at
    row.lease_holder = ""
    row.lease_until = None
    fields = ["due_at", "lease_holder", "lease_until"]
    if blocked_until is not None:
        row.writes_blocked_until = blocked_until
        fields.append("writes_blocked_until")
    row.save(update_fields=fields)


def hold_quietly(fulfillment: Fulfillment, holder: str, reason: str) -> None:
    """Held for a reason that needs no attempt row (no call was made and it is already shown)."""
    Fulfillment.objects.filter(pk=fulfillment.pk).update(
        status=FulfillmentStatus.HELD, status_reason=reason, updated_at=timezone.now()
    )
    outbox.release(
        fulfillment_id=fulfillment.pk, holder=holder, due_at=timezone.now() + conf.held_recheck()
    )

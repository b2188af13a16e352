"""Delivering one event to one subscription (the ``deliver_event`` job), Saleor-style: the
attempt is recorded (committed) before the POST and finished after it with the status code,
duration and error; the delivery then is delivered, failed (a 4xx other than 429: no retry) or
due again after a back-off with full jitter (5xx, 429 honouring Retry-After, timeouts,
connection errors). A subscription failing for longer than
``FULFILLMENT_EVENTS_DISABLE_AFTER_SECONDS`` (a day) since its last success is disabled; the
console's alert evaluator reads that and opens an alert (console is above fulfillment: it reads
our state, as it does for stores and write-backs, rather than being called from here).

Safe to run twice: a lease on the delivery keeps two workers apart, and a delivered or failed
one is left alone.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db import transaction
from django.utils import timezone

from stores import crypto

from ..jobs import DELIVER_EVENT, enqueue_after_commit
from ..leases import RowLease, new_holder
from ..models import DeliveryStatus, EventAttempt, EventDelivery, EventSubscription
from . import conf, sending
from .payloads import body_bytes
from .signing import signed_headers

logger = logging.getLogger("connector.fulfillment")

LEASE = RowLease(holder_field="lease_holder", until_field="lease_until")
# A retry due within this long gets a job of its own (a countdown); later ones are the sweep's.
SOON = dt.timedelta(seconds=60)
# A job may run a moment before its countdown: not a reason to skip it.
EARLY = dt.timedelta(seconds=1)

_OUTCOMES = {
    sending.DELIVERED: EventAttempt.Outcome.DELIVERED,
    sending.RETRY: EventAttempt.Outcome.RETRY,
    sending.FAILED: EventAttempt.Outcome.FAILED,
}


def subscription_secrets(subscription: EventSubscription, *, now: dt.datetime) -> list[str]:
    """The secrets that sign now, newest first: the only place they are decrypted."""
    found = [crypto.decrypt(subscription.secret_encrypted)]
    if (
        subscription.previous_secret_encrypted
        and subscription.previous_secret_until
        and subscription.previous_secret_until > now
    ):
        found.append(crypto.decrypt(subscription.previous_secret_encrypted))
    return found


def delivery_send(*, delivery_id: int, ignore_due: bool = False) -> EventAttempt | None:
    """Send one pending delivery if it is due and free; the attempt made, or None."""
    holder = new_holder()
    now = timezone.now()
    rows = EventDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, subscription__active=True
    )
    if not ignore_due:
        rows = rows.filter(due_at__lte=now + EARLY)
    if not LEASE.take(rows, holder=holder, ttl=conf.lease_ttl()):
        return None
    try:
        return _send(delivery_id, holder)
    except Exception:
        # Our own bookkeeping failed (the database?): give the delivery back to the sweep.
        LEASE.release(
            EventDelivery.objects.filter(pk=delivery_id),
            holder=holder,
            due_at=timezone.now() + conf.backoff(1),
        )
        raise


def _send(delivery_id: int, holder: str) -> EventAttempt:
    delivery = EventDelivery.objects.select_related("event", "event__store", "subscription").get(
        pk=delivery_id
    )
    event, subscription = delivery.event, delivery.subscription
    body = body_bytes(event, store_name=event.store.name)
    earlier = delivery.attempts.count()
    if earlier:
        EventAttempt.objects.filter(delivery=delivery, outcome=EventAttempt.Outcome.RUNNING).update(
            outcome=EventAttempt.Outcome.RETRY,
            finished_at=timezone.now(),
            error="The worker stopped before this attempt finished: sent again.",
        )
    attempt = EventAttempt.objects.create(
        delivery=delivery, number=earlier + 1, started_at=timezone.now()
    )
    headers = signed_headers(
        secrets_in_use=subscription_secrets(subscription, now=attempt.started_at),
        event_id=str(event.id),
        timestamp=int(time.time()),
        body=body,
    )
    answer = sending.post(
        subscription.url, body=body, headers=headers, timeout=conf.timeout_seconds()
    )
    _finish(delivery, attempt, answer, holder)
    return attempt


def _finish(
    delivery: EventDelivery, attempt: EventAttempt, answer: sending.Answer, holder: str
) -> None:
    now = timezone.now()
    attempt.finished_at = now
    attempt.outcome = _OUTCOMES[answer.outcome]
    attempt.status_code = answer.status_code
    attempt.duration_ms = answer.duration_ms
    attempt.error = answer.error[:500]
    attempt.response_excerpt = answer.excerpt[:300]
    subscription_id = delivery.subscription_id
    wait: dt.timedelta | None = None
    with transaction.atomic():
        attempt.save()
        row = (
            EventDelivery.objects.select_for_update()
            .filter(pk=delivery.pk, lease_holder=holder)
            .first()
        )
        if row is None:
            # Our lease ran out and another worker has it: the outcome is theirs to record.
            return
        row.last_status_code = answer.status_code
        row.last_error = answer.error[:500]
        row.lease_holder, row.lease_until = "", None
        fields = ["last_status_code", "last_error", "lease_holder", "lease_until"]
        if answer.outcome == sending.DELIVERED:
            row.status, row.delivered_at = DeliveryStatus.DELIVERED, now
            fields += ["status", "delivered_at"]
            if delivery.subscription.failing_since is not None:
                EventSubscription.objects.filter(
                    pk=subscription_id, failing_since__isnull=False
                ).update(failing_since=None)
        else:
            row.failures += 1
            fields.append("failures")
            if answer.outcome == sending.RETRY:
                wait = conf.backoff(row.failures, retry_after=answer.retry_after)
                row.due_at = now + wait
                fields.append("due_at")
            else:
                row.status = DeliveryStatus.FAILED
                fields.append("status")
            if _failure_counts(subscription_id, now=now, error=answer.error):
                wait = None  # disabled: nothing is sent until someone enables it
        row.save(update_fields=fields)
        if wait is not None and wait <= SOON:
            enqueue_after_commit(DELIVER_EVENT, row.pk, delay=wait.total_seconds())
    logger.info(
        "event delivery %s attempt %s: %s%s",
        delivery.pk,
        attempt.number,
        answer.outcome,
        f" ({answer.error})" if answer.error else "",
    )


def _failure_counts(subscription_id: int, *, now: dt.datetime, error: str) -> bool:
    """Start the subscription's failure window, or disable it once the window has passed
    (True: disabled now)."""
    EventSubscription.objects.filter(pk=subscription_id, failing_since__isnull=True).update(
        failing_since=now
    )
    window = conf.disable_after()
    disabled = EventSubscription.objects.filter(
        pk=subscription_id, active=True, failing_since__lt=now - window
    ).update(
        active=False,
        disabled_at=now,
        disabled_by_failures=True,
        disabled_reason=(
            f"Disabled after failing for more than {_duration(window)} without a success; "
            f"last: {error}"
        )[:500],
    )
    if disabled:
        logger.warning("webhook subscription %s disabled: %s", subscription_id, error)
    return bool(disabled)


def _duration(window: dt.timedelta) -> str:
    seconds = int(window.total_seconds())
    if seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds} s"

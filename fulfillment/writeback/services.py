"""Write-back services for people and other parts of the app: reprocess one fulfillment, release
the held ones of a store, reopen a written-back one (reconciliation), queue what is due. Views,
admin actions, commands and tasks call these.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from stores.audit import audit_record
from stores.models import StoreConnection

from ..models import (
    Fulfillment,
    FulfillmentStatus,
    OrderEventKind,
    WriteBackOutbox,
    WriteBackProgress,
)
from . import conf, outbox, writeback_enqueue
from .carrier_lookup import carrier_mapping_resolve
from .orders import order_status_refresh
from .plan import PlanHeld, PlanRefused, plan_for

logger = logging.getLogger("connector.fulfillment")

REPROCESSABLE = (FulfillmentStatus.FAILED, FulfillmentStatus.HELD)
# What "retry now" applies to: stopped ones are reprocessed, waiting ones are made due now.
RETRYABLE = (*REPROCESSABLE, FulfillmentStatus.PENDING)


def _make_due(fulfillment: Fulfillment, due_in: dt.timedelta = dt.timedelta(0)) -> None:
    WriteBackOutbox.objects.update_or_create(
        fulfillment=fulfillment,
        defaults={"due_at": timezone.now() + due_in, "lease_until": None, "lease_holder": ""},
    )


def writeback_reopen(
    *,
    fulfillment: Fulfillment,
    reason: str,
    shipment_saved: bool,
    due_in: dt.timedelta = dt.timedelta(0),
) -> bool:
    """A written-back fulfillment goes back to the write-back, which finds its Shipment again
    (by number when ``shipment_saved``, else by reference) before writing anything: for
    reconciliation, when Acumatica's Shipment is gone or differs. Due after ``due_in`` (queued
    at once when 0: a caller that still changes the Shipment itself holds it off that long,
    then calls :func:`writeback_make_due`). False when it is no longer written back."""
    with transaction.atomic():
        reopened = Fulfillment.objects.filter(
            pk=fulfillment.pk, status=FulfillmentStatus.WRITTEN_BACK
        ).update(
            status=FulfillmentStatus.PENDING,
            progress=(
                WriteBackProgress.SHIPMENT_SAVED
                if shipment_saved
                else WriteBackProgress.NOT_STARTED
            ),
            status_reason=reason,
            written_back_at=None,
            updated_at=timezone.now(),
        )
        if reopened:
            _make_due(fulfillment, due_in)
            if not due_in:
                writeback_enqueue(fulfillment.pk)
    if reopened:
        order_status_refresh(order_id=fulfillment.order_id)
    return bool(reopened)


def writeback_make_due(*, fulfillment: Fulfillment, due_in: dt.timedelta = dt.timedelta(0)) -> None:
    """The fulfillment's write-back runs after ``due_in`` (queued at once when 0)."""
    with transaction.atomic():
        _make_due(fulfillment, due_in)
        if not due_in:
            writeback_enqueue(fulfillment.pk)
    order_status_refresh(order_id=fulfillment.order_id)


def writeback_reprocess(
    *, fulfillment: Fulfillment, actor=None, via: str = "console", audit: bool = True
) -> Fulfillment:
    """A failed or held fulfillment goes back to pending and is written back now. What Acumatica
    already holds is found first (its number is kept), so reprocessing never duplicates.
    Audited ("writeback.reprocess") unless the caller audits the action itself (``audit=False``,
    as ``writeback_retry`` does: one entry per operator action)."""
    with transaction.atomic():
        locked = Fulfillment.objects.select_for_update().get(pk=fulfillment.pk)
        if locked.status not in REPROCESSABLE:
            raise ValidationError(
                f"Only a failed or held fulfillment can be reprocessed; this one is "
                f"{locked.get_status_display().lower()}."
            )
        who = getattr(actor, "get_username", lambda: "")() if actor else ""
        before = {"status": locked.status, "status_reason": locked.status_reason}
        locked.status = FulfillmentStatus.PENDING
        locked.status_reason = f"Reprocess requested{f' by {who}' if who else ''}."
        locked.last_error = ""
        locked.last_error_fields = []
        locked.save(
            update_fields=[
                "status",
                "status_reason",
                "last_error",
                "last_error_fields",
                "updated_at",
            ]
        )
        _make_due(locked)
        writeback_enqueue(locked.pk)
        if audit:
            _audit(
                locked,
                action="writeback.reprocess",
                summary=f"Reprocess write-back of fulfillment {locked.reference} ({locked.order}).",
                event=f"Write-back of fulfillment {locked.reference} reprocessed by",
                actor=actor,
                via=via,
                before=before,
            )
    logger.info("fulfillment %s: reprocess requested by %s", locked.pk, who or "the system")
    order_status_refresh(order_id=locked.order_id)
    return locked


def writeback_release_held(*, store: StoreConnection) -> list[int]:
    """Held fulfillments of the store that can now be written (a carrier mapping or default box
    was added) go back to pending and are queued now; returns their ids. The others stay held
    with their reason. Held fulfillments are also looked at again on their own every
    FULFILLMENT_WRITEBACK_HELD_RECHECK_SECONDS."""
    released = []
    held = Fulfillment.objects.filter(store=store, status=FulfillmentStatus.HELD).select_related(
        "order", "store"
    )
    for fulfillment in held:
        mapping = carrier_mapping_resolve(
            store=store, carrier=fulfillment.carrier, service=fulfillment.service
        )
        try:
            plan_for(
                fulfillment, mapping, weight_uom=conf.weight_uom(), length_uom=conf.length_uom()
            )
        except PlanHeld:
            continue
        except PlanRefused:
            pass  # the attempt will say why it cannot be written
        with transaction.atomic():
            changed = Fulfillment.objects.filter(
                pk=fulfillment.pk, status=FulfillmentStatus.HELD
            ).update(
                status=FulfillmentStatus.PENDING,
                status_reason="Released: it can be written now.",
                updated_at=timezone.now(),
            )
            if changed:
                _make_due(fulfillment)
                writeback_enqueue(fulfillment.pk)
                released.append(fulfillment.pk)
    return released


def writeback_dispatch_due() -> list[int]:
    """The periodic sweep: queue every due outbox row no worker holds."""
    return outbox.dispatch_due()


def writeback_retry(*, fulfillment: Fulfillment, actor=None, via: str = "console") -> Fulfillment:
    """ "Retry write-back" (console, admin, alerts): a failed or held fulfillment is reprocessed;
    a pending one waiting out its back-off is made due now. Audited. A fulfillment a worker is
    writing right now, or already written back, is refused with the reason."""
    fulfillment.refresh_from_db()
    if fulfillment.status not in RETRYABLE:
        raise ValidationError(
            f"Fulfillment {fulfillment.reference} is {fulfillment.get_status_display().lower()}: "
            "there is nothing to retry."
        )
    before = {"status": fulfillment.status, "status_reason": fulfillment.status_reason}
    if fulfillment.status in REPROCESSABLE:
        fulfillment = writeback_reprocess(fulfillment=fulfillment, actor=actor, audit=False)
    else:
        with transaction.atomic():
            _make_due(fulfillment)
            writeback_enqueue(fulfillment.pk)
    _audit_retry(fulfillment, actor=actor, via=via, before=before)
    return fulfillment


def writeback_retry_store(*, store: StoreConnection, actor=None, via: str = "console") -> list[int]:
    """Retry every write-back of the store that is failed, held, or pending after a failed
    attempt; returns the fulfillment ids retried."""
    candidates = Fulfillment.objects.filter(store=store).filter(
        Q(status__in=REPROCESSABLE) | Q(status=FulfillmentStatus.PENDING, attempts__gt=0)
    )
    retried = []
    for fulfillment in candidates:
        try:
            writeback_retry(fulfillment=fulfillment, actor=actor, via=via)
        except ValidationError:
            continue  # finished or taken by a worker meanwhile
        retried.append(fulfillment.pk)
    return retried


def _audit_retry(fulfillment: Fulfillment, *, actor, via: str, before: dict) -> None:
    _audit(
        fulfillment,
        action="writeback.retry",
        summary=f"Retry write-back of fulfillment {fulfillment.reference} ({fulfillment.order}).",
        event=f"Write-back of fulfillment {fulfillment.reference} retried by",
        actor=actor,
        via=via,
        before=before,
    )


def _audit(
    fulfillment: Fulfillment, *, action: str, summary: str, event: str, actor, via: str, before
) -> None:
    """The audit entry and the order's timeline event of an operator's write-back action."""
    from ..timeline import order_event_record

    who = audit_record(
        actor=actor,
        action=action,
        summary=summary,
        store=fulfillment.store,
        target=fulfillment,
        before=before,
        after={"status": fulfillment.status},
        via=via,
    ).actor_label
    order_event_record(
        order=fulfillment.order_id,
        kind=OrderEventKind.ACTION,
        summary=f"{event} {who}.",
        fulfillment=fulfillment,
        actor=actor,
    )

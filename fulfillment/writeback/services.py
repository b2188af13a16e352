"""Write-back services for people and other parts of the app: reprocess one fulfilment, release
the held ones of a store, queue what is due. Views, admin actions, commands and tasks call these.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stores.models import StoreConnection

from ..carriers import carrier_mapping_resolve
from ..models import Fulfillment, FulfillmentStatus, WriteBackOutbox
from . import conf, outbox, writeback_enqueue
from .orders import order_status_refresh
from .plan import PlanHeld, PlanRefused, plan_for

logger = logging.getLogger("connector.fulfillment")

REPROCESSABLE = (FulfillmentStatus.FAILED, FulfillmentStatus.HELD)


def _make_due(fulfillment: Fulfillment) -> None:
    WriteBackOutbox.objects.update_or_create(
        fulfillment=fulfillment,
        defaults={"due_at": timezone.now(), "lease_until": None, "lease_holder": ""},
    )


def writeback_reprocess(*, fulfillment: Fulfillment, actor=None) -> Fulfillment:
    """A failed or held fulfilment goes back to pending and is written back now. What Acumatica
    already holds is found first (its number is kept), so reprocessing never duplicates."""
    with transaction.atomic():
        locked = Fulfillment.objects.select_for_update().get(pk=fulfillment.pk)
        if locked.status not in REPROCESSABLE:
            raise ValidationError(
                f"Only a failed or held fulfilment can be reprocessed; this one is "
                f"{locked.get_status_display().lower()}."
            )
        who = getattr(actor, "get_username", lambda: "")() if actor else ""
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
    logger.info("fulfilment %s: reprocess requested by %s", locked.pk, who or "the system")
    order_status_refresh(order_id=locked.order_id)
    return locked


def writeback_release_held(*, store: StoreConnection) -> list[int]:
    """Held fulfilments of the store that can now be written (a carrier mapping or default box
    was added) go back to pending and are queued now; returns their ids. The others stay held
    with their reason. Held fulfilments are also looked at again on their own every
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

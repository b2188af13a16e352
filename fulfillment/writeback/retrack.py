"""Put a written-back Shipment back the way it was shipped, when someone changed its tracking
numbers (or Ship Via) in Acumatica, or reopened it and left it open. Write-back work (it writes
the Shipment and hands the fulfillment back to the write-back), asked for by reconciliation's
backfill of a Shipment that differs.

Acumatica ignores changes to a confirmed Shipment (API.md §4.1, "changes to a closed document",
answered 200), so the fix goes the way a person would take on the Shipment form:

1. read the Shipment (the write-back's own ``$expand``) and compare it with the fulfillment's
   plan (``writeback.verify.differences``): nothing differs → done, nothing written; anything
   but Status, Ship Via or tracking numbers differs → stop and say what (lines, boxes and
   weights are for a person to correct in Acumatica);
2. Confirmed → ``CorrectShipment`` (Confirmed → Open; API.md §5); Invoiced or later cannot be
   reopened → stop and say so;
3. one ``PUT Shipment`` sets the Ship Via and each of this fulfillment's packages' tracking
   number again (packages addressed by their ids; a package whose number is right is left out);
4. hand the fulfillment back to the write-back (``engine.writeback_run``, queued like any
   write-back): from the saved Shipment number it finds the Shipment Open, compares it with the
   plan, confirms it and reads it back — the same checks as the first write-back, with an
   attempt row an operator can read.

The fulfillment is claimed (written back → pending) before the first write, so two people
pressing the button at once do not both correct the Shipment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connector.acumatica import AcumaticaError
from connector.acumatica.values import value_of
from stores.audit import audit_record
from stores.credentials import acumatica_client_for
from stores.errors import StoreClientUnavailable

from ..importing.single import acumatica_failure_text
from ..models import (
    Fulfillment,
    FulfillmentStatus,
    OrderEventKind,
    WriteBackOutbox,
)
from ..timeline import order_event_record
from . import conf as writeback_conf
from . import payloads
from .carrier_lookup import carrier_mapping_resolve
from .plan import PlanHeld, PlanRefused, ShipmentPlan, plan_for
from .services import writeback_make_due, writeback_reopen
from .verify import EDITABLE_STATES, differences, own_packages

ENTITY = "Shipment"
# A claimed fulfillment waits this long before the sweep may pick it up on its own (a repair
# that died half-way is then finished, or failed with its differences, by the write-back).
CLAIM = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class RestoreOutcome:
    # True: restored and handed to the write-back, or nothing differed; False: ``text`` says
    # why it was not restored.
    restored: bool
    text: str


def shipment_tracking_restore(*, fulfillment_id: int, actor=None, via: str) -> RestoreOutcome:
    fulfillment = Fulfillment.objects.select_related("order", "store").get(pk=fulfillment_id)
    nbr = fulfillment.erp_shipment_nbr
    if fulfillment.status != FulfillmentStatus.WRITTEN_BACK or not nbr:
        return RestoreOutcome(
            False,
            f"Not restored: the fulfillment is {fulfillment.get_status_display().lower()} "
            "now, not written back (reconcile again).",
        )
    store = fulfillment.store
    mapping = carrier_mapping_resolve(
        store=store, carrier=fulfillment.carrier, service=fulfillment.service
    )
    try:
        plan = plan_for(
            fulfillment,
            mapping,
            weight_uom=writeback_conf.weight_uom(),
            length_uom=writeback_conf.length_uom(),
        )
    except (PlanHeld, PlanRefused) as exc:
        return RestoreOutcome(False, f"Not restored: the write-back cannot be planned: {exc}")
    expand = payloads.expand_for(plan)
    try:
        with acumatica_client_for(store, purpose="reconciliation repair", urgent=True) as client:
            record = client.get(ENTITY, nbr, expand=expand)
            found = differences(plan, record, confirmed=True)
            if not found:
                return RestoreOutcome(
                    True, f"Read again: Shipment {nbr} is as shipped now; nothing was changed."
                )
            others = [d for d in found if not _restorable(d.path)]
            if others:
                return RestoreOutcome(
                    False,
                    f"Not restored: Shipment {nbr} differs in more than its tracking numbers ("
                    + "; ".join(str(d) for d in others)
                    + "). Correct it in Acumatica.",
                )
            status = value_of(record, "Status")
            if status not in ("Confirmed", *EDITABLE_STATES):
                return RestoreOutcome(
                    False,
                    f"Not restored: Shipment {nbr} is {status} in Acumatica and cannot be "
                    "reopened (CorrectShipment reopens a Confirmed one only). Correct the "
                    "tracking numbers there.",
                )
            updates = _package_updates(plan, record)
            if updates is None:
                return RestoreOutcome(
                    False,
                    f"Not restored: Shipment {nbr} has another number of this fulfillment's "
                    "packages than were shipped. Correct it in Acumatica.",
                )
            if not _claim(fulfillment):
                return RestoreOutcome(False, "Not restored: someone else is restoring it now.")
            if status == "Confirmed":
                client.invoke_action(
                    ENTITY,
                    "CorrectShipment",
                    payloads.shipment_keys(nbr),
                    poll_interval=writeback_conf.confirm_poll_seconds(),
                    timeout=writeback_conf.confirm_timeout_seconds(),
                )
                # Detail ids are read again after the correction: the PUT addresses them.
                updates = _package_updates(plan, client.get(ENTITY, nbr, expand=expand)) or []
            body: dict[str, Any] = {**payloads.shipment_keys(nbr), "ShipVia": plan.ship_via}
            if updates:
                body["Packages"] = updates
            client.put(ENTITY, body, expand=expand)
    except (AcumaticaError, StoreClientUnavailable) as exc:
        text = acumatica_failure_text(exc)
        if _claimed(fulfillment):
            # Written partly (reopened, perhaps): the write-back finishes or fails it later.
            _hand_back(fulfillment, due_in=CLAIM)
            return RestoreOutcome(
                False, f"{text} The write-back looks at Shipment {nbr} again later."
            )
        return RestoreOutcome(False, f"Not restored: {text}")
    _hand_back(fulfillment)
    _record(fulfillment, actor=actor, via=via, differences=[str(d) for d in found])
    fulfillment.refresh_from_db()
    return RestoreOutcome(
        True,
        f"Shipment {nbr} reopened and its tracking numbers restored; the write-back confirms and "
        f"checks it again (it is {fulfillment.get_status_display().lower()} now).",
    )


def _restorable(path: str) -> bool:
    return path in ("Status", "ShipVia") or path.endswith(".TrackingNbr")


def _package_updates(plan: ShipmentPlan, record: Mapping[str, Any]) -> list[dict] | None:
    """``[{"id", "TrackingNbr"}]`` for this fulfillment's packages whose number is not the one
    shipped: a package with a shipped number keeps it, the others are paired with the remaining
    shipped packages in order. None when the package counts differ."""
    packages = [p for p in own_packages(plan, record) if p.get("id")]
    if len(packages) != len(plan.packages):
        return None
    wanted = [p.tracking_number.strip() for p in plan.packages]
    unmatched = []
    for package in packages:
        number = str(value_of(package, "TrackingNbr") or "").strip()
        if number in wanted:
            wanted.remove(number)
        else:
            unmatched.append(package)
    return [
        {"id": package["id"], "TrackingNbr": number}
        for package, number in zip(unmatched, wanted, strict=True)
    ]


def _claim(fulfillment: Fulfillment) -> bool:
    """The write-back holds off for ``CLAIM`` while the tracking numbers are put back here."""
    return writeback_reopen(
        fulfillment=fulfillment,
        reason=(
            "Restoring the Shipment's tracking numbers in Acumatica (reconciliation); "
            "the write-back confirms and checks it again."
        ),
        shipment_saved=True,
        due_in=CLAIM,
    )


def _claimed(fulfillment: Fulfillment) -> bool:
    return (
        Fulfillment.objects.filter(pk=fulfillment.pk, status=FulfillmentStatus.PENDING).exists()
        and WriteBackOutbox.objects.filter(fulfillment=fulfillment).exists()
    )


def _hand_back(fulfillment: Fulfillment, *, due_in: dt.timedelta = dt.timedelta(0)) -> None:
    """The write-back takes it from here: due now (queued after commit), or later."""
    writeback_make_due(fulfillment=fulfillment, due_in=due_in)


def _record(fulfillment: Fulfillment, *, actor, via: str, differences: list[str]) -> None:
    who = audit_record(
        actor=actor,
        action="reconciliation.restore_shipment",
        summary=(
            f"Shipment {fulfillment.erp_shipment_nbr} of fulfillment {fulfillment.reference} "
            f"({fulfillment.order}) reopened to restore what was shipped."
        ),
        store=fulfillment.store,
        target=fulfillment,
        before={"differences": differences},
        after={"status": FulfillmentStatus.PENDING},
        via=via,
    ).actor_label
    order_event_record(
        order=fulfillment.order_id,
        kind=OrderEventKind.ACTION,
        summary=(
            f"Shipment {fulfillment.erp_shipment_nbr} differed in Acumatica ("
            + "; ".join(differences)
            + f"); reopened and restored by {who}, to be confirmed again."
        ),
        fulfillment=fulfillment,
        actor=actor,
    )

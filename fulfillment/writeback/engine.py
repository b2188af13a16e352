"""``writeback_run``: one attempt at writing one fulfillment back (the ``write_back`` task, the
``writeback_pending`` command).

1. Take the outbox row's lease (:mod:`.outbox`); a second delivery of the task exits quietly.
2. Store not active → hold (no call, no attempt row), looked at again later.
3. Plan (:mod:`.plan`): no carrier mapping or no box → held; data Acumatica cannot take →
   failed. Neither calls Acumatica.
4. Record the attempt (committed before any call, so the next attempt knows this one may have
   written); run the exporter (:mod:`.exporter`); the Shipment number and progress are saved
   the moment they are known, with the calls made so far (:mod:`.calls`).
5. Apply the outcome (:mod:`.attempts`, :mod:`.outcomes`) in one transaction, only if the lease
   is still ours: written back (outbox row deleted, order moved on), retry after a back-off
   (the row stays, due later), failed (row deleted) or held (the row stays, looked at again).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Case, F, Value, When
from django.utils import timezone

from connector.acumatica import AcumaticaError
from stores.credentials import acumatica_client_for
from stores.errors import StoreClientUnavailable
from stores.models import StoreStatus

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
from .attempts import attempt_finish, attempt_start, hold_quietly
from .calls import AttemptLog
from .carrier_lookup import carrier_mapping_resolve
from .exporter import Hooks, LostWrite, Mismatch, Refused, ShipmentExporter, WritesBlocked
from .outcomes import LEASE_LOST, Outcome, outcome_for_error
from .plan import PlanHeld, PlanRefused, plan_for

logger = logging.getLogger("connector.fulfillment")


class LeaseLost(Exception):
    """Another worker took the fulfillment after our lease expired: stop before writing."""


def writeback_run(*, fulfillment_id: int, ignore_due: bool = False) -> WriteBackAttempt | None:
    """One attempt now, in this thread. Returns the attempt, or None when there was nothing to
    do: another worker holds it, it is not due (unless ``ignore_due``), it is held and still
    cannot be written, or it is no longer waiting for a write-back."""
    holder = outbox.new_holder()
    # No later than the lease's own start: the lease lasts at least until taken_at + ttl.
    taken_at = timezone.now()
    if not outbox.take(
        fulfillment_id=fulfillment_id, holder=holder, ttl=conf.lease_ttl(), ignore_due=ignore_due
    ):
        return None
    try:
        return _run(fulfillment_id, holder, taken_at)
    except Exception:
        # Our own bookkeeping failed (the database?): give the row back to the sweep.
        outbox.release(
            fulfillment_id=fulfillment_id,
            holder=holder,
            due_at=timezone.now() + conf.backoff(1),
        )
        raise


def _run(fulfillment_id: int, holder: str, taken_at: dt.datetime) -> WriteBackAttempt | None:
    fulfillment = Fulfillment.objects.select_related("order", "store").get(pk=fulfillment_id)
    store = fulfillment.store
    if fulfillment.status in (FulfillmentStatus.WRITTEN_BACK, FulfillmentStatus.FAILED):
        # A row left behind (reprocessed and finished meanwhile): nothing to write.
        WriteBackOutbox.objects.filter(fulfillment=fulfillment, lease_holder=holder).delete()
        return None
    if store.status != StoreStatus.ACTIVE:
        hold_quietly(
            fulfillment,
            holder,
            f"Waiting for the store: it is {store.get_status_display().lower()}"
            + (f" ({store.status_reason})" if store.status_reason else "")
            + ". The write-back resumes when the store is active again.",
        )
        return None
    mapping = carrier_mapping_resolve(
        store=store, carrier=fulfillment.carrier, service=fulfillment.service
    )
    try:
        plan = plan_for(
            fulfillment, mapping, weight_uom=conf.weight_uom(), length_uom=conf.length_uom()
        )
    except PlanHeld as exc:
        if fulfillment.status == FulfillmentStatus.HELD and fulfillment.status_reason == str(exc):
            hold_quietly(fulfillment, holder, str(exc))
            return None
        attempt = attempt_start(fulfillment)
        attempt_finish(fulfillment, attempt, Outcome.held(str(exc)), holder, calls=[])
        return attempt
    except PlanRefused as exc:
        attempt = attempt_start(fulfillment)
        attempt_finish(fulfillment, attempt, Outcome.failed(str(exc)), holder, calls=[])
        return attempt

    if mapping.ship_via != fulfillment.ship_via:
        Fulfillment.objects.filter(pk=fulfillment.pk).update(ship_via=mapping.ship_via)
        fulfillment.ship_via = mapping.ship_via
    # Whether any earlier attempt exists decides whether this one must search before creating:
    # read before this attempt's own row is written.
    had_attempts = fulfillment.attempts_log.exists()
    blocked_until = (
        WriteBackOutbox.objects.filter(fulfillment=fulfillment)
        .values_list("writes_blocked_until", flat=True)
        .first()
    )
    attempt = attempt_start(fulfillment)
    log = AttemptLog(attempt)
    outcome = _export(
        fulfillment,
        plan,
        log,
        holder,
        search=had_attempts,
        leased_until=taken_at + conf.lease_ttl(),
        writes_blocked_until=blocked_until,
    )
    attempt_finish(fulfillment, attempt, outcome, holder, calls=log.calls)
    return attempt


def _export(
    fulfillment: Fulfillment,
    plan,
    log: AttemptLog,
    holder: str,
    *,
    search: bool,
    leased_until: dt.datetime,
    writes_blocked_until: dt.datetime | None = None,
):
    fulfillment_id = fulfillment.pk
    lease = {"until": leased_until}

    def saved(nbr: str, found: bool) -> None:
        # Committed at once (no transaction is open here), with the calls that led to it: a
        # crash right after the PUT still leaves the number behind.
        Fulfillment.objects.filter(pk=fulfillment_id).update(
            erp_shipment_nbr=nbr,
            progress=Case(
                When(
                    progress=WriteBackProgress.NOT_STARTED,
                    then=Value(WriteBackProgress.SHIPMENT_SAVED),
                ),
                default=F("progress"),
            ),
        )
        log.save()
        if fulfillment.erp_shipment_nbr != nbr:
            order_event_record(
                order=fulfillment.order_id,
                kind=OrderEventKind.SHIPMENT_CREATED,
                summary=(
                    f"Acumatica shipment {nbr} "
                    + ("found, already created by an earlier attempt" if found else "created")
                    + f" for fulfillment {fulfillment.reference}."
                ),
                detail={"shipment_nbr": nbr, "found": found},
                fulfillment=fulfillment,
            )
        fulfillment.erp_shipment_nbr = nbr
        if found:
            logger.info("fulfillment %s: already exported as Shipment %s", fulfillment_id, nbr)

    def confirmed() -> None:
        Fulfillment.objects.filter(pk=fulfillment_id).exclude(
            progress=WriteBackProgress.VERIFIED
        ).update(progress=WriteBackProgress.CONFIRMED)
        log.save()

    def forgotten() -> None:
        Fulfillment.objects.filter(pk=fulfillment_id).update(
            erp_shipment_nbr="", progress=WriteBackProgress.NOT_STARTED
        )

    def before_write(adds: bool) -> None:
        # While our lease has time left nobody else can hold the row (a taker needs it
        # expired), so it is renewed only when short: below half its length, or, before a write
        # that adds to Acumatica, below the time such a write may still run if this worker dies
        # with it in flight (the next worker must not search before it has landed). Renewing
        # also proves the lease is still ours.
        now = timezone.now()
        needed = conf.lease_ttl() / 2
        if adds:
            needed = max(needed, conf.lost_write_wait() + _read_timeout())
        if lease["until"] - now > needed:
            return
        ttl = max(conf.lease_ttl(), needed)
        if not outbox.renew(fulfillment_id=fulfillment_id, holder=holder, ttl=ttl):
            raise LeaseLost("another worker took this fulfillment over")
        lease["until"] = now + ttl

    hooks = Hooks(saved=saved, confirmed=confirmed, forgotten=forgotten, before_write=before_write)
    try:
        with acumatica_client_for(fulfillment.store, recorder=log, purpose="write-back") as client:
            ShipmentExporter(
                client,
                plan,
                log=log,
                hooks=hooks,
                known_nbr=fulfillment.erp_shipment_nbr,
                search=search or fulfillment.progress != WriteBackProgress.NOT_STARTED,
                created_at=fulfillment.created_at,
                writes_blocked_until=writes_blocked_until,
                poll_interval=conf.confirm_poll_seconds(),
                confirm_timeout=conf.confirm_timeout_seconds(),
            ).run()
        return Outcome.done()
    except Mismatch as exc:
        return Outcome.failed(str(exc), [d.as_dict() for d in exc.differences])
    except Refused as exc:
        return Outcome.failed(str(exc))
    except LostWrite as exc:
        return Outcome.retry(str(exc), lost_write=True)
    except WritesBlocked as exc:
        wait = max((exc.until - timezone.now()).total_seconds(), 0.0)
        return Outcome.retry(str(exc), retry_after=wait, writes_blocked=True)
    except LeaseLost as exc:
        return Outcome(LEASE_LOST, str(exc))
    except AcumaticaError as exc:
        return outcome_for_error(exc)
    except StoreClientUnavailable as exc:
        return Outcome.held(
            f"{exc} The write-back resumes when the store is active again.",
            needs_attention=str(exc),
        )
    except Exception as exc:
        logger.exception("fulfillment %s: write-back attempt failed unexpectedly", fulfillment_id)
        return Outcome.retry(f"Unexpected error: {type(exc).__name__}: {exc}")


def _read_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=float(settings.ACUMATICA_READ_TIMEOUT))

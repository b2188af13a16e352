"""Push notifications in: issuing a store's webhook, receiving a notification, importing what
it names. Views and tasks call these.

Receiving stores the notification and answers at once; the import runs as a job after commit
(``fulfillment.push_import``), so Acumatica never waits on the connector's own reads. Delivery
is at least once with up to five tries: a notification is stored once per (Id, Query) and a
repeat is answered "duplicate" without doing anything again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from stores.audit import audit_record
from stores.models import AuditEntry, StoreConnection, StoreStatus
from stores.validation import client_id_tenant

from ..importing import conf, lease
from ..importing.services import import_catch_up
from ..importing.targeted import keys_import
from ..jobs import PUSH_IMPORT, enqueue_after_commit
from ..models import (
    SHIPPED_STATUSES,
    ImportState,
    Order,
    PushEndpoint,
    PushNotification,
    PushStatus,
)
from ..modes import mode_for
from .notifications import NotificationInvalid, notification_keys, notification_parse

logger = logging.getLogger("connector.fulfillment")

# The header Acumatica sends the secret in (Push Notifications, SM302000: Header Name).
SECRET_HEADER = "X-Connector-Push-Secret"
_IMPORTABLE = (StoreStatus.ACTIVE, StoreStatus.NEEDS_ATTENTION)
LEFT_TO_CATCH_UP = (
    "Already shipped here: not read now; the catch-up scan reads it with the store's other changes."
)
# Notifications of one store imported in one run at most (their keys are read 50 per request).
TAKE_AT_MOST = 200
# Received, queued for import, not yet taken by a job.
_UNTAKEN = Q(status=PushStatus.QUEUED, processed_at__isnull=True)


@dataclass(frozen=True)
class Receipt:
    """The answer to one delivery: HTTP status and a short message (never a secret)."""

    status: int
    outcome: str
    message: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def push_endpoint_issue(
    *, store: StoreConnection, actor=None, via: str = AuditEntry.Via.CONSOLE
) -> tuple[PushEndpoint, str]:
    """Give the store a webhook, or a new secret for it (the old one stops working at once).
    Returns the endpoint and the secret, which is shown this once and never kept."""
    secret = secrets.token_urlsafe(32)
    # The row the one queued push job per store is marked on (``_push_job_claim``).
    lease.import_state_for(store.pk)
    with transaction.atomic():
        endpoint = PushEndpoint.objects.select_for_update().filter(store=store).first()
        renewed = endpoint is not None
        if endpoint is None:
            endpoint = PushEndpoint(store=store, key=secrets.token_urlsafe(24))
        endpoint.secret_hash = _digest(secret)
        endpoint.issued_at = timezone.now()
        endpoint.save()
        audit_record(
            actor=actor,
            action="push.secret_renewed" if renewed else "push.endpoint_created",
            summary=f"Push notification webhook {'secret renewed' if renewed else 'created'} "
            f"for {store.name}.",
            store=store,
            target=store,
            after={"secret": secret},
            via=via,
        )
    return endpoint, secret


def push_receive(*, key: str, secret: str | None, body: bytes) -> Receipt:
    """One delivery to ``/push/<key>/``. 404 for an unknown key (nothing revealed), 401 for a
    wrong or missing secret (counted on the endpoint), 400 for a body that is not a
    notification; otherwise 202 (accepted, duplicate or ignored, with the reason)."""
    endpoint = PushEndpoint.objects.select_related("store").filter(key=key).first()
    if endpoint is None:
        return Receipt(404, "not_found", "Not found.")
    now = timezone.now()
    if not secret or not hmac.compare_digest(_digest(secret), endpoint.secret_hash):
        PushEndpoint.objects.filter(pk=endpoint.pk).update(
            last_rejected_at=now,
            last_rejection=f"{'wrong' if secret else 'missing'} {SECRET_HEADER} header",
            rejected_count=F("rejected_count") + 1,
        )
        return Receipt(401, "unauthorized", f"Missing or wrong {SECRET_HEADER} header.")
    try:
        notification = notification_parse(body)
    except NotificationInvalid as exc:
        _rejected(endpoint, now, str(exc))
        return Receipt(400, "invalid", str(exc))
    store = endpoint.store
    status, reason = PushStatus.QUEUED, ""
    keys, unnamed = notification_keys(notification, mode_for(store))
    tenant = (store.tenant or client_id_tenant(store.client_id) or "").strip()
    if (
        tenant
        and notification.company_id
        and notification.company_id.casefold() != tenant.casefold()
    ):
        status = PushStatus.IGNORED
        reason = (
            f"Sent by tenant {notification.company_id!r}; this store is tenant {tenant!r}: "
            "nothing imported."
        )
    elif store.status not in _IMPORTABLE:
        status, reason = PushStatus.IGNORED, f"The store is {store.get_status_display().lower()}."
    elif not keys:
        status = PushStatus.IGNORED
        reason = (
            f"No row names a {'/'.join(mode_for(store).key_fields)}: check the generic "
            "inquiry's columns."
        )
    try:
        with transaction.atomic():
            row = PushNotification.objects.create(
                store=store,
                notification_id=notification.id,
                query=notification.query,
                company_id=notification.company_id,
                received_at=now,
                keys=[list(k) for k in keys],
                status=status,
                reason=reason or (f"{unnamed} row(s) named no key." if unnamed else ""),
            )
            PushEndpoint.objects.filter(pk=endpoint.pk).update(
                last_received_at=now, received_count=F("received_count") + 1
            )
            if status == PushStatus.QUEUED and _push_job_claim(store.pk, now):
                enqueue_after_commit(PUSH_IMPORT, row.pk)
    except IntegrityError:
        return Receipt(202, "duplicate", "Already received; nothing done again.")
    if status == PushStatus.IGNORED:
        return Receipt(202, "ignored", reason)
    return Receipt(202, "accepted", f"{len(keys)} record(s) queued for import.")


def _rejected(endpoint: PushEndpoint, now, reason: str) -> None:
    PushEndpoint.objects.filter(pk=endpoint.pk).update(
        last_rejected_at=now, last_rejection=reason[:300], rejected_count=F("rejected_count") + 1
    )


def push_import(*, notification_id: int) -> PushNotification | None:
    """Import what the store's queued notifications name (the ``fulfillment.push_import``
    job): one read of all their keys, one import run, one catch-up. One such job per store is
    queued at a time (``_push_job_claim``); notifications received while it waits are taken
    along, and past ``TAKE_AT_MOST`` it queues itself again for the rest. Safe to run twice: a
    notification is taken once (``_take``); a job that finds none taken does nothing.

    Records the warehouse has already shipped here are not read now: most such notifications
    come from the connector's own Shipment (Acumatica then moves the order on), and an import
    no longer changes a shipped order anyway, only flags a surprise. The catch-up scan, a minute
    at most later, reads them with every other change."""
    row = PushNotification.objects.filter(pk=notification_id).only("store_id").first()
    if row is None:
        return None
    taken, more = _take(store_id=row.store_id)
    try:
        if taken:
            _import_taken(row.store_id, taken)
    finally:
        # More were waiting than one run takes: the next job takes them once this one is done.
        if more is not None and _push_job_claim(row.store_id, timezone.now()):
            enqueue_after_commit(PUSH_IMPORT, more)
    return PushNotification.objects.get(pk=notification_id) if taken else None


def _import_taken(store_id: int, taken: list[PushNotification]) -> None:
    store = StoreConnection.objects.get(pk=store_id)
    keys = list(dict.fromkeys(tuple(key) for n in taken for key in n.keys))
    shipped = _shipped_here(store, keys)
    now = [key for key in keys if key not in shipped]
    run = keys_import(store=store, keys=now) if now else None
    import_catch_up(store=store)
    for notification in taken:
        own = {tuple(key) for key in notification.keys}
        if run is None or own <= shipped:
            notification.status = PushStatus.IGNORED
            notification.reason = LEFT_TO_CATCH_UP
        else:
            notification.import_run = run
            notification.status = PushStatus.FAILED if run.error else PushStatus.IMPORTED
            notification.reason = run.error or (
                f"created {run.created}, updated {run.updated}, unchanged {run.unchanged}, "
                f"skipped {run.skipped}, failed {run.failed}"
            )
            if len(taken) > 1 and not run.error:
                notification.reason += (
                    f" (imported with {len(taken) - 1} other notification(s) in one run)"
                )
    PushNotification.objects.bulk_update(taken, ["import_run", "status", "reason"])


def push_imports_requeue_lost(*, now=None) -> list[int]:
    """Queue a push import again for every store with a notification waiting longer than
    ``FULFILLMENT_PUSH_JOB_STALE_SECONDS`` whose queued job is that old too (lost with a
    broker or a worker, and no new notification came to notice) or was never queued. Run by
    the scheduler; returns the stores' ids."""
    now = now or timezone.now()
    waiting = (
        PushNotification.objects.filter(_UNTAKEN, received_at__lt=now - conf.push_job_stale())
        .values("store_id")
        .annotate(oldest=Min("pk"))
        .values_list("store_id", "oldest")
    )
    queued = []
    for store_id, oldest in waiting:
        lease.import_state_for(store_id)
        if _push_job_claim(store_id, now):
            enqueue_after_commit(PUSH_IMPORT, oldest)
            queued.append(store_id)
    return queued


def _shipped_here(store: StoreConnection, keys: list[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """The keys whose order the warehouse has shipped here already."""
    if not keys:
        return set()
    mode = mode_for(store)
    # A key of another shape (the store's mode changed since it was received) names nothing.
    fitting = [key for key in keys if len(key) == len(mode.order_key_fields)]
    if not fitting:
        return set()
    named = Q()
    for key in fitting:
        named |= Q(**dict(zip(mode.order_key_fields, key, strict=True)))
    shipped = Order.objects.filter(named, store=store, status__in=SHIPPED_STATUSES)
    return {tuple(values) for values in shipped.values_list(*mode.order_key_fields)}


def _untaken(store_id: int):
    return PushNotification.objects.filter(_UNTAKEN, store_id=store_id)


def _push_job_claim(store_id: int, now) -> bool:
    """Whether the caller is to queue the store's push import: none is queued, or the one
    queued is so old it must have been lost. Marks one queued now. The store's import state
    exists from its webhook's issue on (and the scheduler's sweep queues a job for a store
    that has none).

    The row is locked whether or not a job is queued, until the caller's transaction ends: a
    receiver that leaves its notification to the job already queued holds that job's take
    (``_take``) until the notification is committed, so the take sees it. Without the lock the
    job could take the store's notifications between the receiver's check and its commit,
    and leave this one waiting with no job."""
    with transaction.atomic():
        state = (
            ImportState.objects.select_for_update()
            .filter(store_id=store_id)
            .only("pk", "push_job_queued_at")
            .first()
        )
        if state is None:
            return False
        queued_at = state.push_job_queued_at
        if queued_at is not None and queued_at >= now - conf.push_job_stale():
            return False
        ImportState.objects.filter(pk=state.pk).update(push_job_queued_at=now)
        return True


def _take(*, store_id: int) -> tuple[list[PushNotification], int | None]:
    """The store's queued notifications not yet taken (at most ``TAKE_AT_MOST``, oldest
    first), marked taken, and the first of those left over (None when none is). Clearing the
    store's queued-job mark is the hand-over: a notification received from then on queues a
    job of its own. Takers and receivers of one store queue behind that update of its import
    state (a row lock on PostgreSQL; SQLite transactions take the write lock up front), so each
    notification is taken by one job only and none is left without a job."""
    with transaction.atomic():
        lease.import_state_for(store_id)
        ImportState.objects.filter(store_id=store_id).update(push_job_queued_at=None)
        rows = list(_untaken(store_id).order_by("pk")[: TAKE_AT_MOST + 1])
        taken = rows[:TAKE_AT_MOST]
        if taken:
            PushNotification.objects.filter(pk__in=[n.pk for n in taken]).update(
                processed_at=timezone.now()
            )
    return taken, rows[TAKE_AT_MOST].pk if len(rows) > TAKE_AT_MOST else None

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
from django.db.models import F, Q
from django.utils import timezone

from stores.audit import audit_record
from stores.models import AuditEntry, StoreConnection, StoreStatus
from stores.validation import client_id_tenant

from ..importing import lease
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
            if status == PushStatus.QUEUED:
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
    """Import what a queued notification names (the ``fulfillment.push_import`` job), together
    with every other notification of its store still queued: one read of all their keys, one
    import run, one catch-up. The jobs of the notifications taken along find nothing left to
    do. Safe to run twice: a notification is taken once (``_take``).

    Records the warehouse has already shipped here are not read now: most such notifications
    come from the connector's own Shipment (Acumatica then moves the order on), and an import
    no longer changes a shipped order anyway, only flags a surprise. The catch-up scan, a minute
    at most later, reads them with every other change."""
    row = PushNotification.objects.filter(pk=notification_id).only("store_id").first()
    if row is None:
        return None
    taken = _take(store_id=row.store_id, first=notification_id)
    if not taken:
        return None
    store = StoreConnection.objects.get(pk=row.store_id)
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
    return PushNotification.objects.get(pk=notification_id)


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


def _take(*, store_id: int, first: int) -> list[PushNotification]:
    """The store's queued notifications not yet taken, ``first`` always among them, marked
    taken; nothing when another job took ``first`` already. Takers of one store queue behind the
    update of its import state (a row lock on PostgreSQL; SQLite transactions take the write
    lock up front), so each notification is taken by one job only."""
    untaken = PushNotification.objects.filter(
        store_id=store_id, status=PushStatus.QUEUED, processed_at__isnull=True
    )
    with transaction.atomic():
        lease.import_state_for(store_id)
        ImportState.objects.filter(store_id=store_id).update(
            catch_up_requested_at=F("catch_up_requested_at")
        )
        own = untaken.filter(pk=first).first()
        if own is None:
            return []
        taken = [own, *untaken.exclude(pk=first).order_by("pk")[: TAKE_AT_MOST - 1]]
        PushNotification.objects.filter(pk__in=[n.pk for n in taken]).update(
            processed_at=timezone.now()
        )
    return taken

"""Writes on webhook subscriptions and deliveries: create (the secret is returned once), rotate
the secret, disable and enable, replay a delivery or an event. Keyword-only, audited; the pages
and commands call these and decide who may (``stores.access``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stores import crypto
from stores.audit import audit_record
from stores.models import AuditEntry, Merchant

from ..jobs import DELIVER_EVENT, enqueue_after_commit
from ..models import DeliveryStatus, EventDelivery, EventKind, EventSubscription, OutboundEvent
from . import conf
from .signing import secret_generate, secret_hint
from .url_check import subscriber_url_check

CONSOLE = AuditEntry.Via.CONSOLE
DESCRIPTION_MAX = 200


def _kinds_checked(kinds) -> list[str]:
    known = set(EventKind.values)
    chosen = [k for k in dict.fromkeys(kinds or []) if k]
    unknown = [k for k in chosen if k not in known]
    if unknown:
        raise ValidationError({"kinds": f"Unknown event kinds: {', '.join(unknown)}."})
    return sorted(chosen)


def subscription_create(
    *,
    merchant: Merchant,
    url: str,
    kinds: list[str] | None = None,
    description: str = "",
    actor=None,
    via: str = CONSOLE,
) -> tuple[EventSubscription, str]:
    """A new active subscription and its secret: show the secret now, it is never shown again."""
    url = subscriber_url_check(url)
    description = " ".join((description or "").split())
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            {"description": f"Keep the description under {DESCRIPTION_MAX} characters."}
        )
    kinds = _kinds_checked(kinds)
    secret = secret_generate()
    with transaction.atomic():
        subscription = EventSubscription.objects.create(
            merchant=merchant,
            url=url,
            description=description,
            kinds=kinds,
            secret_encrypted=crypto.encrypt(secret),
            secret_hint=secret_hint(secret),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="webhook.create",
            summary=f"Webhook subscription to {url} created for {merchant.name}.",
            target=subscription,
            after={"url": url, "kinds": kinds or ["(every kind)"], "secret": "x"},
            via=via,
        )
    return subscription, secret


def subscription_rotate_secret(
    *, subscription: EventSubscription, actor=None, via: str = CONSOLE
) -> str:
    """A new secret (returned once). The previous one keeps signing too, as a second
    signature, for ``FULFILLMENT_EVENTS_SECRET_GRACE_SECONDS``, so the receiver can switch
    without refusing a delivery."""
    secret = secret_generate()
    now = timezone.now()
    with transaction.atomic():
        locked = EventSubscription.objects.select_for_update().get(pk=subscription.pk)
        locked.previous_secret_encrypted = locked.secret_encrypted
        locked.previous_secret_until = now + conf.secret_grace()
        locked.secret_encrypted = crypto.encrypt(secret)
        locked.secret_hint = secret_hint(secret)
        locked.save(
            update_fields=[
                "previous_secret_encrypted",
                "previous_secret_until",
                "secret_encrypted",
                "secret_hint",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="webhook.rotate_secret",
            summary=f"Webhook secret of {locked.url} rotated; the previous one signs until "
            f"{timezone.localtime(locked.previous_secret_until):%Y-%m-%d %H:%M}.",
            target=locked,
            before={"secret": "x"},
            after={"secret": "x"},
            via=via,
        )
    subscription.refresh_from_db()
    return secret


def subscription_disable(
    *, subscription: EventSubscription, reason: str = "", actor=None, via: str = CONSOLE
) -> EventSubscription:
    """Stop sending (pending deliveries wait; enabling sends them)."""
    reason = " ".join((reason or "").split())[:400] or "Disabled by a user."
    with transaction.atomic():
        changed = EventSubscription.objects.filter(pk=subscription.pk, active=True).update(
            active=False,
            disabled_at=timezone.now(),
            disabled_reason=reason,
            disabled_by_failures=False,
        )
        if changed:
            audit_record(
                actor=actor,
                action="webhook.disable",
                summary=f"Webhook subscription to {subscription.url} disabled.",
                target=subscription,
                before={"active": True},
                after={"active": False},
                reason=reason,
                via=via,
            )
    subscription.refresh_from_db()
    return subscription


def subscription_enable(
    *, subscription: EventSubscription, actor=None, via: str = CONSOLE
) -> EventSubscription:
    """Send again: the failure window starts afresh and the deliveries that waited while it
    was disabled are queued now."""
    now = timezone.now()
    with transaction.atomic():
        changed = EventSubscription.objects.filter(pk=subscription.pk, active=False).update(
            active=True,
            disabled_at=None,
            disabled_reason="",
            disabled_by_failures=False,
            failing_since=None,
        )
        if changed:
            waiting = EventDelivery.objects.filter(
                subscription_id=subscription.pk, status=DeliveryStatus.PENDING
            )
            waiting.update(due_at=now, failures=0)
            for delivery_id in waiting.values_list("pk", flat=True):
                enqueue_after_commit(DELIVER_EVENT, delivery_id)
            audit_record(
                actor=actor,
                action="webhook.enable",
                summary=f"Webhook subscription to {subscription.url} enabled.",
                target=subscription,
                before={"active": False},
                after={"active": True},
                via=via,
            )
    subscription.refresh_from_db()
    return subscription


def delivery_replay(*, delivery: EventDelivery, actor=None, via: str = CONSOLE) -> EventDelivery:
    """Send the event to this subscription again now, with the same ``webhook-id`` (the
    receiver may already have it: a replay is for one that lost or refused it)."""
    if not EventSubscription.objects.filter(pk=delivery.subscription_id, active=True).exists():
        raise ValidationError("Enable the subscription first: a disabled one is not sent to.")
    now = timezone.now()
    with transaction.atomic():
        EventDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, due_at=now, failures=0, replayed_at=now
        )
        enqueue_after_commit(DELIVER_EVENT, delivery.pk)
        audit_record(
            actor=actor,
            action="webhook.replay",
            summary=f"Event {delivery.event_id} replayed to {delivery.subscription.url}.",
            target=delivery,
            via=via,
        )
    delivery.refresh_from_db()
    return delivery


def event_replay(*, event: OutboundEvent, actor=None, via: str = CONSOLE) -> list[EventDelivery]:
    """Send the event again to every active subscription of its merchant that wants it,
    including ones created after it happened."""
    now = timezone.now()
    with transaction.atomic():
        subscriptions = [
            s
            for s in EventSubscription.objects.filter(merchant_id=event.merchant_id, active=True)
            if s.wants(event.kind)
        ]
        if not subscriptions:
            raise ValidationError(
                "No active subscription of this merchant takes this kind of event."
            )
        deliveries = []
        for subscription in subscriptions:
            delivery, created = EventDelivery.objects.get_or_create(
                event=event, subscription=subscription, defaults={"due_at": now}
            )
            if not created:
                EventDelivery.objects.filter(pk=delivery.pk).update(
                    status=DeliveryStatus.PENDING, due_at=now, failures=0, replayed_at=now
                )
            enqueue_after_commit(DELIVER_EVENT, delivery.pk)
            deliveries.append(delivery)
        audit_record(
            actor=actor,
            action="webhook.replay",
            summary=f"Event {event.id} ({event.kind}) replayed to "
            f"{len(deliveries)} subscription{'s' if len(deliveries) != 1 else ''}.",
            store=event.store,
            target=event,
            via=via,
        )
    return deliveries

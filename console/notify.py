"""Alert emails, batched (``alert_emails_send``, run every minute by beat).

New alerts (``notified_at`` empty) and closed ones not yet reported closed wait until the oldest
of them is ``CONNECTOR_ALERT_EMAIL_BATCH_SECONDS`` old — or a critical one is a minute old — so
a burst of failures makes one email, not one per alert. Then each recipient group gets one
email: 3PL staff (and ``CONNECTOR_ALERT_RECIPIENTS``) every alert; each merchant's users only
their own stores' alerts.

Alerts are marked only after every email went out: a failed send is logged and the same batch
is tried again next minute, so nothing is lost (a group whose email did go out may get it
twice). An alert that opened and closed before any email mentioned it is marked without being
sent: nobody needs to hear about a problem that has already gone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from stores.models import Role

from .models import Alert, AlertSeverity

logger = logging.getLogger("connector.console")

CRITICAL_WAIT = dt.timedelta(seconds=60)
SUBJECT_PREFIX = "[Acumatica connector]"


@dataclass
class Batch:
    opened: list[Alert]
    closed: list[Alert]

    def __bool__(self) -> bool:
        return bool(self.opened or self.closed)


def alert_emails_send(*, now: dt.datetime | None = None) -> int:
    """Send the pending alerts if their batch is due; returns how many emails went out."""
    now = now or timezone.now()
    # Opened and closed again before anyone was told: nothing to say.
    Alert.objects.filter(notified_at__isnull=True, closed_at__isnull=False).update(
        notified_at=now, closed_notified_at=now
    )
    batch = Batch(
        opened=list(
            Alert.objects.filter(notified_at__isnull=True, closed_at__isnull=True)
            .select_related("store", "store__merchant")
            .order_by("opened_at", "id")
        ),
        closed=list(
            Alert.objects.filter(
                closed_at__isnull=False, closed_notified_at__isnull=True, notified_at__isnull=False
            )
            .select_related("store", "store__merchant")
            .order_by("closed_at", "id")
        ),
    )
    if not batch or not _due(batch, now):
        return 0

    messages = [
        _message(recipients, part) for recipients, part in _groups(batch) if recipients and part
    ]
    if messages:
        try:
            with get_connection(fail_silently=False) as connection:
                connection.send_messages(messages)
        except Exception:
            logger.exception("alert emails could not be sent; trying again next time")
            return 0
    else:
        logger.warning("alert emails: nobody to send them to (set CONNECTOR_ALERT_RECIPIENTS)")
    Alert.objects.filter(pk__in=[a.pk for a in batch.opened]).update(notified_at=now)
    Alert.objects.filter(pk__in=[a.pk for a in batch.closed]).update(closed_notified_at=now)
    return len(messages)


def _due(batch: Batch, now: dt.datetime) -> bool:
    waited = dt.timedelta(seconds=settings.CONNECTOR_ALERT_EMAIL_BATCH_SECONDS)
    pending = [(a.opened_at, a.severity) for a in batch.opened]
    pending += [(a.closed_at, a.severity) for a in batch.closed]
    if now - min(at for at, _ in pending) >= waited:
        return True
    return any(
        severity == AlertSeverity.CRITICAL and now - at >= CRITICAL_WAIT for at, severity in pending
    )


def _groups(batch: Batch) -> list[tuple[list[str], Batch]]:
    """(recipients, the part of the batch they may see): staff first, then one per merchant."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    staff = users.filter(
        Q(is_superuser=True)
        | Q(connector_profile__role__in=(Role.THREEPL_ADMIN, Role.THREEPL_OPERATOR))
    )
    staff_emails = sorted(
        {*settings.CONNECTOR_ALERT_RECIPIENTS, *staff.values_list("email", flat=True)}
    )
    groups = [(staff_emails, batch)]

    merchant_emails: dict[int, set[str]] = defaultdict(set)
    for merchant_id, email in users.filter(
        is_superuser=False, connector_profile__role=Role.MERCHANT_USER
    ).values_list("connector_profile__merchant_id", "email"):
        merchant_emails[merchant_id].add(email)
    for merchant_id, emails in sorted(merchant_emails.items()):
        groups.append(
            (
                sorted(emails - set(staff_emails)),
                Batch(
                    opened=[a for a in batch.opened if _merchant_of(a) == merchant_id],
                    closed=[a for a in batch.closed if _merchant_of(a) == merchant_id],
                ),
            )
        )
    return groups


def _merchant_of(alert: Alert) -> int | None:
    return alert.store.merchant_id if alert.store_id else None


def _message(recipients: list[str], batch: Batch) -> EmailMessage:
    return EmailMessage(
        subject=alert_email_subject(batch),
        body=alert_email_body(batch),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def alert_email_subject(batch: Batch) -> str:
    parts = []
    if batch.opened:
        parts.append(f"{_plural(len(batch.opened), 'new alert')}")
    if batch.closed:
        parts.append(f"{len(batch.closed)} resolved")
    return f"{SUBJECT_PREFIX} {', '.join(parts)}"


def alert_email_body(batch: Batch) -> str:
    base = settings.CONNECTOR_BASE_URL.rstrip("/")
    lines: list[str] = []
    if batch.opened:
        lines.append(f"New alerts ({len(batch.opened)})")
        lines.append("")
        for alert in batch.opened:
            lines += _alert_lines(alert)
            lines.append(f"  Since: {alert.opened_at:%Y-%m-%d %H:%M %Z}")
            if alert.occurrences > 1:
                lines.append(f"  Seen: {alert.occurrences} times")
            if alert.detail:
                lines += [f"  {line}" for line in alert.detail.splitlines()]
            if alert.action_hint:
                lines.append(f"  What to do: {alert.action_hint}")
            lines.append(f"  {base}{reverse('console:alert_detail', args=[alert.pk])}")
            lines.append("")
    if batch.closed:
        lines.append(f"Resolved ({len(batch.closed)})")
        lines.append("")
        for alert in batch.closed:
            lines += _alert_lines(alert)
            lines.append(
                f"  From {alert.opened_at:%Y-%m-%d %H:%M} to {alert.closed_at:%Y-%m-%d %H:%M %Z}"
                f": {alert.close_reason}"
            )
            lines.append(f"  {base}{reverse('console:alert_detail', args=[alert.pk])}")
            lines.append("")
    lines.append(f"All open alerts: {base}{reverse('console:alert_list')}")
    return "\n".join(lines)


def _alert_lines(alert: Alert) -> list[str]:
    where = (
        f"{alert.store.name} ({alert.store.merchant.name})" if alert.store_id else "Service-wide"
    )
    severity = " [CRITICAL]" if alert.severity == AlertSeverity.CRITICAL else ""
    return [f"-{severity} {where}: {alert.get_cause_display()} — {alert.title}"]

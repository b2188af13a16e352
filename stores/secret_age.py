"""How old a store's secrets are, and the reminder when one is older than
``CONNECTOR_SECRET_MAX_AGE_DAYS``: once per time it crosses that age (entering a new secret
starts its age again), by email to 3PL staff, ``CONNECTOR_ALERT_RECIPIENTS`` and the store's
merchant users, and audited. Only the timestamps are read; nothing is decrypted."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from .audit import audit_record
from .models import AuditEntry, Role, StoreConnection, StoreSecrets

logger = logging.getLogger("connector.stores")

AGED_SECRETS = {"client_secret": "Client Secret", "password": "Password"}
SUBJECT_PREFIX = "[Acumatica connector]"


@dataclass(frozen=True)
class SecretAge:
    name: str
    label: str
    set_at: dt.datetime | None
    days: int | None
    too_old: bool


def _max_age() -> dt.timedelta | None:
    days = settings.CONNECTOR_SECRET_MAX_AGE_DAYS
    return dt.timedelta(days=days) if days > 0 else None


def store_secret_ages(
    *, store: StoreConnection, now: dt.datetime | None = None
) -> dict[str, SecretAge]:
    """For each stored secret: when it was entered and whether that is past the maximum age
    (a secret stored before this was recorded has no date)."""
    now = now or timezone.now()
    max_age = _max_age()
    secrets = StoreSecrets.objects.filter(store=store).first()
    ages = {}
    for name, label in AGED_SECRETS.items():
        if secrets is None or not getattr(secrets, name):
            continue
        set_at = getattr(secrets, f"{name}_set_at")
        age = now - set_at if set_at else None
        ages[name] = SecretAge(
            name=name,
            label=label,
            set_at=set_at,
            days=age.days if age is not None else None,
            too_old=bool(max_age and age is not None and age >= max_age),
        )
    return ages


def _due(name: str, cutoff: dt.datetime) -> Q:
    """Set before the cutoff and not reminded since it was set."""
    set_at, reminded_at = f"{name}_set_at", f"{name}_reminded_at"
    return (
        ~Q(**{name: ""})
        & Q(**{f"{set_at}__lte": cutoff})
        & (Q(**{f"{reminded_at}__isnull": True}) | Q(**{f"{reminded_at}__lt": F(set_at)}))
    )


def _is_due(secrets: StoreSecrets, name: str) -> bool:
    """``_due`` on a row in hand."""
    set_at, reminded_at = (
        getattr(secrets, f"{name}_set_at"),
        getattr(secrets, f"{name}_reminded_at"),
    )
    return bool(getattr(secrets, name) and set_at and (reminded_at is None or reminded_at < set_at))


def _recipients(store: StoreConnection) -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    chosen = users.filter(
        Q(is_superuser=True)
        | Q(connector_profile__role__in=(Role.THREEPL_ADMIN, Role.THREEPL_OPERATOR))
        | Q(connector_profile__role=Role.MERCHANT_USER, connector_profile__merchant=store.merchant)
    )
    return sorted({*settings.CONNECTOR_ALERT_RECIPIENTS, *chosen.values_list("email", flat=True)})


def _message(store: StoreConnection, aged: list[SecretAge], to: list[str]) -> EmailMessage:
    max_days = settings.CONNECTOR_SECRET_MAX_AGE_DAYS
    url = settings.CONNECTOR_BASE_URL.rstrip("/") + reverse("stores:edit", args=[store.pk])
    lines = [f"{store} has secrets older than {max_days} days:", ""]
    lines += [f"- {a.label}: set {a.set_at:%Y-%m-%d}, {a.days} days ago" for a in aged]
    lines += [
        "",
        "Acumatica's shared secrets can expire (Connected Applications, SM303010, Secrets tab) "
        "and passwords may have to change: when one does, imports and write-backs stop with a "
        "sign-in error. Add a new secret or set a new password in Acumatica, then enter it on "
        "the store's settings page:",
        url,
        "",
        "This is the only reminder until the secret is changed.",
    ]
    return EmailMessage(
        subject=f"{SUBJECT_PREFIX} {store}: secrets older than {max_days} days",
        body="\n".join(lines),
        to=to,
    )


def secret_age_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Email one reminder per store whose secrets crossed the maximum age since they were
    set; returns how many stores were reminded. A failed send marks nothing, so the next
    run tries again."""
    max_age = _max_age()
    if max_age is None:
        return 0
    now = now or timezone.now()
    cutoff = now - max_age
    due = Q()
    for name in AGED_SECRETS:
        due |= _due(name, cutoff)
    reminded = 0
    for secrets in StoreSecrets.objects.filter(due).select_related("store__merchant"):
        store = secrets.store
        ages = store_secret_ages(store=store, now=now)
        aged = [
            ages[name]
            for name in AGED_SECRETS
            if name in ages and ages[name].too_old and _is_due(secrets, name)
        ]
        if not aged:
            continue
        recipients = _recipients(store)
        if recipients:
            try:
                with get_connection(fail_silently=False) as connection:
                    connection.send_messages([_message(store, aged, recipients)])
            except Exception:
                logger.exception("secret age reminder for store %s could not be sent", store.pk)
                continue
        else:
            logger.warning(
                "store %s has old secrets and nobody to remind (set CONNECTOR_ALERT_RECIPIENTS)",
                store.pk,
            )
        StoreSecrets.objects.filter(pk=secrets.pk).update(
            **{f"{age.name}_reminded_at": now for age in aged}
        )
        audit_record(
            actor=None,
            action="store.secret_reminder",
            summary=(
                "Reminded "
                + (", ".join(recipients) if recipients else "nobody (no recipients)")
                + ": "
                + "; ".join(f"{a.label} set {a.days} days ago" for a in aged)
                + "."
            )[:500],
            store=store,
            target=store,
            after={f"{a.name}_set_at": a.set_at.isoformat() for a in aged},
            via=AuditEntry.Via.SYSTEM,
        )
        reminded += 1
    return reminded

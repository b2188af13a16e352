"""Reads for the console: the alerts a user may see, what lies behind an alert, every store's
health for the dashboard, the hourly activity its chart draws, and the audit log's filters and
links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncHour
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from fulfillment.models import (
    Fulfillment,
    FulfillmentStatus,
    ImportRun,
    ImportRunStatus,
    Order,
    WriteBackAttempt,
)
from stores.access import merchant_ids_for, stores_for
from stores.models import AuditEntry

from .causes import IMPORT_CAUSES, WRITEBACK_CAUSES
from .health import StoreHealth, store_health_for
from .models import Alert, AlertCause


def alerts_for(user) -> QuerySet[Alert]:
    """All alerts for 3PL staff; a merchant user sees only their stores' alerts, never the
    service-wide ones (store is null)."""
    ids = merchant_ids_for(user)
    alerts = Alert.objects.select_related("store", "store__merchant")
    return alerts if ids is None else alerts.filter(store__merchant_id__in=ids)


def open_alerts_for(user) -> QuerySet[Alert]:
    """The user's open alerts, critical first, then the most recently seen."""
    return (
        alerts_for(user).filter(closed_at__isnull=True).order_by("severity", "-last_seen_at", "-id")
    )


def alerts_listed(user, *, state: str, store=None) -> QuerySet[Alert]:
    """The alerts page's rows: ``state`` "open", "closed" (latest closed first) or anything
    else for all; of ``store`` only when one is given (already checked to be the user's)."""
    alerts = alerts_for(user)
    if state == "open":
        alerts = alerts.filter(closed_at__isnull=True)
    elif state == "closed":
        alerts = alerts.filter(closed_at__isnull=False).order_by("-closed_at", "-id")
    return alerts if store is None else alerts.filter(store=store)


def alert_for(user, alert_id) -> Alert:
    try:
        return alerts_for(user).get(pk=alert_id)
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise Http404("No such alert.") from None


def alert_related_runs(alert: Alert, *, limit: int = 10) -> list[ImportRun]:
    """The store's latest import runs that ended with an error or with failed orders."""
    if alert.store_id is None or alert.cause not in IMPORT_CAUSES:
        return []
    return list(
        ImportRun.objects.filter(store_id=alert.store_id, finished_at__isnull=False)
        .filter(~Q(error="") | Q(failed__gt=0))
        .defer("skipped_reasons")
        .order_by("-started_at", "-id")[:limit]
    )


def alert_related_fulfillments(alert: Alert, *, limit: int = 20) -> list[Fulfillment]:
    """The fulfillments behind a write-back alert, newest first."""
    if alert.store_id is None or alert.cause not in WRITEBACK_CAUSES:
        return []
    by_cause = {
        AlertCause.WRITEBACK_RETRYING: Q(
            status__in=(FulfillmentStatus.PENDING, FulfillmentStatus.WRITING), attempts__gt=0
        )
        & ~Q(last_error=""),
        AlertCause.WRITEBACK_FAILED: Q(status=FulfillmentStatus.FAILED),
        AlertCause.WRITEBACK_HELD: Q(status=FulfillmentStatus.HELD),
    }
    return list(
        Fulfillment.objects.filter(by_cause[alert.cause], store_id=alert.store_id)
        .select_related("order")
        .order_by("-updated_at", "-id")[:limit]
    )


def store_healths_for(user, *, now: dt.datetime) -> list[StoreHealth]:
    """The health of every store the user may see, by merchant and store name."""
    return store_health_for(stores_for(user).order_by("merchant__name", "name"), now=now)


@dataclass
class HourlyActivity:
    hours: list[dt.datetime]  # start of each hour, UTC, oldest first
    imported: list[int]
    errors: list[int]


def hourly_activity(*, store_ids, now: dt.datetime, hours: int = 24) -> HourlyActivity:
    """Orders imported and errors per hour over the last ``hours`` hours (the current hour
    included), counted by the database.

    Errors = import runs that failed + orders an import could not read (a run's ``failed``) +
    write-back attempts that failed or will retry. Failed Acumatica calls are not added: each
    one is already behind a failed run or attempt, and counting both would double it.
    """
    utc = dt.UTC
    current = now.astimezone(utc).replace(minute=0, second=0, microsecond=0)
    slots = [current - dt.timedelta(hours=n) for n in range(hours - 1, -1, -1)]
    start = slots[0]
    index = {slot: i for i, slot in enumerate(slots)}
    imported = [0] * hours
    errors = [0] * hours

    def add(into: list[int], rows) -> None:
        for row in rows:
            slot = row["hour"].astimezone(utc) if row["hour"] else None
            if slot in index:
                into[index[slot]] += row["n"] or 0

    hour = lambda name: TruncHour(name, tzinfo=utc)  # noqa: E731
    add(
        imported,
        Order.objects.filter(store_id__in=store_ids, imported_at__gte=start)
        .annotate(hour=hour("imported_at"))
        .values("hour")
        .annotate(n=Count("id"))
        .order_by(),
    )
    runs = ImportRun.objects.filter(store_id__in=store_ids, started_at__gte=start)
    add(
        errors,
        runs.filter(status=ImportRunStatus.FAILED)
        .annotate(hour=hour("started_at"))
        .values("hour")
        .annotate(n=Count("id"))
        .order_by(),
    )
    add(
        errors,
        runs.filter(failed__gt=0)
        .annotate(hour=hour("started_at"))
        .values("hour")
        .annotate(n=Sum("failed"))
        .order_by(),
    )
    add(
        errors,
        WriteBackAttempt.objects.filter(
            fulfillment__store_id__in=store_ids,
            started_at__gte=start,
            outcome__in=(WriteBackAttempt.Outcome.FAILED, WriteBackAttempt.Outcome.RETRY),
        )
        .annotate(hour=hour("started_at"))
        .values("hour")
        .annotate(n=Count("id"))
        .order_by(),
    )
    return HourlyActivity(hours=slots, imported=imported, errors=errors)


# --- The audit log ------------------------------------------------------------------------------


def audit_actions(entries: QuerySet[AuditEntry]) -> list[str]:
    """The actions that occur in ``entries``, sorted: what the log can be filtered by."""
    return sorted(set(entries.order_by().values_list("action", flat=True).distinct()))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries_filtered(entries: QuerySet[AuditEntry], *, filters: dict) -> QuerySet[AuditEntry]:
    """``entries`` narrowed by the audit filter form's cleaned values (a missing or empty one
    does not filter): store, action (a prefix: "store." is every store action), actor, the days
    from and to (both included) and a text in the summary or target."""
    if filters.get("store"):
        entries = entries.filter(store_id=filters["store"])
    if filters.get("action"):
        entries = entries.filter(action__startswith=filters["action"])
    if filters.get("actor"):
        entries = entries.filter(actor_label__icontains=filters["actor"].strip())
    if filters.get("date_from"):
        entries = entries.filter(at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        entries = entries.filter(at__lt=_day_start(filters["date_to"] + dt.timedelta(days=1)))
    if filters.get("q"):
        text = filters["q"].strip()
        entries = entries.filter(Q(summary__icontains=text) | Q(target_label__icontains=text))
    return entries


def audit_target_urls(entries: list[AuditEntry]) -> dict[int, str]:
    """Where each entry's target lives in the console (fulfillments open their order's page)."""
    fulfillment_ids = {
        int(e.target_id)
        for e in entries
        if e.target_type == "fulfillment" and e.target_id.isdigit()
    }
    order_of_fulfillment = dict(
        Fulfillment.objects.filter(pk__in=fulfillment_ids).values_list("pk", "order_id")
    )
    urls = {}
    for entry in entries:
        if not entry.target_id.isdigit():
            continue
        target_id = int(entry.target_id)
        if entry.target_type == "order":
            urls[entry.pk] = reverse("fulfillment:order_detail", args=[target_id])
        elif entry.target_type == "storeconnection":
            urls[entry.pk] = reverse("stores:detail", args=[target_id])
        elif entry.target_type == "fulfillment" and target_id in order_of_fulfillment:
            order_id = order_of_fulfillment[target_id]
            urls[entry.pk] = reverse("fulfillment:order_detail", args=[order_id])
    return urls

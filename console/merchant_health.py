"""A merchant's health page, read-only: per store the dashboard's health (``console.health``,
its rules unchanged), the newest order's age, open alerts, the write-back backlog, licence use
and the last reconciliation; and one flag for the merchant, the worst of its stores'."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.http import Http404

from fulfillment.models import Order
from stores.access import merchant_ids_for, merchants_for
from stores.models import Merchant, StoreConnection

from .health import HealthState, StoreHealth, store_health_for
from .models import Alert, AlertSeverity
from .reconciliation.models import ReconciliationReport
from .reconciliation.selectors import latest_reports_by_store

# Worst first: the merchant's flag is the first of these any of its stores has.
_RANK = (
    HealthState.NEEDS_ATTENTION,
    HealthState.FAILING,
    HealthState.THROTTLED,
    HealthState.CONNECTED,
    HealthState.PAUSED,
    HealthState.DRAFT,
)


@dataclass
class StoreHealthRow:
    health: StoreHealth
    newest_order_at: dt.datetime | None = None
    newest_order_age: dt.timedelta | None = None
    open_alerts: int = 0
    critical_alerts: int = 0
    last_reconciliation: ReconciliationReport | None = None

    @property
    def store(self) -> StoreConnection:
        return self.health.store

    @property
    def writeback_backlog(self) -> int:
        h = self.health
        return h.writebacks_pending + h.writebacks_held + h.writebacks_failed


@dataclass
class MerchantHealth:
    merchant: Merchant
    rows: list[StoreHealthRow] = field(default_factory=list)

    @property
    def state(self) -> str:
        states = {row.health.state for row in self.rows}
        return next((s for s in _RANK if s in states), HealthState.CONNECTED)

    @property
    def state_label(self) -> str:
        if not self.rows:
            return "No store"
        label = HealthState.LABELS[self.state]
        if self.state == HealthState.CONNECTED and any(r.health.behind for r in self.rows):
            return f"{label}, imports behind"
        return label


def merchant_for_health(user, merchant_id) -> Merchant | None:
    """The merchant whose page to show: a merchant user's own (asking for another is a 404);
    for 3PL staff the one they picked, None before they pick."""
    own = merchant_ids_for(user)
    if own is not None:
        if merchant_id not in (None, "") and str(merchant_id) not in {str(i) for i in own}:
            raise Http404("No such merchant.")
        return merchants_for(user).first()
    if merchant_id in (None, ""):
        return None
    try:
        return merchants_for(user).get(pk=merchant_id)
    except (Merchant.DoesNotExist, ValueError, TypeError):
        raise Http404("No such merchant.") from None


def merchant_health_for(merchant: Merchant, *, now: dt.datetime) -> MerchantHealth:
    stores = StoreConnection.objects.filter(merchant=merchant).select_related("merchant")
    healths = store_health_for(stores.order_by("name"), now=now)
    ids = [h.store.pk for h in healths]
    newest = dict(
        Order.objects.filter(store_id__in=ids)
        .values("store_id")
        .annotate(newest=Max("imported_at"))
        .values_list("store_id", "newest")
    )
    alerts = {
        row["store_id"]: row
        for row in Alert.objects.filter(store_id__in=ids, closed_at__isnull=True)
        .values("store_id")
        .annotate(
            n=Count("id"),
            critical=Count("id", filter=Q(severity=AlertSeverity.CRITICAL)),
        )
        .order_by()
    }
    reports = latest_reports_by_store(ids)
    rows = []
    for h in healths:
        at = newest.get(h.store.pk)
        counted = alerts.get(h.store.pk, {})
        rows.append(
            StoreHealthRow(
                health=h,
                newest_order_at=at,
                newest_order_age=max(dt.timedelta(0), now - at) if at else None,
                open_alerts=counted.get("n", 0),
                critical_alerts=counted.get("critical", 0),
                last_reconciliation=reports.get(h.store.pk),
            )
        )
    return MerchantHealth(merchant=merchant, rows=rows)

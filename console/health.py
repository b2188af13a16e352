"""How each store is doing, read from what the jobs left behind: import runs and state, orders,
fulfillments and the ledger of Acumatica calls. Nothing here writes.

``store_health_for`` answers for a whole list of stores with a fixed number of grouped queries
(about ten, whatever the number of stores), so the dashboard and the alert evaluator stay cheap
with a hundred stores.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import TruncMinute

from fulfillment.models import (
    Fulfillment,
    FulfillmentStatus,
    ImportRun,
    ImportRunStatus,
    ImportState,
    Order,
    OrderStatus,
)
from fulfillment.push.selectors import last_push_received
from stores.models import AcumaticaCall, StoreConnection, StoreSecrets, StoreStatus

from .causes import THROTTLED_RECENTLY

CALL_WINDOW = dt.timedelta(hours=1)
THROTTLE_WINDOW = dt.timedelta(minutes=15)
# Words in a run's error_cause that mean Acumatica (or our own limiter) throttled us.
THROTTLE_CAUSES = ("Throttled", "CircuitOpen", "RateLimited", "HTTP 429")


class HealthState:
    CONNECTED = "connected"
    NEEDS_ATTENTION = "needs_attention"
    FAILING = "failing"
    THROTTLED = "throttled"
    PAUSED = "paused"
    DRAFT = "draft"

    LABELS = {
        CONNECTED: "Connected",
        NEEDS_ATTENTION: "Needs attention",
        FAILING: "Failing",
        THROTTLED: "Throttled",
        PAUSED: "Paused",
        DRAFT: "Draft",
    }


@dataclass
class ImportStreak:
    """The failed (or partial with an error) runs since the store's last successful import."""

    count: int = 0
    first_started_at: dt.datetime | None = None


@dataclass
class StoreHealth:
    store: StoreConnection
    state: str = HealthState.CONNECTED
    reason: str = ""
    since: dt.datetime | None = None

    last_succeeded_at: dt.datetime | None = None
    lag: dt.timedelta | None = None
    behind: bool = False
    running_run_id: int | None = None
    running_started_at: dt.datetime | None = None
    latest_run: ImportRun | None = None
    failure_streak: ImportStreak = field(default_factory=ImportStreak)

    orders_waiting: int = 0
    orders_error: int = 0
    orders_skipped: int = 0

    writebacks_pending: int = 0
    writebacks_retrying: int = 0
    writebacks_held: int = 0
    writebacks_failed: int = 0
    writebacks_failing_since: dt.datetime | None = None

    requests_last_hour: int = 0
    errors_last_hour: int = 0
    throttled_last_hour: int = 0
    throttled_recently: int = 0
    peak_per_minute: int = 0

    # Our own OAuth session with the instance: Acumatica keeps the session of an OAuth grant
    # open while its access token lives, so a token that has not expired counts as one held
    # API-user session (1), otherwise none (0). Read from the expiry column alone: nothing is
    # decrypted. Other programs' sessions on the same licence are not visible to us.
    open_sessions: int = 0

    # Push notifications: whether the store has a webhook, and when Acumatica last used it.
    push_configured: bool = False
    last_push_at: dt.datetime | None = None

    @property
    def state_label(self) -> str:
        return HealthState.LABELS[self.state]

    @property
    def lag_minutes(self) -> int | None:
        return None if self.lag is None else int(self.lag.total_seconds() // 60)

    @property
    def licence_requests_per_minute(self) -> int | None:
        return self.store.licence_requests_per_minute

    @property
    def licence_api_users(self) -> int | None:
        return self.store.licence_api_users

    @property
    def over_request_licence(self) -> bool:
        limit = self.store.licence_requests_per_minute
        return bool(limit) and self.peak_per_minute >= limit

    @property
    def import_failing(self) -> bool:
        run = self.latest_run
        return bool(
            run
            and run.status in (ImportRunStatus.FAILED, ImportRunStatus.PARTIAL)
            and run.error
            and self.failure_streak.count
        )

    @property
    def import_throttled(self) -> bool:
        return self.import_failing and any(
            w in self.latest_run.error_cause for w in THROTTLE_CAUSES
        )


def is_behind(store: StoreConnection, lag: dt.timedelta | None, *, factor: int, slack_minutes: int):
    interval = dt.timedelta(minutes=max(1, store.import_interval_minutes or 5))
    return lag is not None and lag > factor * interval + dt.timedelta(minutes=slack_minutes)


def store_health_for(stores: Iterable[StoreConnection], *, now: dt.datetime) -> list[StoreHealth]:
    """Health of each store, in the order given."""
    stores = list(stores)
    health = {s.pk: StoreHealth(store=s) for s in stores}
    if not health:
        return []
    ids = list(health)
    _add_imports(health, ids, now)
    _add_orders(health, ids)
    _add_fulfillments(health, ids)
    _add_calls(health, ids, now)
    for store_id in StoreSecrets.objects.filter(
        store_id__in=ids, access_token_expires_at__gt=now
    ).values_list("store_id", flat=True):
        health[store_id].open_sessions = 1
    for store_id, received_at in last_push_received(ids).items():
        health[store_id].push_configured = True
        health[store_id].last_push_at = received_at
    for h in health.values():
        _decide_state(h, now)
    return [health[s.pk] for s in stores]


def _add_imports(health: dict[int, StoreHealth], ids: list[int], now: dt.datetime) -> None:
    for state in ImportState.objects.filter(store_id__in=ids).only("store_id", "last_succeeded_at"):
        h = health[state.store_id]
        h.last_succeeded_at = state.last_succeeded_at
        if state.last_succeeded_at:
            h.lag = max(dt.timedelta(0), now - state.last_succeeded_at)
    for run in (
        ImportRun.objects.filter(store_id__in=ids, status=ImportRunStatus.RUNNING)
        .order_by("started_at")
        .values("store_id", "id", "started_at")
    ):
        h = health[run["store_id"]]
        h.running_run_id, h.running_started_at = run["id"], run["started_at"]
    latest_ids = (
        ImportRun.objects.filter(store_id__in=ids, finished_at__isnull=False)
        .values("store_id")
        .annotate(latest=Max("id"))
        .values_list("latest", flat=True)
    )
    for run in ImportRun.objects.filter(id__in=list(latest_ids)).defer("skipped_reasons"):
        health[run.store_id].latest_run = run
    # The current failure streak: runs that ended with an error after the last success.
    streaks = (
        ImportRun.objects.filter(store_id__in=ids, finished_at__isnull=False)
        .exclude(error="")
        .filter(
            Q(store__import_state__last_succeeded_at__isnull=True)
            | Q(finished_at__gt=F("store__import_state__last_succeeded_at"))
        )
        .values("store_id")
        .annotate(n=Count("id"), first=Min("started_at"))
    )
    for row in streaks:
        health[row["store_id"]].failure_streak = ImportStreak(row["n"], row["first"])


def _add_orders(health: dict[int, StoreHealth], ids: list[int]) -> None:
    counted = (OrderStatus.READY, OrderStatus.ACKNOWLEDGED, OrderStatus.ERROR, OrderStatus.SKIPPED)
    rows = (
        Order.objects.filter(store_id__in=ids, status__in=counted)
        .values("store_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        h = health[row["store_id"]]
        if row["status"] in (OrderStatus.READY, OrderStatus.ACKNOWLEDGED):
            h.orders_waiting += row["n"]
        elif row["status"] == OrderStatus.ERROR:
            h.orders_error = row["n"]
        else:
            h.orders_skipped = row["n"]


def _add_fulfillments(health: dict[int, StoreHealth], ids: list[int]) -> None:
    rows = (
        Fulfillment.objects.filter(
            store_id__in=ids,
            status__in=(
                FulfillmentStatus.PENDING,
                FulfillmentStatus.WRITING,
                FulfillmentStatus.HELD,
                FulfillmentStatus.FAILED,
            ),
        )
        .values("store_id", "status")
        .annotate(
            n=Count("id"),
            retrying=Count("id", filter=Q(attempts__gt=0) & ~Q(last_error="")),
            since=Min("updated_at"),
        )
        .order_by()
    )
    for row in rows:
        h = health[row["store_id"]]
        status = row["status"]
        if status in (FulfillmentStatus.PENDING, FulfillmentStatus.WRITING):
            h.writebacks_pending += row["n"]
            h.writebacks_retrying += row["retrying"]
        elif status == FulfillmentStatus.HELD:
            h.writebacks_held = row["n"]
        else:
            h.writebacks_failed = row["n"]
        if status == FulfillmentStatus.FAILED or row["retrying"]:
            since = h.writebacks_failing_since
            h.writebacks_failing_since = min(since, row["since"]) if since else row["since"]


def _add_calls(health: dict[int, StoreHealth], ids: list[int], now: dt.datetime) -> None:
    since = now - CALL_WINDOW
    calls = AcumaticaCall.objects.filter(store_id__in=ids, at__gte=since, at__lte=now)
    rows = (
        calls.values("store_id")
        .annotate(
            n=Count("id"),
            errors=Count("id", filter=Q(status__isnull=True) | Q(status__gte=400)),
            throttled=Count("id", filter=Q(status=429)),
            recent=Count("id", filter=Q(status=429, at__gte=now - THROTTLE_WINDOW)),
        )
        .order_by()
    )
    for row in rows:
        h = health[row["store_id"]]
        h.requests_last_hour = row["n"]
        h.errors_last_hour = row["errors"]
        h.throttled_last_hour = row["throttled"]
        h.throttled_recently = row["recent"]
    peaks: dict[int, int] = defaultdict(int)
    per_minute = (
        calls.annotate(minute=TruncMinute("at"))
        .values("store_id", "minute")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in per_minute:
        peaks[row["store_id"]] = max(peaks[row["store_id"]], row["n"])
    for store_id, peak in peaks.items():
        health[store_id].peak_per_minute = peak


def _decide_state(h: StoreHealth, now: dt.datetime) -> None:
    store = h.store
    h.behind = store.status == StoreStatus.ACTIVE and is_behind(
        store, h.lag, factor=2, slack_minutes=5
    )
    if store.status == StoreStatus.DRAFT:
        h.state, h.reason, h.since = HealthState.DRAFT, "Not activated yet.", store.status_since
    elif store.status == StoreStatus.PAUSED:
        h.state, h.reason, h.since = HealthState.PAUSED, store.status_reason, store.status_since
    elif store.status == StoreStatus.NEEDS_ATTENTION:
        h.state, h.reason = HealthState.NEEDS_ATTENTION, store.status_reason
        h.since = store.status_since
    elif h.import_throttled or h.throttled_recently:
        h.state = HealthState.THROTTLED
        if h.import_throttled:
            h.reason = h.latest_run.error
            h.since = h.failure_streak.first_started_at
        else:
            h.reason = THROTTLED_RECENTLY.format(count=h.throttled_recently)
            h.since = now - THROTTLE_WINDOW
    elif h.import_failing:
        h.state, h.reason = HealthState.FAILING, h.latest_run.error
        h.since = h.failure_streak.first_started_at
    elif h.writebacks_failed or h.writebacks_retrying:
        h.state = HealthState.FAILING
        h.reason = ", ".join(
            part
            for part in (
                f"{h.writebacks_failed} write-backs failed" if h.writebacks_failed else "",
                f"{h.writebacks_retrying} write-backs retrying after errors"
                if h.writebacks_retrying
                else "",
            )
            if part
        )
        h.since = h.writebacks_failing_since
    else:
        h.state = HealthState.CONNECTED
        h.reason = "" if h.last_succeeded_at else "No import has finished yet."
        h.since = store.status_since

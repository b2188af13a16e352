"""Opening, refreshing and closing alerts from the current state (``alerts_evaluate``).

The evaluator does not count events: each run works out which causes hold *now* (from
``console.health`` and a few detail reads for the stores that have a problem) and reconciles
them with the open ``Alert`` rows — one per store and cause. A cause that holds and has no open
alert opens one; one that still holds refreshes its alert (detail, occurrences, last seen); an
open alert whose cause is gone is closed with the reason. Running it twice, or two evaluators at
once, gives the same rows: the partial unique constraint refuses a second open alert and the
loser re-reads the winner's.

Which causes, and why some hide others:

* a store that needs attention gets STORE_NEEDS_ATTENTION only, plus its write-back causes:
  its imports stop until a person fixes it, so import alerts would only repeat the same thing;
* an import failing because of throttling is THROTTLED, not IMPORT_FAILING as well;
* IMPORT_LAGGING is for a store whose imports are late without failing (scheduler, stuck
  worker); a failing store is late as a consequence and its IMPORT_FAILING alert says why.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from connector.models import Heartbeat
from fulfillment.events.selectors import subscriptions_disabled_by_failures
from fulfillment.models import Fulfillment, FulfillmentStatus
from stores.models import StoreConnection, StoreStatus

from .causes import (
    ACTION_HINTS,
    HELD_FOR_CARRIER_HINT,
    THROTTLED_RECENTLY,
    AlertCause,
    cause_close_reason,
    cause_title,
)
from .health import StoreHealth, is_behind, store_health_for
from .models import Alert, AlertSeverity
from .ops import SCHEDULER_COMPONENT

logger = logging.getLogger("connector.console")

RECORD_FAILURES_LISTED = 5


@dataclass
class CurrentCause:
    """A cause that holds now; its title and what to do come from ``console.causes``."""

    store: StoreConnection | None
    cause: str
    detail: str = ""
    severity: str = AlertSeverity.WARNING
    action_url: str = ""
    occurrences: int = 1
    # Fills the title's {count}.
    count: int = 0
    # Said instead of the cause's own action hint.
    hint: str = ""

    @property
    def key(self) -> tuple[int | None, str]:
        return (self.store.pk if self.store else None, self.cause)

    @property
    def title(self) -> str:
        return cause_title(self.cause, self.store, count=self.count)

    @property
    def action_hint(self) -> str:
        return self.hint or ACTION_HINTS[self.cause]


@dataclass
class EvaluationResult:
    opened: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)


def alerts_evaluate(*, now: dt.datetime | None = None) -> EvaluationResult:
    now = now or timezone.now()
    stores = list(StoreConnection.objects.select_related("merchant"))
    current = {c.key: c for c in causes_current(stores, now=now)}
    status_of = {s.pk: s.status for s in stores}
    result = EvaluationResult()

    for alert in Alert.objects.filter(closed_at__isnull=True).select_related("store"):
        cause = current.pop((alert.store_id, alert.cause), None)
        if cause is not None:
            _refresh(alert, cause, now)
            result.updated.append(alert.pk)
        elif _close(alert, cause_close_reason(alert.cause, status_of.get(alert.store_id)), now):
            result.closed.append(alert.pk)

    for cause in current.values():
        alert, created = _open(cause, now)
        (result.opened if created else result.updated).append(alert.pk)
    return result


def _refresh(alert: Alert, cause: CurrentCause, now: dt.datetime) -> None:
    Alert.objects.filter(pk=alert.pk, closed_at__isnull=True).update(
        title=cause.title[:300],
        detail=cause.detail,
        severity=cause.severity,
        action_hint=cause.action_hint[:500],
        action_url=cause.action_url[:300],
        occurrences=max(1, cause.occurrences),
        last_seen_at=now,
    )


def _close(alert: Alert, reason: str, now: dt.datetime) -> bool:
    # Filtered on closed_at so a concurrent evaluator's close is not overwritten.
    return bool(
        Alert.objects.filter(pk=alert.pk, closed_at__isnull=True).update(
            closed_at=now, close_reason=reason[:300]
        )
    )


def _open(cause: CurrentCause, now: dt.datetime) -> tuple[Alert, bool]:
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                store=cause.store,
                cause=cause.cause,
                severity=cause.severity,
                title=cause.title[:300],
                detail=cause.detail,
                action_hint=cause.action_hint[:500],
                action_url=cause.action_url[:300],
                occurrences=max(1, cause.occurrences),
                opened_at=now,
                last_seen_at=now,
            )
        logger.info("alert opened: %s", alert.title)
        return alert, True
    except IntegrityError:
        # Another evaluator opened it a moment ago: refresh theirs.
        alert = Alert.objects.get(store=cause.store, cause=cause.cause, closed_at__isnull=True)
        _refresh(alert, cause, now)
        return alert, False


# --- What is wrong now ---------------------------------------------------------------------------


def causes_current(stores: list[StoreConnection], *, now: dt.datetime) -> list[CurrentCause]:
    watched = [s for s in stores if s.status in (StoreStatus.ACTIVE, StoreStatus.NEEDS_ATTENTION)]
    causes: list[CurrentCause] = []
    for health in store_health_for(watched, now=now):
        causes.extend(_store_causes(health, now))
    # Without a store to serve (a fresh install), a missing scheduler is not a problem yet.
    if watched:
        scheduler = _scheduler_cause(now)
        if scheduler:
            causes.append(scheduler)
    webhooks = _webhooks_cause()
    if webhooks:
        causes.append(webhooks)
    return causes


def _webhooks_cause() -> CurrentCause | None:
    """Subscriptions fulfillment.events disabled after a day of failures (it cannot call the
    console: the evaluator reads that state, as it reads stores and write-backs)."""
    disabled = subscriptions_disabled_by_failures()
    if not disabled:
        return None
    return CurrentCause(
        None,
        AlertCause.WEBHOOKS_DISABLED,
        detail="\n".join(
            f"{s.merchant.name}: {s.url} — {s.disabled_reason}"
            for s in disabled[:RECORD_FAILURES_LISTED]
        ),
        severity=AlertSeverity.CRITICAL,
        action_url=reverse("webhooks:list"),
        occurrences=len(disabled),
        count=len(disabled),
    )


def _store_causes(h: StoreHealth, now: dt.datetime) -> list[CurrentCause]:
    store = h.store
    found: list[CurrentCause] = []
    if store.status == StoreStatus.NEEDS_ATTENTION:
        found.append(
            CurrentCause(
                store,
                AlertCause.STORE_NEEDS_ATTENTION,
                detail=store.status_reason,
                severity=AlertSeverity.CRITICAL,
                action_url=reverse("stores:detail", args=[store.pk]),
            )
        )
    else:
        found.extend(_import_causes(h, now))
    found.extend(_writeback_causes(h))
    return found


def _import_causes(h: StoreHealth, now: dt.datetime) -> list[CurrentCause]:
    store, run = h.store, h.latest_run
    import_now = reverse("fulfillment:store_import_now", args=[store.pk])
    found = []
    if h.import_throttled or h.throttled_recently:
        detail = (
            f"{run.error}\n{run.error_cause}".strip()
            if h.import_throttled
            else THROTTLED_RECENTLY.format(count=h.throttled_recently)
        )
        found.append(
            CurrentCause(
                store,
                AlertCause.THROTTLED,
                detail=detail,
                action_url=import_now,
                occurrences=max(h.failure_streak.count, h.throttled_recently, 1),
            )
        )
    elif h.import_failing:
        found.append(
            CurrentCause(
                store,
                AlertCause.IMPORT_FAILING,
                detail=f"{run.error}\n{run.error_cause}".strip(),
                action_url=import_now,
                occurrences=h.failure_streak.count,
            )
        )
    elif store.status == StoreStatus.ACTIVE and _lagging(h, now):
        minutes = f"{h.lag_minutes} minutes ago" if h.lag is not None else "never"
        found.append(
            CurrentCause(
                store,
                AlertCause.IMPORT_LAGGING,
                detail=f"Last successful import: {minutes}; the store imports every "
                f"{store.import_interval_minutes} minutes.",
                action_url=import_now,
            )
        )
    if run is not None and run.failed:
        listed = "\n".join(
            f"{f.get('key', '?')}: {f.get('reason', '')}"
            for f in (run.failures or [])[:RECORD_FAILURES_LISTED]
        )
        found.append(
            CurrentCause(
                store,
                AlertCause.RECORDS_FAILING,
                detail=listed,
                action_url=reverse("fulfillment:import_run_detail", args=[run.pk]),
                occurrences=run.failed,
                count=run.failed,
            )
        )
    return found


def _lagging(h: StoreHealth, now: dt.datetime) -> bool:
    store = h.store
    if h.last_succeeded_at is not None:
        return is_behind(store, h.lag, factor=3, slack_minutes=10)
    return is_behind(store, now - store.status_since, factor=3, slack_minutes=10)


def _writeback_causes(h: StoreHealth) -> list[CurrentCause]:
    store = h.store
    if not (h.writebacks_retrying or h.writebacks_failed or h.writebacks_held):
        return []
    orders = reverse("fulfillment:order_list")
    found = []
    fulfillments = Fulfillment.objects.filter(store=store).order_by("-updated_at", "-id")
    if h.writebacks_retrying:
        latest = (
            fulfillments.filter(
                status__in=(FulfillmentStatus.PENDING, FulfillmentStatus.WRITING),
                attempts__gt=0,
            )
            .exclude(last_error="")
            .first()
        )
        found.append(
            CurrentCause(
                store,
                AlertCause.WRITEBACK_RETRYING,
                detail=latest.last_error if latest else "",
                action_url=f"{orders}?store={store.pk}&fulfillment_status=pending",
                occurrences=h.writebacks_retrying,
                count=h.writebacks_retrying,
            )
        )
    if h.writebacks_failed:
        latest = fulfillments.filter(status=FulfillmentStatus.FAILED).first()
        detail = ""
        if latest:
            fields = "\n".join(
                f"{f.get('path', '')}: {f.get('message', '')}".strip(": ")
                for f in latest.last_error_fields or []
            )
            detail = f"{latest.last_error}\n{fields}".strip()
        found.append(
            CurrentCause(
                store,
                AlertCause.WRITEBACK_FAILED,
                detail=detail,
                severity=AlertSeverity.CRITICAL,
                action_url=f"{orders}?store={store.pk}&fulfillment_status=failed",
                occurrences=h.writebacks_failed,
                count=h.writebacks_failed,
            )
        )
    if h.writebacks_held:
        latest = fulfillments.filter(status=FulfillmentStatus.HELD).first()
        reason = latest.status_reason if latest else ""
        carrier = "carrier" in reason.lower()
        found.append(
            CurrentCause(
                store,
                AlertCause.WRITEBACK_HELD,
                detail=reason,
                hint=HELD_FOR_CARRIER_HINT if carrier else "",
                action_url=reverse("carriers:list", kwargs={"store_id": store.pk})
                if carrier
                else f"{orders}?store={store.pk}&fulfillment_status=held",
                occurrences=h.writebacks_held,
                count=h.writebacks_held,
            )
        )
    return found


# When this process started: beat sends its first heartbeat and its first alert evaluation at
# the same moment, so for one heartbeat age after a (re)start a missing or old heartbeat is not
# yet a sign that the scheduler is down.
PROCESS_STARTED = timezone.now()


def _scheduler_cause(now: dt.datetime) -> CurrentCause | None:
    beat = Heartbeat.objects.filter(component=SCHEDULER_COMPONENT).first()
    stale_after = dt.timedelta(seconds=settings.CONNECTOR_HEARTBEAT_MAX_AGE_SECONDS)
    if beat is not None and now - beat.beat_at <= stale_after:
        return None
    if now - PROCESS_STARTED <= stale_after:
        return None
    detail = (
        "No sign of the scheduler (celery beat) has been recorded."
        if beat is None
        else f"The scheduler's last heartbeat was at {beat.beat_at:%Y-%m-%d %H:%M:%S %Z} "
        f"({int((now - beat.beat_at).total_seconds() // 60)} minutes ago)."
    )
    return CurrentCause(
        None,
        AlertCause.SCHEDULER_DOWN,
        detail=detail,
        severity=AlertSeverity.CRITICAL,
    )

"""Delivering events to a real HTTP receiver on a loopback port (no mocks of requests):
Standard Webhooks signatures checked by an independent implementation, retries on 500, 429
and timeouts and none on 400, a back-off that grows, the subscription disabled after its
window of failures (and the console's alert), replays, and the sweep that re-queues a delivery
whose job was lost."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.utils import timezone

from console.alerts import alerts_evaluate
from console.models import Alert, AlertCause
from fulfillment import jobs
from fulfillment.events import conf, event_record
from fulfillment.events.dispatch import deliveries_dispatch_due
from fulfillment.events.subscriptions import (
    delivery_replay,
    event_replay,
    subscription_enable,
    subscription_rotate_secret,
)
from fulfillment.management.webhook_receiver import Reply
from fulfillment.models import (
    DeliveryStatus,
    EventAttempt,
    EventDelivery,
    EventKind,
    EventSubscription,
)

from . import events_support
from .events_support import scripted, verify_standard_webhook

# The fixtures these tests share (pytest finds them by name in the module).
receiver = events_support.receiver
run_deliveries = events_support.run_deliveries
subscription_for = events_support.subscription_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_retries(settings):
    # Retries due at once, so the test runs them without waiting; the timeout short.
    settings.FULFILLMENT_EVENTS_BACKOFF_BASE_SECONDS = 0
    settings.FULFILLMENT_EVENTS_TIMEOUT_SECONDS = 0.5


@pytest.fixture
def store(sandbox, store_factory):
    return store_factory(sandbox, name="Events Store")


def record(store, django_capture_on_commit_callbacks, kind=EventKind.STORE_NEEDS_ATTENTION):
    with django_capture_on_commit_callbacks(execute=True):
        return event_record(kind=kind, store=store, data={"store": {"id": store.pk}})


def test_a_delivery_is_signed_as_standard_webhooks_say_and_recorded(
    store,
    receiver,
    subscription_for,
    queued_jobs,
    django_capture_on_commit_callbacks,
    run_deliveries,
):
    server = receiver()
    _, secret = subscription_for(store.merchant, server.url)
    event = record(store, django_capture_on_commit_callbacks)
    assert run_deliveries() == 1

    [received] = server.received
    assert received.headers["webhook-id"] == str(event.id)
    assert received.headers["content-type"] == "application/json"
    assert abs(int(received.headers["webhook-timestamp"]) - received.at) < 5
    assert verify_standard_webhook(secret, received.headers, received.body)
    assert not verify_standard_webhook(secret, received.headers, received.body + b" ")
    body = json.loads(received.body)
    assert body["id"] == str(event.id) and body["type"] == "store.needs_attention"
    assert body["store"] == {"id": store.pk, "name": "Events Store"}
    assert body["merchant_id"] == store.merchant_id and body["data"] == event.payload

    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at
    [attempt] = delivery.attempts.all()
    assert (attempt.number, attempt.outcome, attempt.status_code) == (1, "delivered", 200)
    assert attempt.duration_ms is not None and attempt.finished_at >= attempt.started_at
    assert attempt.response_excerpt == "ok"
    assert secret not in json.dumps(list(EventSubscription.objects.values()), default=str)


def test_after_a_rotation_both_secrets_sign_until_the_grace_ends(
    store,
    receiver,
    subscription_for,
    queued_jobs,
    django_capture_on_commit_callbacks,
    run_deliveries,
):
    server = receiver()
    subscription, old = subscription_for(store.merchant, server.url)
    new = subscription_rotate_secret(subscription=subscription)
    record(store, django_capture_on_commit_callbacks)
    run_deliveries()
    first = server.received[-1]
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    assert verify_standard_webhook(new, first.headers, first.body)
    assert verify_standard_webhook(old, first.headers, first.body)

    EventSubscription.objects.filter(pk=subscription.pk).update(
        previous_secret_until=timezone.now() - dt.timedelta(seconds=1)
    )
    record(store, django_capture_on_commit_callbacks)
    run_deliveries()
    later = server.received[-1]
    assert verify_standard_webhook(new, later.headers, later.body)
    assert not verify_standard_webhook(old, later.headers, later.body)


@pytest.mark.parametrize(
    "failure",
    [Reply(status=500), Reply(status=429, headers={"Retry-After": "0"}), Reply(delay=1.5)],
    ids=["500", "429", "timeout"],
)
def test_5xx_429_and_timeouts_are_retried_with_the_same_id_until_delivered(
    failure,
    store,
    receiver,
    subscription_for,
    queued_jobs,
    django_capture_on_commit_callbacks,
    run_deliveries,
):
    server = receiver(scripted(failure, failure))
    subscription_for(store.merchant, server.url)
    event = record(store, django_capture_on_commit_callbacks)
    run_deliveries(rounds=3)

    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.DELIVERED
    outcomes = list(delivery.attempts.values_list("outcome", flat=True))
    assert outcomes == ["retry", "retry", "delivered"]
    assert {r.headers["webhook-id"] for r in server.received} == {str(event.id)}
    assert len(server.received) == 3
    first = delivery.attempts.first()
    if failure.delay:
        assert first.status_code is None and "No answer within 0.5 s" in first.error
    else:
        assert first.status_code == failure.status and str(failure.status) in first.error


def test_a_400_is_not_retried(
    store,
    receiver,
    subscription_for,
    queued_jobs,
    django_capture_on_commit_callbacks,
    run_deliveries,
):
    server = receiver(scripted(400))
    subscription_for(store.merchant, server.url)
    event = record(store, django_capture_on_commit_callbacks)
    run_deliveries(rounds=3)
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.FAILED
    assert list(delivery.attempts.values_list("outcome", "status_code")) == [("failed", 400)]
    assert len(server.received) == 1
    # Nothing due for the sweep either.
    assert deliveries_dispatch_due() == []


def test_the_back_off_grows_with_full_jitter_and_a_429_retry_after_is_a_floor(settings):
    settings.FULFILLMENT_EVENTS_BACKOFF_BASE_SECONDS = 2
    settings.FULFILLMENT_EVENTS_BACKOFF_CAP_SECONDS = 3600
    ceilings = [conf.backoff_ceiling(n) for n in range(1, 15)]
    assert ceilings[:4] == [2, 4, 8, 16] and ceilings[-1] == 3600
    rng = random.Random(7)
    waits = [conf.backoff(5, rng=rng).total_seconds() for _ in range(200)]
    assert all(0 <= w <= 32 for w in waits) and min(waits) < 8 and max(waits) > 24
    assert conf.backoff(1, retry_after=120, rng=rng).total_seconds() >= 120
    assert conf.backoff(1, retry_after=10**9, rng=rng).total_seconds() == 3600


def test_a_retry_is_due_after_its_back_off(
    settings,
    store,
    receiver,
    subscription_for,
    queued_jobs,
    django_capture_on_commit_callbacks,
    run_deliveries,
):
    settings.FULFILLMENT_EVENTS_BACKOFF_BASE_SECONDS = 600
    server = receiver(scripted(503))
    subscription_for(store.merchant, server.url)
    event = record(store, django_capture_on_commit_callbacks)
    before = timezone.now()
    run_deliveries()
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.PENDING and delivery.failures == 1
    assert before <= delivery.due_at <= timezone.now() + dt.timedelta(seconds=600)
    # Not due yet: neither a job run early nor the sweep sends it.
    assert deliveries_dispatch_due() == []
    jobs_before = len(server.received)
    from fulfillment.events.deliver import delivery_send

    assert delivery_send(delivery_id=delivery.pk) is None and len(server.received) == jobs_before


def test_a_day_of_failures_disables_the_subscription_and_opens_an_alert(
    store,
    receiver,
    subscription_for,
    queued_jobs,
    django_capture_on_commit_callbacks,
    run_deliveries,
):
    server = receiver(lambda received: Reply(status=502))
    subscription, _ = subscription_for(store.merchant, server.url)
    event = record(store, django_capture_on_commit_callbacks)
    run_deliveries()
    subscription.refresh_from_db()
    assert subscription.active and subscription.failing_since is not None

    # A day later it still fails.
    EventSubscription.objects.filter(pk=subscription.pk).update(
        failing_since=timezone.now() - conf.disable_after() - dt.timedelta(minutes=1)
    )
    run_deliveries()
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_by_failures
    assert "Disabled after failing for more than 1 day" in subscription.disabled_reason
    assert "HTTP 502" in subscription.disabled_reason
    sent = len(server.received)
    # Disabled: the delivery waits, nobody sends it.
    assert deliveries_dispatch_due() == [] and run_deliveries() == 0
    assert len(server.received) == sent

    alerts_evaluate()
    alert = Alert.objects.get(cause=AlertCause.WEBHOOKS_DISABLED, closed_at__isnull=True)
    assert alert.store is None and subscription.url in alert.detail

    # Fixed and enabled again: the waiting delivery goes, and the alert closes.
    server.answer = lambda received: Reply()
    with django_capture_on_commit_callbacks(execute=True):
        subscription_enable(subscription=subscription)
    run_deliveries()
    assert EventDelivery.objects.get(event=event).status == DeliveryStatus.DELIVERED
    alerts_evaluate()
    alert.refresh_from_db()
    assert alert.closed_at is not None


def test_a_success_ends_the_failure_window(
    store,
    receiver,
    subscription_for,
    queued_jobs,
    django_capture_on_commit_callbacks,
    run_deliveries,
):
    server = receiver(scripted(500))
    subscription, _ = subscription_for(store.merchant, server.url)
    record(store, django_capture_on_commit_callbacks)
    run_deliveries(rounds=2)
    subscription.refresh_from_db()
    assert subscription.active and subscription.failing_since is None
    assert len(server.received) == 2


def test_replaying_a_delivery_or_an_event_sends_the_same_id_again(
    store,
    receiver,
    subscription_for,
    queued_jobs,
    django_capture_on_commit_callbacks,
    run_deliveries,
):
    server = receiver(scripted(410))
    subscription_for(store.merchant, server.url)
    event = record(store, django_capture_on_commit_callbacks)
    run_deliveries()
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        delivery_replay(delivery=delivery)
    run_deliveries()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.replayed_at
    assert list(delivery.attempts.values_list("number", "outcome")) == [
        (1, "failed"),
        (2, "delivered"),
    ]

    # An event replayed also reaches a subscription made after it.
    later = receiver()
    subscription_for(store.merchant, later.url)
    with django_capture_on_commit_callbacks(execute=True):
        replayed = event_replay(event=event)
    assert len(replayed) == 2
    run_deliveries()
    assert [r.headers["webhook-id"] for r in later.received] == [str(event.id)]
    assert [r.headers["webhook-id"] for r in server.received] == [str(event.id)] * 3


def test_the_sweep_sends_a_delivery_whose_job_was_lost(
    store,
    receiver,
    subscription_for,
    queued_jobs,
    django_capture_on_commit_callbacks,
    run_deliveries,
):
    server = receiver()
    subscription_for(store.merchant, server.url)
    event = record(store, django_capture_on_commit_callbacks)
    queued_jobs.pop(jobs.DELIVER_EVENT)  # the broker lost it
    delivery = EventDelivery.objects.get(event=event)
    assert deliveries_dispatch_due() == []  # its own job may still be on the way
    EventDelivery.objects.filter(pk=delivery.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_dispatch_due() == [delivery.pk]
    run_deliveries()
    assert [r.headers["webhook-id"] for r in server.received] == [str(event.id)]
    # A job delivered twice sends once.
    from fulfillment.events.deliver import delivery_send

    assert delivery_send(delivery_id=delivery.pk, ignore_due=True) is None
    assert len(server.received) == 1
    assert EventAttempt.objects.filter(delivery=delivery).count() == 1

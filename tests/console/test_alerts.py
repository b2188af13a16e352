"""Alerts open, repeat and close from the real state of imports and write-backs: imports run
against the sandbox over HTTP, write-backs are written to it, and the evaluator reads the rows
they leave."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from connector.models import Heartbeat
from connector.services import heartbeat_record
from console.alerts import alerts_evaluate
from console.models import Alert, AlertCause, AlertSeverity
from console.selectors import alerts_for
from fulfillment.models import FulfillmentStatus, ImportRunStatus
from fulfillment.writeback.engine import writeback_run
from fulfillment.writeback.services import writeback_retry
from stores.models import Role
from stores.services import store_mark_needs_attention, store_pause
from tests.fulfillment.writeback_support import fulfill, map_carrier, open_orders

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduler_alive")]


@pytest.fixture(autouse=True)
def _fast_polls(settings):
    settings.FULFILLMENT_WRITEBACK_CONFIRM_POLL_SECONDS = 0.05


def open_alerts(**filters):
    return list(Alert.objects.filter(closed_at__isnull=True, **filters))


def test_a_failing_import_opens_one_alert_that_counts_repeats_and_closes_itself(
    sandbox, store_factory, run_import
):
    store = store_factory(sandbox, active=True)
    sandbox.faults.add(kind="error500", match="GET */SalesOrder", times=2)

    first = run_import(store)
    assert first.status == ImportRunStatus.FAILED
    result = alerts_evaluate()
    (alert,) = open_alerts(store=store)
    assert result.opened == [alert.pk]
    assert alert.cause == AlertCause.IMPORT_FAILING
    assert alert.occurrences == 1
    assert first.error in alert.detail
    assert "ServerError" in alert.detail  # Acumatica's cause, not just "failed"
    assert alert.action_url == f"/orders/imports/run/{store.pk}/"

    run_import(store)
    result = alerts_evaluate()
    (again,) = open_alerts(store=store)
    assert again.pk == alert.pk
    assert result.opened == [] and alert.pk in result.updated
    assert again.occurrences == 2
    assert Alert.objects.filter(store=store).count() == 1

    sandbox.faults.clear()
    assert run_import(store).status == ImportRunStatus.SUCCEEDED
    result = alerts_evaluate()
    alert.refresh_from_db()
    assert result.closed == [alert.pk]
    assert alert.closed_at is not None
    assert alert.close_reason == "cleared: an import succeeded"
    assert open_alerts(store=store) == []

    # Evaluating again changes nothing: idempotent.
    result = alerts_evaluate()
    assert (result.opened, result.closed) == ([], [])


def test_a_store_that_needs_attention_gets_one_critical_alert(sandbox, store_factory):
    store = store_factory(sandbox, active=True)
    store_mark_needs_attention(store=store, reason="Acumatica refused the store's credentials.")

    alerts_evaluate()
    (alert,) = open_alerts(store=store)
    assert alert.cause == AlertCause.STORE_NEEDS_ATTENTION
    assert alert.severity == AlertSeverity.CRITICAL
    assert alert.detail == "Acumatica refused the store's credentials."
    assert alert.action_url == f"/stores/{store.pk}/"


def test_bad_credentials_make_the_import_mark_the_store_and_raise_only_the_store_alert(
    sandbox, store_factory, run_import
):
    store = store_factory(sandbox, active=True, password="wrong-password")
    run = run_import(store)
    assert run.status == ImportRunStatus.FAILED

    alerts_evaluate()
    assert [a.cause for a in open_alerts(store=store)] == [AlertCause.STORE_NEEDS_ATTENTION]


def test_write_back_retrying_alert_closes_after_a_successful_retry(
    sandbox, store_factory, run_import
):
    store = store_factory(sandbox, active=True)
    map_carrier(store)
    (order,) = open_orders(sandbox, store, run_import, count=1, seed=5)
    fulfillment = fulfill(order)
    sandbox.faults.add(kind="error500", match="PUT */Shipment", times=1)

    attempt = writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True)
    assert attempt.outcome == "retry"
    alerts_evaluate()
    (alert,) = open_alerts(store=store, cause=AlertCause.WRITEBACK_RETRYING)
    fulfillment.refresh_from_db()
    assert alert.detail == fulfillment.last_error != ""
    assert alert.occurrences == 1
    assert "fulfillment_status=pending" in alert.action_url

    writeback_retry(fulfillment=fulfillment)
    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "succeeded"
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK

    result = alerts_evaluate()
    alert.refresh_from_db()
    assert alert.pk in result.closed
    assert alert.close_reason == "cleared: no write-back is retrying"


def test_pausing_a_store_closes_its_alerts(sandbox, store_factory, run_import):
    store = store_factory(sandbox, active=True)
    sandbox.faults.add(kind="error500", match="GET */SalesOrder", times=1)
    run_import(store)
    alerts_evaluate()
    (alert,) = open_alerts(store=store)

    store_pause(store=store, reason="merchant on holiday")
    alerts_evaluate()
    alert.refresh_from_db()
    assert alert.closed_at is not None
    assert alert.close_reason == "store paused"


def test_an_import_lagging_behind_its_schedule_opens_an_alert(sandbox, store_factory, run_import):
    store = store_factory(sandbox, active=True)
    run_import(store)
    alerts_evaluate()
    assert open_alerts(store=store) == []

    later = timezone.now() + dt.timedelta(minutes=3 * store.import_interval_minutes + 11)
    heartbeat_record(component="scheduler")
    Heartbeat.objects.filter(component="scheduler").update(beat_at=later)
    alerts_evaluate(now=later)
    (alert,) = open_alerts(store=store)
    assert alert.cause == AlertCause.IMPORT_LAGGING


@pytest.fixture
def long_running(monkeypatch):
    """The evaluating process has run longer than a heartbeat's age (past the start-up grace)."""
    from console import alerts

    monkeypatch.setattr(alerts, "PROCESS_STARTED", timezone.now() - dt.timedelta(hours=1))


def test_alerts_for_shows_merchants_only_their_stores(
    sandbox, store_factory, merchant_factory, user_factory, long_running
):
    mine, theirs = merchant_factory("Mine Ltd"), merchant_factory("Theirs Ltd")
    my_store = store_factory(sandbox, merchant=mine, active=True)
    their_store = store_factory(sandbox, merchant=theirs, active=True)
    for store in (my_store, their_store):
        store_mark_needs_attention(store=store, reason="rights missing")
    Heartbeat.objects.all().delete()
    alerts_evaluate()

    merchant_user = user_factory(Role.MERCHANT_USER, merchant=mine)
    operator = user_factory(Role.THREEPL_OPERATOR)
    assert {a.store_id for a in alerts_for(merchant_user)} == {my_store.pk}
    seen_by_staff = {(a.store_id, a.cause) for a in alerts_for(operator)}
    assert (None, AlertCause.SCHEDULER_DOWN) in seen_by_staff
    assert {my_store.pk, their_store.pk} <= {s for s, _ in seen_by_staff}


def test_no_scheduler_alert_while_beat_is_starting(sandbox, store_factory, monkeypatch):
    from console import alerts

    store_factory(sandbox, active=True)
    # A fresh start: no heartbeat yet (beat sends its first one with the first evaluation).
    Heartbeat.objects.all().delete()
    monkeypatch.setattr(alerts, "PROCESS_STARTED", timezone.now() - dt.timedelta(seconds=20))
    alerts_evaluate()
    assert not open_alerts(cause=AlertCause.SCHEDULER_DOWN)
    # Past one heartbeat age with still no heartbeat: now it is down.
    monkeypatch.setattr(alerts, "PROCESS_STARTED", timezone.now() - dt.timedelta(minutes=5))
    alerts_evaluate()
    (alert,) = open_alerts(cause=AlertCause.SCHEDULER_DOWN)
    assert "No sign of the scheduler" in alert.detail


def test_a_stale_scheduler_heartbeat_opens_a_service_wide_alert_and_its_return_closes_it(
    sandbox, store_factory, long_running
):
    store_factory(sandbox, active=True)
    Heartbeat.objects.filter(component="scheduler").update(
        beat_at=timezone.now() - dt.timedelta(minutes=4)
    )
    alerts_evaluate()
    (alert,) = open_alerts(cause=AlertCause.SCHEDULER_DOWN)
    assert alert.store is None
    assert alert.severity == AlertSeverity.CRITICAL
    assert "minutes ago" in alert.detail

    heartbeat_record(component="scheduler")
    alerts_evaluate()
    alert.refresh_from_db()
    assert alert.close_reason == "cleared: the scheduler is running"


def test_two_evaluations_never_make_two_open_alerts_for_one_cause(sandbox, store_factory):
    store = store_factory(sandbox, active=True)
    store_mark_needs_attention(store=store, reason="rights missing")
    # An evaluator that started before another one opened the alert still ends with one row.
    from console.alerts import _open, causes_current

    (cause,) = [c for c in causes_current([store], now=timezone.now()) if c.store]
    first, created = _open(cause, timezone.now())
    second, created_again = _open(cause, timezone.now())
    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    assert len(open_alerts(store=store)) == 1

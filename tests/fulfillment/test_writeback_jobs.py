"""The jobs around write-backs: a task delivered twice, the periodic sweep, reprocessing, the
``writeback_pending`` command."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from connector.celery import BEAT_SCHEDULE
from fulfillment import jobs, tasks
from fulfillment.models import FulfillmentStatus, WriteBackAttempt, WriteBackOutbox
from fulfillment.writeback import outbox
from fulfillment.writeback.drain import writeback_drain
from fulfillment.writeback.engine import writeback_run
from fulfillment.writeback.services import writeback_dispatch_due, writeback_reprocess

from .writeback_support import (
    assert_written_as_sent,
    fulfill,
    map_carrier,
    open_orders,
    outbox_row,
    shipments_for,
)


@pytest.fixture
def queued(queued_jobs):
    """The write-backs handed to the broker (kept here instead), as argument tuples."""
    return queued_jobs[jobs.WRITE_BACK]


@pytest.mark.django_db
def test_a_task_delivered_twice_writes_once(sandbox, store_factory, run_import):
    store = store_factory(sandbox)
    map_carrier(store)
    (order,) = open_orders(sandbox, store, run_import, count=1, seed=21)
    fulfillment = fulfill(order)

    tasks.write_back.apply(args=[fulfillment.pk])
    tasks.write_back.apply(args=[fulfillment.pk])

    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK
    assert fulfillment.attempts_log.count() == 1
    assert_written_as_sent(sandbox, fulfillment)


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_the_same_time_one_writes_the_other_exits(
    sandbox, store_factory, run_import
):
    store = store_factory(sandbox)
    map_carrier(store)
    (order,) = open_orders(sandbox, store, run_import, count=1, seed=22)
    fulfillment = fulfill(order, packages=2)
    sandbox.faults.add(kind="slow", delay=1.0, match="PUT */Shipment", times=1)
    results: dict[str, WriteBackAttempt | None] = {}

    def deliver(name: str) -> None:
        try:
            results[name] = writeback_run(fulfillment_id=fulfillment.pk)
        finally:
            connection.close()

    first = threading.Thread(target=deliver, args=("first",))
    first.start()
    deadline = timezone.now() + dt.timedelta(seconds=10)
    while not WriteBackOutbox.objects.filter(fulfillment=fulfillment).exclude(lease_holder=""):
        assert timezone.now() < deadline, "the first delivery never took the lease"
    results["second"] = writeback_run(fulfillment_id=fulfillment.pk)
    connection.close()
    first.join(timeout=30)

    assert results["second"] is None
    assert results["first"].outcome == WriteBackAttempt.Outcome.SUCCEEDED
    fulfillment.refresh_from_db()
    assert_written_as_sent(sandbox, fulfillment)


@pytest.mark.django_db
def test_the_sweep_queues_due_rows_once_and_again_when_their_task_was_lost(
    sandbox, store_factory, run_import, queued, django_capture_on_commit_callbacks
):
    store = store_factory(sandbox)
    map_carrier(store)
    orders = open_orders(sandbox, store, run_import, count=3, seed=23)
    due, later, running = (fulfill(order) for order in orders)
    WriteBackOutbox.objects.filter(fulfillment=later).update(
        due_at=timezone.now() + dt.timedelta(minutes=5)
    )
    WriteBackOutbox.objects.filter(fulfillment=running).update(
        lease_holder="worker-1", lease_until=timezone.now() + dt.timedelta(minutes=5)
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = writeback_dispatch_due()
    assert first == [due.pk]
    assert queued == [(due.pk,)]
    assert outbox_row(due).lease_holder == outbox.QUEUED
    assert writeback_dispatch_due() == []  # its task is on its way

    # The queued task is lost with its worker: once the mark expires it is queued again.
    WriteBackOutbox.objects.filter(fulfillment=due).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    WriteBackOutbox.objects.filter(fulfillment=running).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert sorted(writeback_dispatch_due()) == sorted([due.pk, running.pk])

    # A worker may take a row the sweep marked queued.
    assert writeback_run(fulfillment_id=due.pk).outcome == "succeeded"


def test_beat_sends_the_sweep_every_30_seconds():
    entry = next(
        e for e in BEAT_SCHEDULE.values() if e["task"] == "fulfillment.dispatch_writebacks"
    )
    assert entry["schedule"] == 30.0
    assert tasks.dispatch_writebacks.name == "fulfillment.dispatch_writebacks"


@pytest.mark.django_db
def test_reprocess_only_failed_or_held_and_it_is_due_at_once(
    sandbox, store_factory, run_import, django_capture_on_commit_callbacks, queued
):
    store = store_factory(sandbox)
    map_carrier(store)
    (order,) = open_orders(sandbox, store, run_import, count=1, seed=24)
    fulfillment = fulfill(order, carrier="Nobody")
    with pytest.raises(ValidationError):
        writeback_reprocess(fulfillment=fulfillment)

    writeback_run(fulfillment_id=fulfillment.pk)
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.HELD
    with django_capture_on_commit_callbacks(execute=True):
        writeback_reprocess(fulfillment=fulfillment)

    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.PENDING
    assert queued == [(fulfillment.pk,)]
    assert outbox_row(fulfillment).due_at <= timezone.now()


@pytest.mark.django_db
def test_writeback_pending_command_drains_and_prints_a_json_summary(
    sandbox, store_factory, run_import, settings
):
    settings.FULFILLMENT_WRITEBACK_LOST_WRITE_WAIT_SECONDS = 0
    store = store_factory(sandbox)
    map_carrier(store)
    orders = open_orders(sandbox, store, run_import, count=4, seed=25)
    fulfillments = [fulfill(order, packages=2) for order in orders[:3]]
    held = fulfill(orders[3], carrier="Unmapped")
    sandbox.faults.add(kind="error500", match="PUT */Shipment", times=1)

    out, err = io.StringIO(), io.StringIO()
    call_command("writeback_pending", "--store", str(store.pk), stdout=out, stderr=err)

    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    # Not --now: the one that hit the 500 waits for its back-off.
    assert summary["written_back"] == 2 and summary["held"] == 1 and summary["pending"] == 1
    assert summary["failed"] == 0
    assert summary["acumatica_requests"] > 0
    assert held.reference in err.getvalue()

    out = io.StringIO()
    call_command("writeback_pending", "--now", stdout=out, stderr=io.StringIO())
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (summary["written_back"], summary["pending"], summary["failed"]) == (1, 0, 0)
    for fulfillment in fulfillments:
        fulfillment.refresh_from_db()
        assert_written_as_sent(sandbox, fulfillment)
    assert shipments_for(sandbox, held.reference) == []
    assert sandbox.sessions.open_sessions() == []


@pytest.mark.django_db
def test_a_worker_whose_lease_was_taken_over_stops_before_writing(
    sandbox, store_factory, run_import, settings, monkeypatch
):
    settings.FULFILLMENT_WRITEBACK_LEASE_SECONDS = 0  # every write renews the lease first
    store = store_factory(sandbox)
    map_carrier(store)
    (order,) = open_orders(sandbox, store, run_import, count=1, seed=26)
    fulfillment = fulfill(order)

    def taken_over(*, fulfillment_id, holder, ttl):
        WriteBackOutbox.objects.filter(fulfillment_id=fulfillment_id).update(
            lease_holder="another-worker", lease_until=timezone.now() + dt.timedelta(minutes=5)
        )
        return False

    monkeypatch.setattr(outbox, "renew", taken_over)
    attempt = writeback_run(fulfillment_id=fulfillment.pk)

    assert attempt.outcome == WriteBackAttempt.Outcome.RETRY
    assert "another worker" in attempt.error
    assert shipments_for(sandbox, fulfillment.reference) == []
    assert outbox_row(fulfillment).lease_holder == "another-worker"


@pytest.mark.django_db(transaction=True)
def test_four_workers_at_once_write_each_fulfillment_once(
    sandbox_factory, store_factory, run_import, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: runs on PostgreSQL (.ci/run)")
    sandbox = sandbox_factory(action_duration=0.05)
    settings.FULFILLMENT_WRITEBACK_LOST_WRITE_WAIT_SECONDS = 0
    store = store_factory(sandbox)
    map_carrier(store)
    orders = open_orders(sandbox, store, run_import, count=24, seed=27)
    fulfillments = [fulfill(order, packages=2) for order in orders]
    # Each store shares one OAuth session: a running ConfirmShipment refuses the others'
    # Shipment requests, which wait and send them again.
    sandbox.faults.add(kind="lost_reply", match="PUT */Shipment", probability=0.1)

    summary = writeback_drain(store=store, ignore_due=True, workers=4)

    assert (summary.written_back, summary.failed, summary.pending) == (24, 0, 0)
    for fulfillment in fulfillments:
        fulfillment.refresh_from_db()
        assert_written_as_sent(sandbox, fulfillment)
    assert sandbox.sessions.open_sessions() == []

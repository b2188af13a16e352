"""The jobs around an import: the lease, the scheduler's fan-out, "run now", duplicate
deliveries and the ``sync_store`` command."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from fulfillment import importing, jobs, tasks
from fulfillment.importing import lease
from fulfillment.importing.sync import import_run
from fulfillment.models import ImportRun, ImportRunStatus, ImportState, ImportTrigger, Order
from stores.models import StoreStatus
from stores.services import store_mark_needs_attention, store_pause


@pytest.fixture
def queued(queued_jobs):
    """The imports handed to the broker (kept here instead)."""
    return queued_jobs[jobs.IMPORT_STORE]


@pytest.mark.django_db
def test_an_import_does_not_start_while_another_holds_the_store(sandbox, store_factory):
    store = store_factory(sandbox)
    assert lease.acquire(store_id=store.pk, holder="other", ttl=dt.timedelta(minutes=5))
    assert import_run(store=store, trigger=ImportTrigger.SCHEDULE) is None
    assert not ImportRun.objects.exists()
    lease.release(store_id=store.pk, holder="other")
    assert import_run(store=store, trigger=ImportTrigger.SCHEDULE) is not None


@pytest.mark.django_db
def test_an_expired_lease_can_be_taken_over(sandbox, store_factory):
    store = store_factory(sandbox)
    assert lease.acquire(store_id=store.pk, holder="dead", ttl=dt.timedelta(seconds=-1))
    assert lease.acquire(store_id=store.pk, holder="alive", ttl=dt.timedelta(minutes=5))
    assert not lease.renew(store_id=store.pk, holder="dead", ttl=dt.timedelta(minutes=5))


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_imports_of_one_store_one_runs_the_other_exits(sandbox, store_factory):
    # SQLite's shared in-memory test database refuses a second thread's write at once ("database
    # table is locked") instead of waiting; the single-thread lease tests above cover SQLite.
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: runs on PostgreSQL (.ci/run)")
    store = store_factory(sandbox)
    sandbox.faults.add(kind="slow", delay=1.5, match="GET */SalesOrder", times=1)
    results = {}

    def first():
        try:
            results["first"] = import_run(store=store, trigger=ImportTrigger.SCHEDULE)
        finally:
            connection.close()

    worker = threading.Thread(target=first)
    worker.start()
    deadline = time.monotonic() + 10
    while not ImportState.objects.filter(store=store).exclude(lease_holder="").exists():
        assert time.monotonic() < deadline, "the first import never took the lease"
        time.sleep(0.02)
    second = import_run(store=store, trigger=ImportTrigger.SCHEDULE)
    connection.close()
    worker.join(timeout=30)

    assert second is None
    assert results["first"].status == ImportRunStatus.SUCCEEDED
    assert ImportRun.objects.count() == 1
    assert Order.objects.count() == results["first"].created


@pytest.mark.django_db
def test_the_scheduler_queues_only_active_stores_that_are_due(
    sandbox, store_factory, queued, django_capture_on_commit_callbacks
):
    now = timezone.now()
    due = store_factory(sandbox)
    recent = store_factory(sandbox)
    slow = store_factory(sandbox, import_interval_minutes=30)
    paused = store_factory(sandbox)
    store_pause(store=paused)
    draft = store_factory(sandbox, active=False)
    broken = store_factory(sandbox)
    store_mark_needs_attention(store=broken, reason="credentials refused")
    backing_off = store_factory(sandbox)
    running = store_factory(sandbox)
    for store, values in [
        (recent, _finished(now - dt.timedelta(minutes=2))),
        (slow, _finished(now - dt.timedelta(minutes=10))),
        (backing_off, {"next_attempt_at": now + dt.timedelta(minutes=3)}),
        (running, {"lease_holder": "w1", "lease_expires_at": now + dt.timedelta(minutes=3)}),
    ]:
        lease.import_state_for(store.pk)
        ImportState.objects.filter(store=store).update(**values)
    assert draft.status == StoreStatus.DRAFT

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.schedule_imports() == 1
    assert [(store_id, trigger) for store_id, trigger, _ in queued] == [(due.pk, "schedule")]

    # Beat fires again 30 s later: already queued for this interval.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.schedule_imports() == 0
    assert len(queued) == 1

    # Six minutes later the 5-minute stores are due again, the 30-minute one is not.
    later = now + dt.timedelta(minutes=6)
    with django_capture_on_commit_callbacks(execute=True):
        again = importing.imports_enqueue_due(now=later)
    assert sorted(again) == sorted([due.pk, recent.pk, backing_off.pk, running.pk])


def _finished(at: dt.datetime) -> dict:
    return {"last_started_at": at, "last_finished_at": at + dt.timedelta(seconds=5)}


@pytest.mark.django_db
def test_the_scheduler_serves_the_longest_waiting_store_first_and_spreads_a_crowd(
    sandbox, store_factory, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.FULFILLMENT_SCHEDULE_BURST = 3
    settings.FULFILLMENT_SCHEDULE_SPREAD_SECONDS = 25
    sent: list[tuple[int, float]] = []
    monkeypatch.setattr(jobs, "send", lambda name, args: sent.append((args[0], 0.0)))
    monkeypatch.setattr(jobs, "send_later", lambda name, args, delay: sent.append((args[0], delay)))
    now = timezone.now()
    stores = [store_factory(sandbox) for _ in range(12)]
    # The lowest ids ran most recently; one store has never run.
    never, *ran = reversed(stores)
    for minutes, store in enumerate(ran):
        lease.import_state_for(store.pk)
        ImportState.objects.filter(store=store).update(
            **_finished(now - dt.timedelta(minutes=10 + minutes))
        )

    with django_capture_on_commit_callbacks(execute=True):
        queued = importing.imports_enqueue_due(now=now)

    assert queued == [never.pk, *reversed([s.pk for s in ran])]
    assert [store_id for store_id, _ in sent] == queued
    delays = [delay for _, delay in sent]
    assert delays[:3] == [0.0, 0.0, 0.0]
    # The other nine go over the next 25 s, in waiting order, none at the same moment.
    later = delays[3:]
    assert all(0 < d <= 25 for d in later)
    assert later == sorted(later) and len(set(later)) == len(later)
    assert later[-1] > 20


@pytest.mark.django_db
def test_the_scheduler_reads_every_store_in_one_query(
    sandbox, store_factory, queued, django_assert_max_num_queries
):
    now = timezone.now()
    stores = [store_factory(sandbox) for _ in range(30)]
    for store in stores:
        lease.import_state_for(store.pk)
    # None is due: each was queued a moment ago.
    ImportState.objects.filter(store__in=stores).update(last_enqueued_at=now)

    with django_assert_max_num_queries(1):
        assert importing.imports_enqueue_due(now=now) == []


@pytest.mark.django_db
def test_a_run_cut_off_by_a_killed_worker_resumes_when_its_lease_runs_out(
    sandbox, store_factory, queued, settings, django_capture_on_commit_callbacks
):
    store = store_factory(sandbox, import_interval_minutes=60)
    first = import_run(store=store, trigger=ImportTrigger.SCHEDULE)
    assert first.status == ImportRunStatus.SUCCEEDED
    # What a worker killed mid-run leaves: a run still "running", its lease, no finish time.
    ttl = dt.timedelta(seconds=settings.FULFILLMENT_IMPORT_LEASE_SECONDS)
    started = timezone.now() - ttl - dt.timedelta(seconds=5)
    cut_off = ImportRun.objects.create(
        store=store, trigger=ImportTrigger.SCHEDULE, started_at=started
    )
    ImportState.objects.filter(store=store).update(
        last_finished_at=started - dt.timedelta(minutes=1),
        last_started_at=started,
        lease_holder="killed-worker",
        lease_expires_at=started + ttl,
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert importing.imports_enqueue_due(now=started + dt.timedelta(minutes=1)) == []
        # Due once the lease ran out, though its hour-long interval has not.
        assert importing.imports_enqueue_due() == [store.pk]
        assert importing.imports_enqueue_due(now=timezone.now() + dt.timedelta(seconds=30)) == []

    ((store_id, trigger, requested_at),) = queued
    tasks.import_store(store_id, trigger, requested_at)
    cut_off.refresh_from_db()
    assert cut_off.status == ImportRunStatus.FAILED
    assert "worker was stopped or killed" in cut_off.error
    resumed = ImportRun.objects.filter(store=store).latest("pk")
    assert resumed.status == ImportRunStatus.SUCCEEDED
    assert Order.objects.filter(store=store).count() == first.created


@pytest.mark.django_db
def test_the_scheduled_job_runs_the_import_once_even_when_delivered_twice(
    sandbox, store_factory, queued, django_capture_on_commit_callbacks
):
    store = store_factory(sandbox)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.schedule_imports()
    ((store_id, trigger, requested_at),) = queued
    tasks.import_store(store_id, trigger, requested_at)
    tasks.import_store(store_id, trigger, requested_at)  # redelivered after a lost ack
    assert ImportRun.objects.filter(store=store).count() == 1
    assert ImportRun.objects.get().trigger == ImportTrigger.SCHEDULE


@pytest.mark.django_db
def test_a_scheduled_job_for_a_store_paused_meanwhile_does_nothing(sandbox, store_factory):
    store = store_factory(sandbox)
    store_pause(store=store)
    tasks.import_store(store.pk, "schedule", timezone.now().isoformat())
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_run_now_queues_a_manual_import_whatever_the_schedule_says(
    sandbox, store_factory, queued_jobs, django_capture_on_commit_callbacks
):
    store = store_factory(sandbox)
    lease.import_state_for(store.pk)
    ImportState.objects.filter(store=store).update(
        last_started_at=timezone.now(), next_attempt_at=timezone.now() + dt.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_request(store=store)
    # On the interactive queue: someone is waiting for it.
    assert queued_jobs[jobs.IMPORT_STORE] == []
    ((store_id, trigger, requested_at, since),) = queued_jobs[jobs.IMPORT_STORE_NOW]
    assert (store_id, trigger, since) == (store.pk, "manual", None)
    assert jobs.ROUTES[jobs.IMPORT_STORE_NOW] == jobs.INTERACTIVE_QUEUE
    tasks.import_store_now(store_id, trigger, requested_at, since)
    run = ImportRun.objects.get()
    assert (run.trigger, run.status) == (ImportTrigger.MANUAL, ImportRunStatus.SUCCEEDED)


@pytest.mark.django_db
def test_run_now_refuses_a_draft_store(sandbox, store_factory):
    store = store_factory(sandbox, active=False)
    with pytest.raises(ValidationError):
        importing.import_request(store=store)


@pytest.mark.django_db
def test_sync_store_prints_the_counts_as_json_on_its_last_line(
    sandbox, sandbox_data, store_factory
):
    store = store_factory(sandbox)
    out = io.StringIO()
    call_command("sync_store", str(store.pk), stdout=out, stderr=io.StringIO())
    counts = json.loads(out.getvalue().strip().splitlines()[-1])
    eligible = sandbox_data.eligible_sales_orders()
    assert counts["created"] == len(eligible)
    assert (counts["status"], counts["trigger"], counts["scan"]) == ("succeeded", "manual", "full")

    out = io.StringIO()
    call_command("sync_store", store.name, "--full", stdout=out, stderr=io.StringIO())
    counts = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (counts["trigger"], counts["created"], counts["unchanged"]) == (
        "rescan",
        0,
        len(eligible),
    )

    out = io.StringIO()
    call_command("sync_store", str(store.pk), "--since", "2099-01-01", stdout=out)
    counts = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (counts["scan"], counts["created"], counts["unchanged"]) == ("since", 0, 0)


@pytest.mark.django_db
def test_sync_store_exits_2_when_the_store_is_busy(sandbox, store_factory):
    store = store_factory(sandbox)
    lease.acquire(store_id=store.pk, holder="other", ttl=dt.timedelta(minutes=5))
    out = io.StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("sync_store", str(store.pk), stdout=out, stderr=io.StringIO())
    assert info.value.code == 2
    assert json.loads(out.getvalue().strip().splitlines()[-1])["status"] == "not_started"

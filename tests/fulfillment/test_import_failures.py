"""How an import fails: refused credentials or rights, throttling and server errors, runs that
die halfway, and records that cannot be imported."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.utils import timezone

from fulfillment.importing import binder, lease, rows
from fulfillment.models import (
    ImportCursor,
    ImportRun,
    ImportRunStatus,
    ImportState,
    Order,
)
from stores.models import AcumaticaCall, StoreStatus

pytestmark = pytest.mark.django_db


def imported(store) -> set[tuple[str, str]]:
    return set(Order.objects.filter(store=store).values_list("erp_order_type", "erp_order_nbr"))


def test_401_after_the_one_reauthentication_puts_the_store_in_needs_attention(
    sandbox_factory, store_factory, run_import
):
    # Tokens die the moment they are issued: the request after re-authenticating 401s too.
    sandbox = sandbox_factory(access_token_lifetime=0)
    store = store_factory(sandbox)
    run = run_import(store)
    assert run.status == ImportRunStatus.FAILED
    assert run.error_cause.startswith("NotLoggedIn: HTTP 401")
    assert run.error.startswith("Acumatica refused the store's credentials")
    store.refresh_from_db()
    assert store.status == StoreStatus.NEEDS_ATTENTION
    assert store.status_reason == run.error
    assert sum(1 for e in sandbox.request_log.entries() if e.status == 401) == 2


def test_403_names_the_entity(sandbox_factory, store_factory, run_import):
    sandbox = sandbox_factory(denied_entities=["SalesOrder"])
    store = store_factory(sandbox)
    run = run_import(store)
    assert run.status == ImportRunStatus.FAILED
    assert run.error_cause.startswith("Forbidden: HTTP 403")
    store.refresh_from_db()
    assert store.status == StoreStatus.NEEDS_ATTENTION
    assert "SalesOrder" in store.status_reason


def test_wrong_password_needs_attention(sandbox, store_factory, run_import):
    store = store_factory(sandbox, password="not-the-password")
    run = run_import(store)
    assert run.status == ImportRunStatus.FAILED
    store.refresh_from_db()
    assert store.status == StoreStatus.NEEDS_ATTENTION
    assert "credentials" in store.status_reason


def test_a_busy_instance_makes_the_run_wait_and_go_on_not_stop(
    sandbox, sandbox_data, settings, store_factory, run_import
):
    settings.FULFILLMENT_IMPORT_PAGE_SIZE = 5
    sandbox_data.seed(orders=20, lines=1)
    store = store_factory(sandbox)
    eligible = sandbox_data.eligible_sales_orders()
    # Answered 429 three times running: the client itself sends it again once, then the run
    # waits what Retry-After says, asks again and goes on.
    sandbox.faults.add(kind="error429", match="GET */SalesOrder", times=3, retry_after=1)

    run = run_import(store)

    assert run.status == ImportRunStatus.SUCCEEDED, run.error
    assert run.created == len(eligible) and not run.error
    assert imported(store) == eligible
    assert AcumaticaCall.objects.filter(store=store, status=429).count() == 3
    state = ImportState.objects.get(store=store)
    assert (state.consecutive_failures, state.next_attempt_at) == (0, None)


@pytest.mark.parametrize(
    ("fault", "cause"),
    [
        # Busy past what one run waits (none here): then it stops like the others.
        ({"kind": "error429", "times": 2}, "RateLimited"),
        ({"kind": "error500", "times": 1}, "ServerError"),
        ({"kind": "drop", "times": 1}, "TransportError"),
    ],
)
def test_throttling_and_server_errors_stop_the_run_keep_the_cursor_and_back_off(
    sandbox, sandbox_data, settings, store_factory, run_import, fault, cause
):
    settings.FULFILLMENT_IMPORT_BUSY_WAIT_SECONDS = 0
    store = store_factory(sandbox)
    run_import(store)
    cursor_before = ImportCursor.objects.get(store=store).cursor
    new = sandbox_data.create_order(
        customer="ZENWELL", lines=[{"inventory": "COFFEE-1KG", "qty": 1, "warehouse": "EAST"}]
    )

    sandbox.faults.add(match="GET */SalesOrder", **fault)
    started = timezone.now()
    failed = run_import(store)
    assert failed.status == ImportRunStatus.FAILED
    assert failed.error_cause.startswith(cause)
    assert "cursor is kept" in failed.error
    assert ImportCursor.objects.get(store=store).cursor == cursor_before
    state = ImportState.objects.get(store=store)
    assert state.consecutive_failures == 1
    assert state.next_attempt_at >= started + dt.timedelta(seconds=59)
    store.refresh_from_db()
    assert store.status == StoreStatus.ACTIVE  # nothing for a person to fix

    retried = run_import(store)
    assert retried.status == ImportRunStatus.SUCCEEDED
    assert retried.created == 1
    assert ("SO", new["OrderNbr"]["value"]) in imported(store)
    state.refresh_from_db()
    assert (state.consecutive_failures, state.next_attempt_at) == (0, None)


def test_back_off_grows_with_each_failure_up_to_the_cap(
    sandbox, store_factory, run_import, settings
):
    settings.FULFILLMENT_IMPORT_BACKOFF_CAP_SECONDS = 150
    store = store_factory(sandbox)
    sandbox.faults.add(kind="error500", match="GET */SalesOrder", times=3)
    waits = []
    for _ in range(3):
        run = run_import(store)
        state = ImportState.objects.get(store=store)
        waits.append(round((state.next_attempt_at - run.finished_at).total_seconds()))
    assert waits == [60, 120, 150]


def test_a_run_that_dies_on_the_second_page_loses_nothing_and_doubles_nothing(
    sandbox, sandbox_data, store_factory, run_import, settings
):
    settings.FULFILLMENT_IMPORT_PAGE_SIZE = 5
    sandbox_data.seed(orders=60, lines=2)
    store = store_factory(sandbox)
    eligible = sandbox_data.eligible_sales_orders()
    sandbox.faults.add(kind="error500", match="GET */SalesOrder", every=2, times=1)

    broken = run_import(store)
    assert broken.status == ImportRunStatus.PARTIAL
    assert (broken.pages, broken.created) == (1, 5)
    cursor = ImportCursor.objects.get(store=store)
    assert cursor.cursor is None  # the watermark waits for the last page
    assert (cursor.scan, cursor.scan_offset) == ("full", 5)

    resumed = run_import(store)
    assert resumed.status == ImportRunStatus.SUCCEEDED
    assert resumed.resumed_at_offset == 5
    assert resumed.created == len(eligible) - 5
    assert imported(store) == eligible
    assert Order.objects.filter(store=store).count() == len(eligible)
    assert ImportCursor.objects.get(store=store).cursor is not None


def test_a_run_killed_by_an_exception_resumes_from_its_last_committed_page(
    sandbox, sandbox_data, store_factory, run_import, settings, monkeypatch
):
    settings.FULFILLMENT_IMPORT_PAGE_SIZE = 4
    sandbox_data.seed(orders=50, lines=2)
    store = store_factory(sandbox)
    real_write = binder.write_orders
    calls = []

    def dying_write(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real_write(**kwargs)

    monkeypatch.setattr("fulfillment.importing.sync.write_orders", dying_write)
    broken = run_import(store)
    assert broken.status == ImportRunStatus.PARTIAL
    assert broken.error_cause == "RuntimeError: worker killed"
    assert broken.created == 8
    monkeypatch.undo()

    resumed = run_import(store)
    eligible = sandbox_data.eligible_sales_orders()
    assert resumed.resumed_at_offset == 8
    assert imported(store) == eligible
    assert broken.created + resumed.created == len(eligible)


def test_a_run_left_running_by_a_dead_worker_is_closed_by_the_next_one(
    sandbox, store_factory, run_import
):
    store = store_factory(sandbox)
    lease.import_state_for(store.pk)
    ImportState.objects.filter(store=store).update(
        lease_holder="dead-host:1:abc", lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    stale = ImportRun.objects.create(store=store, trigger="schedule", source_kind="sales_order")
    run = run_import(store)
    assert run.status == ImportRunStatus.SUCCEEDED
    stale.refresh_from_db()
    assert stale.status == ImportRunStatus.FAILED
    assert stale.finished_at and "stopped before finishing" in stale.error
    assert ImportState.objects.get(store=store).lease_holder == ""


def test_a_malformed_record_fails_with_its_reason_and_the_rest_of_the_page_imports(
    sandbox, sandbox_data, store_factory, run_import
):
    store = store_factory(sandbox)
    # Acumatica would not produce this through its own screens; a customisation or a broken
    # proxy could. The sandbox's data is edited in place for that.
    with sandbox.data.lock:
        record = sandbox.data.find("SalesOrder", ["SO", "000001"])
        record["Details"][1]["InventoryID"] = None
        sandbox.data.touch()
    eligible = sandbox_data.eligible_sales_orders()

    run = run_import(store)
    assert run.status == ImportRunStatus.PARTIAL
    assert run.failed == 1
    assert run.failures == [{"key": "SO 000001", "reason": "line 2: InventoryID missing"}]
    assert run.created == len(eligible) - 1
    assert imported(store) == eligible - {("SO", "000001")}

    # Fixed at the source: its LastModified moves and the next run imports it.
    requests.patch(
        f"{sandbox.site_url}/_sandbox/data/orders/SO/000001",
        json={"lines": [{"lineNbr": 2, "inventory": "MUG-CERAMIC"}]},
        timeout=10,
    ).raise_for_status()
    fixed = run_import(store)
    assert (fixed.created, fixed.failed) == (1, 0)
    assert imported(store) == eligible


def test_a_record_the_database_refuses_does_not_block_the_page(
    sandbox, sandbox_data, store_factory, run_import, monkeypatch
):
    store = store_factory(sandbox)
    eligible = sandbox_data.eligible_sales_orders()
    real_new_order = rows.new_order

    def poisoned(store, run, mapped, now):
        order = real_new_order(store, run, mapped, now)
        if mapped.erp_order_nbr == "000001":
            order.status = "x" * 100  # longer than the column: refused by PostgreSQL
            order.erp_last_modified = None  # refused by every database
        return order

    monkeypatch.setattr(rows, "new_order", poisoned)
    run = run_import(store)
    assert run.failed == 1
    assert run.failures[0]["key"] == "SO 000001"
    assert run.failures[0]["reason"].startswith("the database refused it")
    assert imported(store) == eligible - {("SO", "000001")}


def test_an_insert_that_collides_is_re_read_and_applied_as_an_update(
    sandbox, sandbox_data, store_factory, run_import, monkeypatch
):
    store = store_factory(sandbox)
    run_import(store)
    sandbox_data.edit("SO", "000001", shipTo={"City": "Boulder"})
    real_known = binder.known_orders
    blind = []

    def stale_read(store, orders, **options):
        # The first read misses the rows another writer committed: their inserts collide.
        blind.append(1)
        return {} if len(blind) == 1 else real_known(store, orders, **options)

    monkeypatch.setattr(binder, "known_orders", stale_read)
    run = run_import(store)
    assert (run.created, run.updated, run.failed) == (0, 1, 0)
    assert len(blind) == 2
    assert Order.objects.get(store=store, erp_order_nbr="000001").ship_to_city == "Boulder"

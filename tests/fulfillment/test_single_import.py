"""Importing one order now, by its number: a live read from the sandbox, written by the binder,
recorded as a run of trigger "order", without touching the store's lease or cursor."""

from __future__ import annotations

import pytest

from fulfillment.importing.single import order_import_one
from fulfillment.models import (
    ImportCursor,
    ImportRun,
    ImportRunStatus,
    ImportState,
    ImportTrigger,
    Order,
    OrderStatus,
)
from stores.models import AcumaticaCall, AuditEntry, Role

pytestmark = pytest.mark.django_db


def _open_orders(sandbox_data, *, status="Open"):
    return [o for o in sandbox_data.orders(type="SO") if o["Status"] == status]


def test_an_eligible_order_is_created_then_unchanged_without_duplicates(
    sandbox, sandbox_data, store_factory, user_factory
):
    store = store_factory(sandbox)
    operator = user_factory(Role.THREEPL_OPERATOR)
    nbr = _open_orders(sandbox_data)[0]["OrderNbr"]

    first = order_import_one(store=store, key=nbr, actor=operator)

    assert first.outcome == "created", first.reason
    assert first.order.erp_order_nbr == nbr and first.order.status == OrderStatus.READY
    assert first.order.lines.count() > 0
    run = first.run
    assert run.trigger == ImportTrigger.ORDER and run.scan == "order"
    assert run.status == ImportRunStatus.SUCCEEDED and run.finished_at is not None
    assert (run.created, run.pages) == (1, 1) and run.acumatica_requests >= 1
    assert AcumaticaCall.objects.filter(store=store, purpose="single import").exists()
    entry = AuditEntry.objects.get(action="order.import_now")
    assert entry.actor == operator and entry.store == store and entry.after["outcome"] == "created"

    again = order_import_one(store=store, key=f"SO/{nbr}", actor=operator)
    assert again.outcome == "unchanged" and again.order.pk == first.order.pk
    assert Order.objects.filter(store=store).count() == 1


def test_it_neither_takes_the_lease_nor_moves_the_cursor(
    sandbox, sandbox_data, store_factory, run_import
):
    store = store_factory(sandbox)
    run_import(store)
    cursor_before = ImportCursor.objects.get(store=store)
    state_before = ImportState.objects.get(store=store)
    nbr = _open_orders(sandbox_data)[0]["OrderNbr"]
    # Read by key, it hashes as the scan read it: nothing to write.
    assert order_import_one(store=store, key=nbr).outcome == "unchanged"

    sandbox_data.edit("SO", nbr, description="changed for the test")
    result = order_import_one(store=store, key=nbr)

    assert result.outcome == "updated", result.reason
    cursor_after = ImportCursor.objects.get(store=store)
    state_after = ImportState.objects.get(store=store)
    assert (cursor_after.cursor, cursor_after.cursor_key, cursor_after.scan) == (
        cursor_before.cursor,
        cursor_before.cursor_key,
        cursor_before.scan,
    )
    assert (state_after.lease_holder, state_after.lease_expires_at) == (
        state_before.lease_holder,
        state_before.lease_expires_at,
    )
    assert state_after.last_started_at == state_before.last_started_at
    assert result.run.cursor_before == cursor_before.cursor == result.run.cursor_after


def test_a_missing_number_is_not_found(sandbox, store_factory):
    store = store_factory(sandbox)
    result = order_import_one(store=store, key="SO/999999")
    assert result.outcome == "not_found"
    assert "SalesOrder/SO/999999" in result.reason
    assert result.run.skipped_reasons == [{"key": "SO 999999", "reason": "not found in Acumatica"}]
    assert not Order.objects.filter(store=store).exists()


def test_an_order_on_hold_is_excluded_with_the_rule(sandbox, sandbox_data, store_factory):
    store = store_factory(sandbox)
    nbr = _open_orders(sandbox_data, status="On Hold")[0]["OrderNbr"]
    result = order_import_one(store=store, key=nbr)
    assert result.outcome == "excluded"
    assert "hold" in result.reason.lower()
    assert result.order is None and not Order.objects.filter(store=store).exists()
    assert result.run.skipped == 1


def test_another_order_type_is_excluded(sandbox, sandbox_data, store_factory):
    store = store_factory(sandbox)
    other = next(o for o in sandbox_data.orders() if o["OrderType"] != "SO")
    result = order_import_one(store=store, key=f"{other['OrderType']}/{other['OrderNbr']}")
    assert result.outcome == "excluded"
    assert "order type" in result.reason
    assert not Order.objects.filter(store=store).exists()


def test_an_acumatica_error_is_a_failed_outcome_with_the_message(
    sandbox, sandbox_data, store_factory
):
    store = store_factory(sandbox)
    nbr = _open_orders(sandbox_data)[0]["OrderNbr"]
    sandbox.faults.add(kind="error500", match="GET */SalesOrder*", times=5)

    result = order_import_one(store=store, key=nbr)

    assert result.outcome == "failed"
    assert "Acumatica" in result.reason
    assert result.run.status == ImportRunStatus.FAILED and result.run.error
    assert not Order.objects.filter(store=store).exists()


def test_a_hostile_key_is_refused_without_a_call(sandbox, store_factory):
    store = store_factory(sandbox)
    for key in ("", "SO/../../x", "x" * 200, "A/B/C", "SO/0001;DROP"):
        result = order_import_one(store=store, key=key)
        assert result.outcome == "failed" and result.run is None, key
    assert not ImportRun.objects.filter(store=store).exists()

"""A reconciliation's "why isn't it imported?" reads what "Why wasn't this order imported?" reads,
through the same functions of ``importing.diagnosis``: what the newest recent run said of a key
(``recorded_reasons``) and the import's watermark (``import_watermark``), so the report and the
page name the same run and the same watermark."""

from __future__ import annotations

import datetime as dt

import pytest

from fulfillment.importing import conf as import_conf
from fulfillment.importing import order_diagnose
from fulfillment.importing.diagnosis import RecordedReason, import_watermark, recorded_reasons
from fulfillment.importing.runs import import_cursor_of
from fulfillment.models import ImportRun, ImportTrigger, SourceKind
from fulfillment.modes import mode_for
from fulfillment.reconciliation import NOT_IMPORTED, reconcile_store
from fulfillment.reconciliation.local import why_context_for

pytestmark = pytest.mark.django_db

EVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
T0 = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


def _run(store, started_at, *, failures=(), skipped=()) -> ImportRun:
    return ImportRun.objects.create(
        store=store,
        trigger=ImportTrigger.SCHEDULE,
        source_kind=SourceKind.SALES_ORDER,
        started_at=started_at,
        failures=list(failures),
        skipped_reasons=list(skipped),
    )


def test_recorded_reasons_keep_the_newest_runs_answer_for_each_key(sandbox, store_factory):
    store = store_factory(sandbox)
    other = store_factory(sandbox, name="Other")
    old = _run(store, T0, failures=[{"key": "SO 1", "reason": "old answer"}])
    new = _run(
        store,
        T0 + dt.timedelta(hours=1),
        failures=[{"key": "SO 2", "reason": "a failure"}, "not a record"],
        skipped=[{"key": "SO 1", "reason": "new answer"}, {"reason": "no key"}],
    )
    _run(other, T0 + dt.timedelta(hours=2), failures=[{"key": "SO 1", "reason": "not mine"}])

    assert recorded_reasons(store=store) == {
        "SO 1": RecordedReason(new.pk, "new answer", new.started_at),
        "SO 2": RecordedReason(new.pk, "a failure", new.started_at),
    }
    assert old.pk not in {r.run_id for r in recorded_reasons(store=store).values()}


def test_the_watermark_is_the_cursor_less_the_lookback(sandbox, store_factory, run_import):
    store = store_factory(sandbox)
    mode = mode_for(store)
    assert import_watermark(store=store, source_kind=mode.source_kind) is None
    assert why_context_for(store=store, mode=mode).watermark is None

    run_import(store)

    cursor = import_cursor_of(store=store, source_kind=mode.source_kind)
    watermark = import_watermark(store=store, source_kind=mode.source_kind)
    assert cursor is not None and watermark == cursor - import_conf.lookback()
    assert why_context_for(store=store, mode=mode).watermark == watermark


def test_the_report_and_the_page_name_the_same_run(
    sandbox, sandbox_data, store_factory, run_import
):
    store = store_factory(sandbox)
    run_import(store)
    nbr = next(o for o in sandbox_data.orders(type="SO") if o["Status"] == "On Hold")["OrderNbr"]
    sandbox_data.edit("SO", nbr, description="touched so the next scan reads it")
    skipping = run_import(store)
    assert any(item["key"] == f"SO {nbr}" for item in skipping.skipped_reasons)
    # Released in Acumatica, but last changed before the watermark: no scan reads it again.
    sandbox_data.edit("SO", nbr, hold=False, status="Open")
    sandbox_data.set_last_modified("SO", nbr, "2024-06-01T10:00:00Z")

    report = reconcile_store(store=store, since=EVER)
    diagnosis = order_diagnose(store=store, key=nbr)

    (missing,) = [d for d in report.comparison.of_kind(NOT_IMPORTED) if nbr in d.document]
    assert missing.reason.startswith(f"Import run {skipping.pk} (")
    recorded = next(c for c in diagnosis.checks if c.name == "Recorded by an import run")
    assert recorded.run_id == skipping.pk
    said = recorded_reasons(store=store)[f"SO {nbr}"].reason
    assert said.rstrip(".") in missing.reason and said in recorded.detail

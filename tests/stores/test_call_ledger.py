"""The call ledger saves every Acumatica request a store's client sends, in batches: rows wait
for a batch or a few seconds and the rest are saved when the client closes, so none is lost
and a write-back's dozen requests cost one insert."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connector.acumatica.errors import AcumaticaError
from stores.calls import CallLedger
from stores.credentials import acumatica_client_for
from stores.models import AcumaticaCall

pytestmark = pytest.mark.django_db


def _calls(store):
    return list(AcumaticaCall.objects.filter(store=store).order_by("at", "pk"))


def test_every_request_is_saved_when_the_client_closes_in_one_insert(sandbox, store_factory):
    store = store_factory(sandbox)
    with acumatica_client_for(store, purpose="import") as client:
        for _ in range(3):
            client.list("SalesOrder", top=1)
        assert _calls(store) == []  # waiting for the batch
        with CaptureQueriesContext(connection) as queries:
            client.close()
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    calls = _calls(store)
    # The sign-in, then the three reads, each with its own time, method and outcome.
    assert [c.method for c in calls][-3:] == ["GET"] * 3
    assert all(c.purpose == "import" and c.status == 200 for c in calls)
    assert all("/SalesOrder" in c.path for c in calls[-3:])
    assert calls[0].at <= calls[-1].at


def test_a_full_batch_is_saved_at_once(sandbox, store_factory, monkeypatch):
    monkeypatch.setattr(CallLedger, "FLUSH_AT", 2)
    store = store_factory(sandbox)
    with acumatica_client_for(store, purpose="import") as client:
        client.sign_in()
        client.list("SalesOrder", top=1)
        assert len(_calls(store)) == 2
        client.list("SalesOrder", top=1)
        assert len(_calls(store)) == 2
    assert len(_calls(store)) == 3


def test_rows_do_not_wait_longer_than_the_flush_interval(sandbox, store_factory, monkeypatch):
    monkeypatch.setattr(CallLedger, "FLUSH_AFTER_SECONDS", 0)
    store = store_factory(sandbox)
    with acumatica_client_for(store, purpose="import") as client:
        client.sign_in()
        client.list("SalesOrder", top=1)
        assert len(_calls(store)) == 2


def test_a_failed_call_keeps_acumaticas_answer(sandbox, store_factory):
    store = store_factory(sandbox)
    sandbox.faults.add(kind="error500", match="GET */SalesOrder", times=1)
    with acumatica_client_for(store, purpose="import") as client, pytest.raises(AcumaticaError):
        client.list("SalesOrder", top=1)
    [failed] = [c for c in _calls(store) if c.status == 500]
    assert failed.response_excerpt


def test_rows_that_cannot_be_saved_do_not_fail_the_work(sandbox, store_factory, monkeypatch):
    store = store_factory(sandbox)

    def refuse(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(AcumaticaCall.objects, "bulk_create", refuse)
    with acumatica_client_for(store, purpose="import") as client:
        records = client.list("SalesOrder", top=1)
    assert len(records) == 1
    assert _calls(store) == []

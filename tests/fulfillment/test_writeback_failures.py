"""What goes wrong, and that it ends with exactly one Shipment or a clear reason: lost replies,
a worker stopped mid-way, 422, unmapped carriers, 500/429 with back-off, refusals, read-back
mismatches, rights."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import requests
from django.utils import timezone

from connector.acumatica import ConnectionSettings, InstanceLimits
from connector.acumatica import Outcome as LimiterOutcome
from connector.limits import shared_limiter
from fulfillment.models import (
    FulfillmentPackage,
    FulfillmentStatus,
    OrderStatus,
    WriteBackAttempt,
    WriteBackOutbox,
    WriteBackProgress,
)
from fulfillment.writeback.drain import writeback_drain
from fulfillment.writeback.engine import writeback_run
from fulfillment.writeback.exporter import ShipmentExporter
from fulfillment.writeback.services import writeback_release_held, writeback_reprocess
from stores.models import StoreStatus
from stores.services import store_activate

from .writeback_support import (
    assert_written_as_sent,
    fulfill,
    map_carrier,
    open_orders,
    outbox_row,
    shipments_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_order(sandbox, store_factory, run_import):
    def make(*, seed: int = 11, **store_fields):
        store = store_factory(sandbox, **store_fields)
        map_carrier(store)
        (order,) = open_orders(sandbox, store, run_import, count=1, seed=seed)
        return store, order

    return make


def _expire_lease(fulfillment) -> None:
    WriteBackOutbox.objects.filter(fulfillment=fulfillment).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )


def _attempts(fulfillment) -> list[WriteBackAttempt]:
    return list(fulfillment.attempts_log.order_by("number"))


def test_a_lost_reply_to_the_put_never_makes_a_second_shipment(sandbox, one_order, settings):
    _, order = one_order()
    fulfillment = fulfill(order, packages=2)
    sandbox.faults.add(kind="lost_reply", match="PUT */Shipment", times=1)

    first = writeback_run(fulfillment_id=fulfillment.pk)

    assert first.outcome == WriteBackAttempt.Outcome.RETRY
    assert "lost" in first.error
    assert first.calls[-1]["kind"] == "put" and first.calls[-1]["status"] is None
    assert len(shipments_for(sandbox, fulfillment.reference)) == 1  # it did land
    row = outbox_row(fulfillment)
    # Looked for again at once; nothing new may be written while the lost write may still run.
    assert row.due_at < timezone.now() + dt.timedelta(seconds=5)
    assert row.writes_blocked_until > timezone.now() + dt.timedelta(minutes=9)
    assert row.lease_holder == "" and row.lease_until is None

    second = writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True)

    fulfillment.refresh_from_db()
    assert second.outcome == WriteBackAttempt.Outcome.SUCCEEDED, second.error
    kinds = [c["kind"] for c in second.calls if c["kind"] not in ("auth", "poll")]
    # Found by its reference ("already exported"), then confirmed: no second PUT.
    assert kinds == ["find", "find", "confirm", "read_back"]
    assert_written_as_sent(sandbox, fulfillment)


def test_a_lost_write_not_found_writes_nothing_until_it_cannot_be_running(sandbox, one_order):
    _, order = one_order()
    fulfillment = fulfill(order)
    sandbox.faults.add(kind="drop", match="PUT */Shipment", times=1)

    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "retry"
    second = writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True)

    # Searched at once, found nothing: no PUT while the dropped one may still be queued there.
    assert second.outcome == WriteBackAttempt.Outcome.RETRY
    assert "written anew only from" in second.error
    kinds = [c["kind"] for c in second.calls if c["kind"] not in ("auth", "poll")]
    assert kinds == ["find"]
    row = outbox_row(fulfillment)
    assert row.due_at >= row.writes_blocked_until - dt.timedelta(seconds=1)
    assert shipments_for(sandbox, fulfillment.reference) == []


def test_a_dropped_put_is_searched_for_then_written_once(sandbox, one_order, settings):
    settings.FULFILLMENT_WRITEBACK_LOST_WRITE_WAIT_SECONDS = 0
    _, order = one_order()
    fulfillment = fulfill(order)
    sandbox.faults.add(kind="drop", match="PUT */Shipment", times=1)

    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "retry"
    assert shipments_for(sandbox, fulfillment.reference) == []
    second = writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True)

    assert second.outcome == WriteBackAttempt.Outcome.SUCCEEDED, second.error
    kinds = [c["kind"] for c in second.calls if c["kind"] not in ("auth", "poll")]
    assert kinds == ["find", "put", "confirm", "read_back"]
    fulfillment.refresh_from_db()
    assert_written_as_sent(sandbox, fulfillment)


def test_a_confirm_that_never_arrived_is_sent_on_the_next_attempt(sandbox, one_order):
    _, order = one_order()
    fulfillment = fulfill(order)
    sandbox.faults.add(kind="drop", match="POST */Shipment/ConfirmShipment", times=1)

    first = writeback_run(fulfillment_id=fulfillment.pk)
    fulfillment.refresh_from_db()
    assert first.outcome == WriteBackAttempt.Outcome.RETRY
    assert fulfillment.progress == WriteBackProgress.SHIPMENT_SAVED
    assert fulfillment.erp_shipment_nbr
    (shipment,) = shipments_for(sandbox, fulfillment.reference)
    assert shipment["Status"] == "Open"

    second = writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True)

    assert second.outcome == WriteBackAttempt.Outcome.SUCCEEDED, second.error
    kinds = [c["kind"] for c in second.calls if c["kind"] not in ("auth", "poll")]
    assert kinds == ["find", "confirm", "read_back"]  # by its saved number
    fulfillment.refresh_from_db()
    assert_written_as_sent(sandbox, fulfillment)


def test_a_lost_reply_to_the_confirmation_is_read_back_not_confirmed_twice(sandbox, one_order):
    _, order = one_order()
    fulfillment = fulfill(order)
    sandbox.faults.add(kind="lost_reply", match="POST */Shipment/ConfirmShipment", times=1)

    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "retry"
    # The confirmation runs on in Acumatica; the back-off outlasts it.
    time.sleep(sandbox.config.action_duration + 0.1)
    second = writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True)

    assert second.outcome == WriteBackAttempt.Outcome.SUCCEEDED, second.error
    kinds = [c["kind"] for c in second.calls if c["kind"] not in ("auth", "poll")]
    assert kinds == ["find"]  # already Confirmed: the read is the read-back
    fulfillment.refresh_from_db()
    assert_written_as_sent(sandbox, fulfillment)


class WorkerStopped(BaseException):
    """Like a worker killed mid-task: nothing below catches it."""


def test_a_worker_stopped_between_the_put_and_the_confirm(sandbox, one_order, monkeypatch):
    _, order = one_order()
    fulfillment = fulfill(order, packages=2)

    def stop(self, nbr):
        raise WorkerStopped

    with monkeypatch.context() as patch:
        patch.setattr(ShipmentExporter, "_confirm", stop)
        with pytest.raises(WorkerStopped):
            writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITING
    assert fulfillment.progress == WriteBackProgress.SHIPMENT_SAVED
    assert fulfillment.erp_shipment_nbr  # saved the moment the PUT answered
    (abandoned,) = _attempts(fulfillment)
    assert abandoned.outcome == WriteBackAttempt.Outcome.RUNNING
    assert [c["kind"] for c in abandoned.calls if c["kind"] != "auth"] == ["put"]
    # Its lease still holds, renewed before the PUT for as long as a write in flight could
    # still land: a redelivered task cannot start (and search too early) until it expires.
    assert outbox_row(fulfillment).lease_until > timezone.now() + dt.timedelta(minutes=10)
    assert writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True) is None

    _expire_lease(fulfillment)
    resumed = writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    assert resumed.outcome == WriteBackAttempt.Outcome.SUCCEEDED, resumed.error
    abandoned.refresh_from_db()
    assert abandoned.outcome == WriteBackAttempt.Outcome.RETRY
    assert "stopped" in abandoned.error
    assert_written_as_sent(sandbox, fulfillment)


def test_a_shipment_changed_in_acumatica_before_the_confirm_is_not_confirmed(
    sandbox, one_order, monkeypatch
):
    _, order = one_order()
    fulfillment = fulfill(order)
    with monkeypatch.context() as patch:
        patch.setattr(
            ShipmentExporter, "_confirm", lambda self, nbr: (_ for _ in ()).throw(WorkerStopped())
        )
        with pytest.raises(WorkerStopped):
            writeback_run(fulfillment_id=fulfillment.pk)
    fulfillment.refresh_from_db()
    with sandbox.data.lock:
        stored = sandbox.data.find("Shipment", [fulfillment.erp_shipment_nbr])
        stored["Packages"][0]["TrackingNbr"] = "EDITED-BY-HAND"
    _expire_lease(fulfillment)

    attempt = writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    assert attempt.outcome == WriteBackAttempt.Outcome.FAILED
    assert fulfillment.status == FulfillmentStatus.FAILED
    assert "not confirmed" in fulfillment.last_error
    assert any("TrackingNbr" in f["path"] for f in fulfillment.last_error_fields)
    (shipment,) = shipments_for(sandbox, fulfillment.reference)
    assert shipment["Status"] == "Open"
    assert outbox_row(fulfillment) is None


def test_an_unknown_box_fails_at_once_with_acumaticas_field_message(sandbox, one_order):
    _, order = one_order()
    fulfillment = fulfill(order, box_id="NOSUCHBOX")

    attempt = writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    assert attempt.outcome == WriteBackAttempt.Outcome.FAILED
    assert fulfillment.status == FulfillmentStatus.FAILED
    assert {"path": "Packages[0].BoxID", "message": "'Box ID' cannot be found in the system."} in (
        fulfillment.last_error_fields
    )
    assert "Box ID" in fulfillment.last_error
    assert outbox_row(fulfillment) is None  # no retry
    assert shipments_for(sandbox, fulfillment.reference) == []
    order.refresh_from_db()
    assert order.status == OrderStatus.ERROR
    assert fulfillment.reference in order.status_reason

    # Fixed, then reprocessed: written once.
    FulfillmentPackage.objects.filter(fulfillment=fulfillment).update(box_id="LARGE")
    writeback_reprocess(fulfillment=fulfillment)
    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "succeeded"
    fulfillment.refresh_from_db()
    assert_written_as_sent(sandbox, fulfillment)
    order.refresh_from_db()
    assert order.status == OrderStatus.WRITTEN_BACK


def test_an_unmapped_carrier_holds_without_calling_acumatica_then_is_released(sandbox, one_order):
    store, order = one_order()
    fulfillment = fulfill(order, carrier="DHL", service="Express")
    sandbox.request_log.clear()

    attempt = writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    assert attempt.outcome == WriteBackAttempt.Outcome.HELD
    assert attempt.calls == []
    assert sandbox.request_log.entries() == []
    assert fulfillment.status == FulfillmentStatus.HELD
    assert "No Ship Via mapped for carrier 'DHL' service 'Express'" in fulfillment.status_reason
    assert f"/stores/{store.pk}/carriers/" in fulfillment.status_reason
    # Looked at again later on its own; until then, and while still unmapped, nothing runs.
    assert outbox_row(fulfillment).due_at > timezone.now()
    assert writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True) is None
    assert fulfillment.attempts_log.count() == 1
    assert writeback_release_held(store=store) == []

    map_carrier(store, carrier="DHL", service="", ship_via="LOCAL")
    assert writeback_release_held(store=store) == [fulfillment.pk]
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.PENDING

    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "succeeded"
    fulfillment.refresh_from_db()
    shipment = assert_written_as_sent(sandbox, fulfillment)
    assert shipment["ShipVia"] == "LOCAL"


@pytest.mark.parametrize(
    ("fault", "status"),
    [({"kind": "error500"}, 500), ({"kind": "error429", "retry_after": 1}, 429)],
)
def test_server_errors_and_throttling_retry_after_a_back_off(sandbox, one_order, fault, status):
    _, order = one_order()
    fulfillment = fulfill(order)
    sandbox.faults.add(match="PUT */Shipment", times=1, **fault)

    before = timezone.now()
    first = writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    assert first.outcome == WriteBackAttempt.Outcome.RETRY
    assert first.calls[-1]["status"] == status
    assert fulfillment.status == FulfillmentStatus.PENDING
    assert "next at" in fulfillment.status_reason
    row = outbox_row(fulfillment)
    # base 30 s, with jitter between half and all of it
    assert (
        before + dt.timedelta(seconds=15) <= row.due_at <= timezone.now() + dt.timedelta(seconds=31)
    )
    assert row.lease_until is None
    assert writeback_run(fulfillment_id=fulfillment.pk) is None  # not due yet

    WriteBackOutbox.objects.filter(fulfillment=fulfillment).update(due_at=timezone.now())
    second = writeback_run(fulfillment_id=fulfillment.pk)

    assert second.outcome == WriteBackAttempt.Outcome.SUCCEEDED, second.error
    fulfillment.refresh_from_db()
    assert [a.number for a in _attempts(fulfillment)] == [1, 2]
    assert_written_as_sent(sandbox, fulfillment)


def test_the_back_off_grows_and_retries_run_out(sandbox, one_order, settings):
    settings.FULFILLMENT_WRITEBACK_MAX_ATTEMPTS = 3
    _, order = one_order()
    fulfillment = fulfill(order)
    sandbox.faults.add(kind="error429", match="PUT */Shipment")

    waits = []
    for _ in range(3):
        started = timezone.now()
        attempt = writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True)
        row = outbox_row(fulfillment)
        if row is not None:
            waits.append((row.due_at - started).total_seconds())

    fulfillment.refresh_from_db()
    assert attempt.outcome == WriteBackAttempt.Outcome.FAILED
    assert fulfillment.status == FulfillmentStatus.FAILED
    assert fulfillment.last_error.startswith("Gave up after 3 attempts in a row")
    assert 15 <= waits[0] <= 31 and 30 <= waits[1] <= 61


def test_the_same_business_refusal_three_times_fails_with_its_message(sandbox, one_order):
    _, order = one_order()
    fulfillment = fulfill(order)
    sandbox.faults.add(
        kind="error500",
        match="PUT */Shipment",
        exception_type="PX.Data.PXException",
        exception_message="The document cannot be saved: the financial period is closed.",
    )

    outcomes = [
        writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True).outcome for _ in range(3)
    ]

    fulfillment.refresh_from_db()
    assert outcomes == ["retry", "retry", "failed"]
    assert "refused it 3 times" in fulfillment.last_error
    assert "financial period is closed" in fulfillment.last_error


def test_a_generic_operation_failed_is_not_taken_for_a_refusal(sandbox, one_order, settings):
    _, order = one_order()
    fulfillment = fulfill(order)
    sandbox.faults.add(kind="error500", match="PUT */Shipment", times=3)

    outcomes = [
        writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True).outcome for _ in range(4)
    ]

    assert outcomes == ["retry", "retry", "retry", "succeeded"]


def test_package_contents_the_endpoint_drops_fail_the_read_back(
    sandbox_factory, store_factory, run_import
):
    sandbox = sandbox_factory(package_contents_exposed=False)
    store = store_factory(sandbox, include_package_contents=True)
    map_carrier(store)
    (order,) = open_orders(sandbox, store, run_import, count=1, seed=12)
    fulfillment = fulfill(order, packages=2)

    attempt = writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    assert attempt.outcome == WriteBackAttempt.Outcome.FAILED
    assert "differs from what was sent (not confirmed)" in fulfillment.last_error
    assert all("PackageContents" in f["path"] for f in fulfillment.last_error_fields)
    assert "Include package contents" in fulfillment.last_error_fields[0]["message"]
    (shipment,) = shipments_for(sandbox, fulfillment.reference)
    assert shipment["Status"] == "Open"  # never confirmed
    assert not any(c["kind"] == "confirm" for c in attempt.calls)


def test_weights_in_another_unit_than_acumaticas_fail_the_read_back(sandbox, one_order, settings):
    settings.FULFILLMENT_WRITEBACK_WEIGHT_UOM = "KG"
    _, order = one_order()
    fulfillment = fulfill(order)

    writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.FAILED
    assert any(
        "FULFILLMENT_WRITEBACK_WEIGHT_UOM=LB" in f["message"] for f in fulfillment.last_error_fields
    )


def test_no_rights_on_shipments_holds_and_flags_the_store(sandbox, one_order):
    store, order = one_order()
    fulfillment = fulfill(order)
    requests.patch(
        f"{sandbox.site_url}/_sandbox/config", json={"denied_entities": ["Shipment"]}, timeout=10
    ).raise_for_status()

    attempt = writeback_run(fulfillment_id=fulfillment.pk)

    fulfillment.refresh_from_db()
    store.refresh_from_db()
    assert attempt.outcome == WriteBackAttempt.Outcome.HELD
    assert fulfillment.status == FulfillmentStatus.HELD
    assert "Shipment" in fulfillment.status_reason
    assert store.status == StoreStatus.NEEDS_ATTENTION
    assert outbox_row(fulfillment) is not None

    # While the store needs attention nothing is tried (no attempt, no call).
    sandbox.request_log.clear()
    assert writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True) is None
    assert sandbox.request_log.entries() == []

    requests.patch(
        f"{sandbox.site_url}/_sandbox/config", json={"denied_entities": []}, timeout=10
    ).raise_for_status()
    store_activate(store=store, force_reason="rights fixed")
    assert writeback_run(fulfillment_id=fulfillment.pk, ignore_due=True).outcome == "succeeded"
    fulfillment.refresh_from_db()
    assert_written_as_sent(sandbox, fulfillment)


def test_a_failing_instance_is_not_hammered(sandbox, store_factory, run_import):
    store = store_factory(sandbox)
    map_carrier(store)
    orders = open_orders(sandbox, store, run_import, count=7, seed=13)
    fulfillments = [fulfill(order) for order in orders]
    sandbox.faults.add(kind="error500", match="PUT */Shipment")
    key = ConnectionSettings(store.instance_url).instance_key
    try:
        summary = writeback_drain(store=store, ignore_due=True)
    finally:
        shared_limiter().report(key, LimiterOutcome.OK)  # close the breaker for other tests

    puts = [e for e in sandbox.request_log.entries() if e.method == "PUT"]
    # The breaker opens after 5 failures in a row; what follows is not even sent.
    assert len(puts) == InstanceLimits().failure_threshold
    assert (summary.pending, summary.failed) == (len(fulfillments), 0)
    held_back = WriteBackAttempt.objects.filter(error__startswith="Not sent")
    assert held_back.exists() and all(a.calls == [] for a in held_back)

"""Reconciliation (issue 14): against the sandbox with four planted divergences — an imported
order deleted here, an order cancelled in Acumatica, a write-back held for an unmapped carrier,
a tracking number edited in Acumatica — the report lists exactly those four, backfill fixes
them and a second reconciliation finds nothing; 10,000 orders cost at most one request per 500
keys plus a constant; one merchant never sees another's reports."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from connector.acumatica.values import value_of
from console import tasks as console_tasks  # noqa: F401  (registers the reconciliation jobs)
from console.reconciliation.models import (
    BackfillState,
    DifferenceKind,
    ReconciliationReport,
    ReportStatus,
)
from console.reconciliation.services import (
    reconciliation_backfill_request,
    reconciliation_request,
    reconciliation_run_now,
    reconciliations_prune,
    reconciliations_schedule,
)
from fulfillment import jobs
from fulfillment.models import FulfillmentStatus, Order, OrderStatus
from fulfillment.reconciliation import KIND_LABELS, KINDS
from fulfillment.writeback.engine import writeback_run
from stores.credentials import acumatica_client_for
from stores.models import Role

from .writeback_support import (
    fulfill,
    map_carrier,
    shipment_package_edit,
    shipments_for,
    written_back,
)

pytestmark = pytest.mark.django_db

EVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _open_orders(store, sandbox_data, count: int) -> list[Order]:
    """Ready orders here that are Open (not Back Order) in Acumatica, with open lines."""
    open_now = {o["OrderNbr"] for o in sandbox_data.orders(type="SO") if o["Status"] == "Open"}
    found = []
    for order in Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk"):
        if order.erp_order_nbr in open_now and all(
            line.open_quantity > 0 for line in order.lines.all()
        ):
            found.append(order)
    assert len(found) >= count, "the sandbox seed has too few Open orders"
    return found[:count]


def _edit_tracking_in_acumatica(store, shipment_nbr: str, number: str) -> None:
    shipment = shipment_package_edit(store, shipment_nbr, TrackingNbr=number)
    assert value_of(shipment["Packages"][0], "TrackingNbr") == number
    assert value_of(shipment, "Status") == "Confirmed"


@pytest.fixture
def planted(sandbox_factory, store_factory, run_import, sandbox_data_for):
    """A store imported from the sandbox, then the four divergences."""
    sandbox = sandbox_factory(orders=60, action_duration=0)
    data = sandbox_data_for(sandbox)
    store = store_factory(sandbox)
    map_carrier(store)
    run_import(store)
    deleted, cancelled, held_order, edited_order = _open_orders(store, data, 4)

    shipped = written_back(edited_order)
    original_tracking = shipped.packages.get().tracking_number
    _edit_tracking_in_acumatica(store, shipped.erp_shipment_nbr, "EDITED-IN-ACUMATICA")

    held = fulfill(held_order, carrier="FEDEX", service="2DAY")
    writeback_run(fulfillment_id=held.pk)
    held.refresh_from_db()
    assert held.status == FulfillmentStatus.HELD

    deleted_key = (deleted.erp_order_type, deleted.erp_order_nbr)
    deleted.delete()
    data.cancel(cancelled.erp_order_type, cancelled.erp_order_nbr)
    return {
        "sandbox": sandbox,
        "store": store,
        "deleted": " ".join(deleted_key),
        "cancelled": cancelled,
        "held": held,
        "shipped": shipped,
        "tracking": original_tracking,
    }


@pytest.fixture
def sandbox_data_for():
    from .conftest import SandboxData

    return SandboxData


def test_the_report_lists_exactly_the_four_planted_divergences_and_backfill_fixes_them(
    planted, user_factory, jobs_run_here, django_capture_on_commit_callbacks
):
    store = planted["store"]
    report = reconciliation_run_now(store=store, since=EVER)
    assert report.status == ReportStatus.FINISHED, report.error

    found = {(d.kind, d.document) for d in report.differences.all()}
    held, shipped, cancelled = planted["held"], planted["shipped"], planted["cancelled"]
    assert found == {
        (DifferenceKind.NOT_IMPORTED, planted["deleted"]),
        (DifferenceKind.NO_LONGER_ELIGIBLE, cancelled.document_label),
        (DifferenceKind.NO_SHIPMENT, f"{held.order.document_label} · {held.reference}"),
        (DifferenceKind.SHIPMENT_DIFFERS, f"{shipped.order.document_label} · {shipped.reference}"),
    }
    reasons = {d.kind: d for d in report.differences.all()}
    assert "import it now" in reasons[DifferenceKind.NOT_IMPORTED].reason.lower()
    assert "Cancelled in Acumatica" in reasons[DifferenceKind.NO_LONGER_ELIGIBLE].reason
    assert reasons[DifferenceKind.NO_LONGER_ELIGIBLE].source_status.startswith("Canceled")
    assert "held" in reasons[DifferenceKind.NO_SHIPMENT].reason.lower()
    assert "FEDEX" in reasons[DifferenceKind.NO_SHIPMENT].reason
    differs = reasons[DifferenceKind.SHIPMENT_DIFFERS]
    assert "EDITED-IN-ACUMATICA" in differs.reason and planted["tracking"] in differs.reason
    counts = report.counts
    assert counts["shipped"] == 2 and counts["written_back"] == 1 and counts["confirmed"] == 0
    # Here: every eligible one but the deleted one, and the completed and the cancelled ones.
    assert counts["imported"] == counts["eligible"] - 1 + 2
    assert counts["pulled"] == 2  # the two shipped

    # The person's fix for the held one: the missing carrier mapping (its release job is not
    # run here: the backfill is what writes it back).
    map_carrier(store, carrier="FEDEX", service="2DAY", ship_via="FEDEX2DAY")
    staff = user_factory(Role.THREEPL_OPERATOR)
    with django_capture_on_commit_callbacks(execute=True):
        queued = reconciliation_backfill_request(
            report=report, row_ids=report.differences.values_list("pk", flat=True), actor=staff
        )
    assert len(queued) == 4
    rows = list(report.differences.order_by("kind"))
    assert [r.backfill_state for r in rows] == [BackfillState.FIXED] * 4, [
        (r.kind, r.backfill_outcome) for r in rows
    ]

    # What each backfill did, as Acumatica and this side now hold it.
    assert Order.objects.filter(
        store=store, erp_order_nbr=planted["deleted"].split()[1], status=OrderStatus.READY
    ).exists()
    cancelled.refresh_from_db()
    assert cancelled.status == OrderStatus.CANCELLED_AT_SOURCE
    held.refresh_from_db()
    assert held.status == FulfillmentStatus.WRITTEN_BACK and held.erp_shipment_nbr
    shipped.refresh_from_db()
    assert shipped.status == FulfillmentStatus.WRITTEN_BACK
    (shipment,) = shipments_for(planted["sandbox"], shipped.reference)
    assert shipment["Status"] == "Confirmed"
    assert [p["TrackingNbr"] for p in shipment["Packages"]] == [planted["tracking"]]

    again = reconciliation_run_now(store=store, since=EVER)
    assert again.status == ReportStatus.FINISHED
    assert list(again.differences.values_list("kind", "document")) == []
    assert again.counts["confirmed"] == again.counts["shipped"] == 2


def test_a_shipment_gone_from_acumatica_is_written_again_by_the_backfill(
    sandbox_factory, store_factory, run_import, jobs_run_here, django_capture_on_commit_callbacks
):
    sandbox = sandbox_factory(orders=30, action_duration=0)
    store = store_factory(sandbox)
    map_carrier(store)
    run_import(store)
    order = Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk").first()
    fulfillment = written_back(order)
    gone = fulfillment.erp_shipment_nbr
    with acumatica_client_for(store, purpose="test") as client:
        keys = {"Type": "Shipment", "ShipmentNbr": gone}
        client.invoke_action("Shipment", "CorrectShipment", keys, poll_interval=0.05)
        client.delete("Shipment", gone)

    report = reconciliation_run_now(store=store, since=EVER)
    (row,) = report.differences.all()
    assert row.kind == DifferenceKind.NO_SHIPMENT and gone in row.reason
    with django_capture_on_commit_callbacks(execute=True):
        reconciliation_backfill_request(report=report, row_ids=[row.pk])
    row.refresh_from_db()
    assert row.backfill_state == BackfillState.FIXED, row.backfill_outcome
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK
    assert fulfillment.erp_shipment_nbr != gone
    assert len(shipments_for(sandbox, fulfillment.reference)) == 1
    assert not reconciliation_run_now(store=store, since=EVER).differences.exists()


def test_an_order_deleted_in_acumatica_is_listed_and_left_for_a_person(
    sandbox, sandbox_data, store_factory, run_import
):
    store = store_factory(sandbox)
    run_import(store)
    order = _open_orders(store, sandbox_data, 1)[0]
    with acumatica_client_for(store, purpose="test") as client:
        client.delete("SalesOrder", order.erp_order_type, order.erp_order_nbr)
    # The import copied its LastModified: the window holds it, Acumatica no longer answers it.
    report = reconciliation_run_now(store=store, since=order.erp_last_modified)
    (row,) = report.differences.all()
    assert (row.kind, row.order_id) == (DifferenceKind.NO_LONGER_ELIGIBLE, order.pk)
    assert "no longer returns it" in row.reason
    call = io.StringIO()
    call_command(
        "reconcile",
        str(store.pk),
        "--since",
        order.erp_last_modified.isoformat(),
        "--backfill",
        "no_longer_eligible",
        stdout=call,
    )
    summary = json.loads(call.getvalue().strip().splitlines()[-1])
    assert summary["differences"] == {"no_longer_eligible": 1}
    assert summary["backfill"] == {"done": 1, "fixed": 0}
    assert "skip it on its order page" in call.getvalue()
    order.refresh_from_db()
    assert order.status == OrderStatus.READY  # untouched: skipping it is a person's decision


def test_10000_orders_cost_at_most_one_request_per_500_keys_plus_a_constant(
    sandbox_factory, store_factory, sandbox_data_for
):
    sandbox = sandbox_factory(orders=0)
    data = sandbox_data_for(sandbox)
    data.seed(orders=10_000, lines=1)
    store = store_factory(sandbox)
    sandbox.request_log.clear()
    report = reconciliation_run_now(store=store, since=None)
    assert report.status == ReportStatus.FINISHED, report.error
    entries = sandbox.request_log.entries()
    sales_order_pages = [e for e in entries if e.path.endswith("/SalesOrder")]
    orders_in_scope = sum(1 for o in data.orders(type="SO", limit=20_000) if o["OrderType"] == "SO")
    assert orders_in_scope > 9_000
    assert len(sales_order_pages) <= orders_in_scope // 500 + 1
    # Every request the reconciliation sent, sign-in included, is what the report says it cost.
    assert report.acumatica_requests == len(entries)
    assert len(entries) <= report.keys_read // 500 + 4, (len(entries), report.keys_read)
    # Nothing is imported yet: every eligible order is listed, each with its reason.
    assert report.difference_counts == {"not_imported": report.counts["eligible"]}
    sample = report.differences.first()
    assert (
        sample.reason
        == "No import of this store has finished a scan yet: the first one imports it."
    )


def test_the_daily_job_queues_each_active_store_once_and_prunes_old_reports(
    sandbox, store_factory, queued_jobs, settings
):
    active = store_factory(sandbox)
    store_factory(sandbox, active=False)
    old = ReconciliationReport.objects.create(
        store=active,
        trigger="schedule",
        window_until=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        first = reconciliations_schedule()
        second = reconciliations_schedule()
    assert len(first) == 1 and second == []
    assert queued_jobs[jobs.RECONCILE_STORE] == [(first[0],)]
    report = ReconciliationReport.objects.get(pk=first[0])
    assert report.store == active
    assert report.window_until - report.window_since == dt.timedelta(hours=25)
    assert not ReconciliationReport.objects.filter(pk=old.pk).exists()
    assert reconciliations_prune() == 0
    from connector.celery import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["console-reconcile-stores"]["task"] == jobs.RECONCILE_STORES
    assert jobs.ROUTES[jobs.RECONCILE_STORE_NOW] == jobs.INTERACTIVE_QUEUE


def test_the_console_model_and_the_comparer_name_the_same_kinds():
    assert [(k, KIND_LABELS[k]) for k in KINDS] == list(DifferenceKind.choices)


def test_reconcile_on_demand_from_the_store_page_queues_a_report_for_staff_only(
    client, sandbox, store_factory, user_factory, queued_jobs, django_capture_on_commit_callbacks
):
    store = store_factory(sandbox)
    url = reverse("console:store_reconcile", args=[store.pk])
    merchant_user = user_factory(Role.MERCHANT_USER, merchant=store.merchant)
    client.force_login(merchant_user)
    assert client.get(url).status_code == 404
    staff = user_factory(Role.THREEPL_OPERATOR)
    client.force_login(staff)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"since": "2999-01-01T00:00"})
    assert refused.status_code == 400 and "future" in refused.content.decode()
    refused = client.post(url, {})
    assert refused.status_code == 400 and "Everything" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"since": "2025-01-01T00:00"})
    report = ReconciliationReport.objects.get(store=store)
    assert response.status_code == 302 and response.url.endswith(f"/{report.pk}/")
    assert queued_jobs[jobs.RECONCILE_STORE_NOW] == [(report.pk,)]
    assert report.status == ReportStatus.QUEUED and report.requested_by == staff
    page = client.get(response.url)
    assert 'http-equiv="refresh"' in page.content.decode()


def test_report_pages_and_csv_for_their_merchant_only_with_formulas_defused(
    client, sandbox, sandbox_data, store_factory, run_import, user_factory, merchant_factory
):
    store = store_factory(sandbox)
    run_import(store)
    order = _open_orders(store, sandbox_data, 1)[0]
    order.delete()
    report = reconciliation_run_now(store=store, since=EVER)
    row = report.differences.get()
    row.reason = "=HYPERLINK(1)"
    row.save()
    detail = reverse("console:reconciliation_detail", args=[report.pk])
    export = reverse("console:reconciliation_export", args=[report.pk])

    other = user_factory(Role.MERCHANT_USER, merchant=merchant_factory("Someone Else"))
    client.force_login(other)
    for url in (detail, export):
        assert client.get(url).status_code == 404
    assert client.post(detail, {"row": [row.pk]}).status_code == 404
    listing = client.get(reverse("console:reconciliation_list"))
    assert store.name not in listing.content.decode()

    own = user_factory(Role.MERCHANT_USER, merchant=store.merchant)
    client.force_login(own)
    page = client.get(detail).content.decode()
    assert row.document in page and "Import now" in page
    assert 'name="row"' not in page  # reading only: backfill is for 3PL staff
    assert client.post(detail, {"row": [row.pk]}).status_code == 404
    csv_text = b"".join(client.get(export).streaming_content).decode()
    assert "'=HYPERLINK(1)" in csv_text and row.document in csv_text

    staff = user_factory(Role.THREEPL_OPERATOR)
    client.force_login(staff)
    assert 'name="row"' in client.get(detail).content.decode()
    bad = client.post(detail, {"row": ["999999"]}, follow=True)
    assert "not in this report" in bad.content.decode()


def test_reconcile_refuses_a_draft_store_and_says_why(sandbox, store_factory):
    store = store_factory(sandbox, active=False)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="activate"):
        reconciliation_request(store=store, since=EVER)


def test_acumatica_refusing_the_reconciliation_fails_the_report_with_the_cause(
    sandbox, store_factory
):
    store = store_factory(sandbox)
    import requests

    requests.post(
        f"{sandbox.site_url}/_sandbox/faults",
        json=[{"match": "GET */SalesOrder*", "kind": "error500"}],
        timeout=10,
    ).raise_for_status()
    report = reconciliation_run_now(store=store, since=EVER)
    assert report.status == ReportStatus.FAILED
    assert report.error.startswith("Acumatica could not be read")
    assert not report.differences.exists()


def test_the_health_page_shows_a_merchant_only_its_own_stores(
    client, sandbox, store_factory, run_import, user_factory, merchant_factory
):
    mine = store_factory(sandbox, name="My Health Store")
    theirs = store_factory(sandbox, name="Their Health Store", merchant=merchant_factory("Them"))
    run_import(mine)
    reconciliation_run_now(store=mine, since=EVER)
    url = reverse("console:merchant_health")

    client.force_login(user_factory(Role.MERCHANT_USER, merchant=mine.merchant))
    page = client.get(url).content.decode()
    assert "My Health Store" in page and "Their Health Store" not in page
    assert 'id="merchant-flag"' in page and "imported" in page and "no difference" in page
    assert client.get(url, {"merchant": theirs.merchant_id}).status_code == 404
    assert client.get(url, {"merchant": mine.merchant_id}).status_code == 200

    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    assert "Choose a merchant" in client.get(url).content.decode()
    page = client.get(url, {"merchant": theirs.merchant_id}).content.decode()
    assert "Their Health Store" in page and "My Health Store" not in page
    assert client.get(url, {"merchant": "x"}).status_code == 404

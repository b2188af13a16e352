"""A re-scan's dry run: read from the sandbox over real HTTP and decided as the import decides,
nothing written; the re-scan applied afterwards does exactly what the dry run said."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fulfillment import importing, jobs
from fulfillment.models import ImportCursor, ImportRun, ImportTrigger, Order, OrderEvent
from stores.models import Role

pytestmark = pytest.mark.django_db

LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _plant(sandbox_data, store, run_import):
    """An imported store, then in Acumatica: one new order, one edited, one put on hold."""
    run_import(store)
    ready = list(Order.objects.filter(store=store).order_by("erp_order_nbr"))
    new = sandbox_data.create_order(customer="GOODFOOD", lines=[{"inventory": "TENT-2P", "qty": 1}])
    sandbox_data.edit("SO", ready[0].erp_order_nbr, description="changed for the dry run")
    sandbox_data.edit("SO", ready[1].erp_order_nbr, hold=True)
    return new["OrderNbr"]["value"], ready[0], ready[1]


def _writes(store):
    cursor = ImportCursor.objects.get(store=store)
    return (
        Order.objects.filter(store=store).count(),
        ImportRun.objects.filter(store=store).count(),
        OrderEvent.objects.filter(order__store=store).count(),
        cursor.cursor,
        cursor.scan,
        list(Order.objects.filter(store=store).values_list("payload_hash", flat=True)),
    )


def test_the_dry_run_writes_nothing_and_the_re_scan_then_does_what_it_said(
    sandbox, sandbox_data, store_factory, run_import
):
    store = store_factory(sandbox)
    new_nbr, edited, held = _plant(sandbox_data, store, run_import)
    before = _writes(store)

    preview = importing.rescan_preview(store=store, since=LONG_AGO)

    assert _writes(store) == before
    rows = {o: {r.key: r.reason for r in listed} for o, _, listed in preview.outcomes}
    assert rows["create"] == {f"SO {new_nbr}": "new here"}
    assert set(rows["update"]) == {f"SO {edited.erp_order_nbr}", f"SO {held.erp_order_nbr}"}
    assert "hold" in rows["update"][f"SO {held.erp_order_nbr}"]
    assert preview.counts["leave"] >= 1 and preview.counts["fail"] == 0
    # The sandbox's closed, cancelled and held orders that were never imported: skipped, why.
    assert preview.counts["skip"] >= 1 and all(rows["skip"].values())
    assert preview.records == sum(preview.counts.values())
    assert preview.requests >= 1 and not preview.stopped_early

    run = run_import(store, trigger=ImportTrigger.SINCE, since=LONG_AGO)

    assert (run.created, run.updated, run.unchanged, run.skipped, run.failed) == (
        preview.counts["create"],
        preview.counts["update"],
        preview.counts["leave"],
        preview.counts["skip"],
        preview.counts["fail"],
    )
    # And once applied, a second dry run has nothing left to create or update.
    again = importing.rescan_preview(store=store, since=LONG_AGO)
    assert again.counts["create"] == again.counts["update"] == 0


def test_a_dry_run_stops_at_its_limit_and_says_so(
    sandbox, sandbox_data, store_factory, run_import, settings
):
    settings.FULFILLMENT_IMPORT_PAGE_SIZE = 3
    settings.FULFILLMENT_RESCAN_PREVIEW_MAX_RECORDS = 4
    store = store_factory(sandbox)
    run_import(store)

    preview = importing.rescan_preview(store=store, since=LONG_AGO)

    assert preview.stopped_early and preview.records == 6 and preview.requests == 2


def test_acumatica_down_is_a_clear_error(sandbox, store_factory, run_import):
    store = store_factory(sandbox)
    run_import(store)
    sandbox.faults.add(kind="error500", match="GET */SalesOrder", times=20)

    with pytest.raises(importing.PreviewFailed, match="Acumatica could not be read"):
        importing.rescan_preview(store=store, since=LONG_AGO)


def test_the_page_shows_the_dry_run_first_then_applies_it(
    client,
    sandbox,
    sandbox_data,
    store_factory,
    run_import,
    user_factory,
    queued_jobs,
    django_capture_on_commit_callbacks,
):
    store = store_factory(sandbox)
    new_nbr, _, _ = _plant(sandbox_data, store, run_import)
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    url = reverse("fulfillment:store_rescan", args=[store.pk])
    page = client.get(url).content.decode()
    assert "Cursor" in page and "lookback" in page and "Apply" not in page

    shown = client.post(url, {"since": "2000-01-01", "action": "preview"})

    body = shown.content.decode()
    assert shown.status_code == 200 and "Dry run: what this re-scan would do" in body
    assert f"SO {new_nbr}" in body and "Apply: queue the re-scan" in body
    assert not queued_jobs[jobs.IMPORT_STORE_NOW]

    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(url, {"since": "2000-01-01", "action": "apply"})

    assert applied.status_code == 302
    [(store_id, trigger, _, since)] = queued_jobs[jobs.IMPORT_STORE_NOW]
    assert (store_id, trigger) == (store.pk, ImportTrigger.SINCE)
    assert dt.datetime.fromisoformat(since) == timezone.make_aware(dt.datetime(2000, 1, 1))


def test_another_merchants_store_and_a_draft_get_no_dry_run(
    client, sandbox, store_factory, merchant_factory, merchant_user
):
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    theirs = store_factory(sandbox, merchant=globex)
    draft = store_factory(sandbox, merchant=acme, active=False)
    client.force_login(merchant_user(acme))

    other = client.post(
        reverse("fulfillment:store_rescan", args=[theirs.pk]),
        {"since": "2000-01-01", "action": "preview"},
    )
    refused = client.post(
        reverse("fulfillment:store_rescan", args=[draft.pk]),
        {"since": "2000-01-01", "action": "preview"},
    )

    assert other.status_code == 404
    assert refused.status_code == 200 and "activate the store" in refused.content.decode()
    assert "Dry run: what" not in refused.content.decode()


def test_the_store_page_shows_where_imports_stand(
    client, sandbox, store_factory, run_import, user_factory
):
    store = store_factory(sandbox)
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    page = client.get(reverse("stores:detail", args=[store.pk])).content.decode()
    assert "Import position" in page and "none yet: the first import reads" in page
    draft = store_factory(sandbox, active=False)
    assert (
        "Import position"
        not in client.get(reverse("stores:detail", args=[draft.pk])).content.decode()
    )

    run_import(store)

    cursor = ImportCursor.objects.get(store=store).cursor
    page = client.get(reverse("stores:detail", args=[store.pk])).content.decode()
    assert (
        f"before {timezone.localtime(cursor):%Y-%m-%d %H:%M:%S}" in page
        and "minutes' lookback" in page
    )
    assert "dry run first" in page

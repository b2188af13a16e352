"""Import runs in the console: the list with filters, a run's page and its live progress, and the
confirmation steps of "Run now" and "Re-scan from a date"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fulfillment import jobs
from fulfillment.importing.single import order_import_one
from fulfillment.models import ImportRun, ImportRunStatus, ImportTrigger, Order
from stores.models import AcumaticaCall, AuditEntry, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_stores(sandbox, store_factory, merchant_factory):
    acme = store_factory(sandbox, merchant=merchant_factory("Acme"))
    globex = store_factory(sandbox, merchant=merchant_factory("Globex"))
    return acme, globex


@pytest.fixture
def queued(queued_jobs):
    return queued_jobs[jobs.IMPORT_STORE_NOW]


def test_a_runs_page_shows_counts_reasons_and_calls(
    client, sandbox, sandbox_data, two_stores, run_import, merchant_user
):
    acme, _ = two_stores
    run_import(acme)
    held = next(o for o in sandbox_data.orders(type="SO") if o["Status"] == "On Hold")
    sandbox_data.edit("SO", held["OrderNbr"], description="read by the next scan")
    run = run_import(acme)
    assert run.skipped >= 1
    imported = Order.objects.filter(store=acme).first()
    # A skipped record that is also here (made up for the link): the key links to the order.
    run.skipped_reasons = [
        *run.skipped_reasons,
        {"key": f"SO {imported.erp_order_nbr}", "reason": "for the test"},
    ]
    run.save()
    client.force_login(merchant_user(acme.merchant))

    page = client.get(reverse("fulfillment:import_run_detail", args=[run.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert f"Import run #{run.pk}" in html and "incremental scan" in html
    assert reverse("fulfillment:order_detail", args=[imported.pk]) in html
    why = reverse("fulfillment:order_why")
    assert f"{why}?store={acme.pk}&amp;number=SO%20{held['OrderNbr']}" in html
    calls = list(page.context["calls"])
    assert calls and all(call.purpose == "import" for call in calls)
    assert (
        len(calls)
        == AcumaticaCall.objects.filter(
            store=acme, purpose="import", at__gte=run.started_at, at__lte=run.finished_at
        ).count()
    )
    assert "/SalesOrder" in html


def test_another_merchants_run_is_not_found(client, two_stores, run_import, merchant_user):
    acme, globex = two_stores
    mine, theirs = run_import(acme), run_import(globex)
    client.force_login(merchant_user(acme.merchant))
    for name in ("fulfillment:import_run_detail", "fulfillment:import_run_progress"):
        assert client.get(reverse(name, args=[mine.pk])).status_code == 200
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    listed = client.get(reverse("fulfillment:import_run_list"))
    assert {r.pk for r in listed.context["page"].object_list} == {mine.pk}
    only_theirs = client.get(reverse("fulfillment:import_run_list"), {"store": globex.pk})
    assert list(only_theirs.context["page"].object_list) == []


def test_progress_of_a_running_run(client, sandbox, store_factory, user_factory):
    store = store_factory(sandbox)
    run = ImportRun.objects.create(
        store=store,
        trigger=ImportTrigger.MANUAL,
        source_kind="sales_order",
        scan="incremental",
        pages=3,
        created=120,
        acumatica_requests=4,
    )
    client.force_login(user_factory(Role.THREEPL_OPERATOR))

    data = client.get(reverse("fulfillment:import_run_progress", args=[run.pk])).json()

    assert data["status"] == "running" and data["finished_at"] is None
    assert (data["pages"], data["created"], data["acumatica_requests"]) == (3, 120, 4)
    assert set(data) >= {
        "status", "pages", "created", "updated", "unchanged", "skipped", "failed",
        "acumatica_requests", "started_at", "finished_at", "duration_seconds", "error",
    }  # fmt: skip
    # The list marks it for live progress (the page loads the script).
    page = client.get(reverse("fulfillment:import_run_list"), {"status": "running"})
    html = page.content.decode()
    assert [r.pk for r in page.context["page"].object_list] == [run.pk]
    assert 'data-status="running"' in html and "js/import_progress.js" in html
    # Its polling is the shared module's, loaded before it.
    assert -1 < html.find("js/poll_json.js") < html.find("js/import_progress.js")
    assert reverse("fulfillment:import_run_progress", args=[run.pk]) in html

    run.status, run.finished_at = ImportRunStatus.SUCCEEDED, timezone.now()
    run.save()
    done = client.get(reverse("fulfillment:import_run_progress", args=[run.pk])).json()
    assert done["status"] == "succeeded" and done["duration_seconds"] is not None


def test_the_list_filters_by_status_and_trigger(client, sandbox, store_factory, user_factory):
    store = store_factory(sandbox)
    order_import_one(store=store, key="SO/999999")
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    url = reverse("fulfillment:import_run_list")
    by_trigger = client.get(url, {"trigger": "order"})
    assert [r.trigger for r in by_trigger.context["page"].object_list] == ["order"]
    assert list(client.get(url, {"trigger": "schedule"}).context["page"].object_list) == []
    assert client.get(url, {"status": "nonsense", "page": "x"}).status_code == 200


def test_run_now_confirms_on_get_and_queues_on_post(
    client, two_stores, merchant_user, queued, django_capture_on_commit_callbacks
):
    acme, globex = two_stores
    user = merchant_user(acme.merchant)
    client.force_login(user)
    url = reverse("fulfillment:store_import_now", args=[acme.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200 and queued == []
    assert "Import now" in confirm.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"next": "/stores/"})
    assert response.status_code == 302 and response.url == "/stores/"
    assert [(args[0], args[1]) for args in queued] == [(acme.pk, "manual")]
    entry = AuditEntry.objects.get(action="import.manual")
    assert entry.actor == user and entry.store == acme

    other = reverse("fulfillment:store_import_now", args=[globex.pk])
    assert client.get(other).status_code == 404 and client.post(other).status_code == 404
    evil = client.post(url, {"next": "https://evil.example/"})
    assert evil.url == f"{reverse('fulfillment:import_run_list')}?store={acme.pk}"


def test_rescan_refuses_bad_dates_and_queues_a_good_one(
    client, two_stores, user_factory, queued, django_capture_on_commit_callbacks
):
    acme, globex = two_stores
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    url = reverse("fulfillment:store_rescan", args=[acme.pk])
    assert client.get(url).status_code == 200

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for data in ({"since": tomorrow}, {"since": "not a date"}, {}, {"since": "x" * 500}):
        page = client.post(url, data)
        assert page.status_code == 200 and page.context["form"].errors, data
    assert "in the future" in str(client.post(url, {"since": tomorrow}).context["form"].errors)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"since": "2025-01-15T08:30", "action": "apply"})
    assert response.status_code == 302
    ((store_id, trigger, _, since),) = queued
    assert (store_id, trigger) == (acme.pk, "since")
    assert dt.datetime.fromisoformat(since) == timezone.make_aware(dt.datetime(2025, 1, 15, 8, 30))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"full": "on", "action": "apply"})
    assert queued[-1][1] == "rescan"
    assert AuditEntry.objects.filter(action="import.rescan", store=acme).exists()
    assert client.get(reverse("fulfillment:store_rescan", args=[globex.pk])).status_code == 200


def test_rescan_of_another_merchants_store_is_not_found(client, two_stores, merchant_user, queued):
    acme, globex = two_stores
    client.force_login(merchant_user(acme.merchant))
    url = reverse("fulfillment:store_rescan", args=[globex.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"full": "on", "action": "apply"}).status_code == 404
    assert queued == []

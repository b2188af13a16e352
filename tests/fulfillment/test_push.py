"""Push notifications in: a store's webhook takes Acumatica's notification over real HTTP (the
test client), stores it once per (Id, Query), answers at once, and the real task imports the
records it names from the sandbox through the scans' mapper and binder."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from fulfillment.models import (
    ImportRun,
    ImportTrigger,
    Order,
    OrderStatus,
    PushEndpoint,
    PushNotification,
    PushStatus,
)
from fulfillment.push.services import SECRET_HEADER, push_endpoint_issue
from stores.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def later_jobs(jobs_run_here, monkeypatch):
    """Jobs queued to run later, kept with their delay: [(name, args, delay)]; the test runs
    them itself (``_run_later``)."""
    from fulfillment import jobs

    kept: list[tuple[str, tuple, float]] = []
    monkeypatch.setattr(
        jobs, "send_later", lambda name, args, delay: kept.append((name, args, delay))
    )
    return kept


def _run_later(later_jobs):
    from celery import current_app

    while later_jobs:
        name, args, _ = later_jobs.pop(0)
        current_app.tasks[name].apply(args=args)


def _notification(ident="n-1", rows=(), *, query="Connector orders", company="Company", gone=()):
    return {
        "Inserted": list(rows),
        "Deleted": list(gone),
        "Query": query,
        "CompanyId": company,
        "Id": ident,
        "TimeStamp": 636295833829493672,
        "AdditionalInfo": {},
    }


def _post(client, endpoint, body, secret, **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    extra = {f"HTTP_{SECRET_HEADER.upper().replace('-', '_')}": secret} if secret else {}
    return client.post(
        reverse("push_webhook", args=[endpoint.key]),
        data=data,
        content_type="application/json",
        **extra,
        **headers,
    )


def _open_numbers(sandbox_data, count):
    return [o["OrderNbr"] for o in sandbox_data.orders(type="SO") if o["Status"] == "Open"][:count]


def test_a_notification_imports_the_orders_it_names_once(
    client,
    sandbox,
    sandbox_data,
    store_factory,
    run_import,
    later_jobs,
    django_capture_on_commit_callbacks,
):
    store = store_factory(sandbox)
    run_import(store)
    endpoint, secret = push_endpoint_issue(store=store)
    numbers = [
        sandbox_data.create_order(customer="GOODFOOD", lines=[{"inventory": item, "qty": 1}])[
            "OrderNbr"
        ]["value"]
        for item in ("TENT-2P", "MUG-CERAMIC")
    ]
    rows = [{"SOOrder_orderType": "SO", "SOOrder_orderNbr": n, "Status": "Open"} for n in numbers]

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, endpoint, _notification("n-1", rows), secret)

    assert response.status_code == 202, response.content
    assert response.json()["status"] == "accepted"
    orders = Order.objects.filter(store=store, erp_order_nbr__in=numbers)
    assert {o.status for o in orders} == {OrderStatus.READY} and orders.count() == 2
    pushed = PushNotification.objects.get(store=store)
    assert pushed.status == PushStatus.IMPORTED and pushed.keys == [["SO", n] for n in numbers]
    run = pushed.import_run
    assert run.trigger == ImportTrigger.PUSH and run.created == 2 and run.acumatica_requests >= 1

    # Acumatica retries (at least once delivery): answered, nothing done twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = _post(client, endpoint, _notification("n-1", rows), secret)
    assert again.status_code == 202 and again.json()["status"] == "duplicate"
    assert PushNotification.objects.filter(store=store).count() == 1
    # One read of the named keys now; one catch-up scan of the store's changes a minute after
    # its last import started (the scheduled one just now): not again.
    runs = ImportRun.objects.filter(store=store, trigger=ImportTrigger.PUSH)
    assert list(runs.values_list("scan", flat=True)) == ["push"]
    [(name, _, delay)] = later_jobs
    assert name == "fulfillment.import_store_now" and 55 < delay <= 60
    _run_later(later_jobs)
    assert sorted(runs.values_list("scan", flat=True)) == ["incremental", "push"]
    assert Order.objects.filter(store=store, erp_order_nbr__in=numbers).count() == 2
    endpoint.refresh_from_db()
    assert endpoint.received_count == 1 and endpoint.last_received_at is not None


def test_a_row_that_left_the_inquiry_updates_the_order(
    client,
    sandbox,
    sandbox_data,
    store_factory,
    run_import,
    jobs_run_here,
    django_capture_on_commit_callbacks,
):
    store = store_factory(sandbox)
    run_import(store)
    number = _open_numbers(sandbox_data, 1)[0]
    sandbox_data.cancel("SO", number)
    endpoint, secret = push_endpoint_issue(store=store)

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            endpoint,
            _notification("n-2", gone=[{"OrderType": "SO", "OrderNbr": number}]),
            secret,
        )

    assert response.status_code == 202
    order = Order.objects.get(store=store, erp_order_nbr=number)
    assert order.status == OrderStatus.CANCELLED_AT_SOURCE


def test_an_order_whose_notification_never_came_is_caught_by_the_next_ones_scan(
    client,
    sandbox,
    sandbox_data,
    store_factory,
    run_import,
    later_jobs,
    django_capture_on_commit_callbacks,
):
    store = store_factory(sandbox)
    run_import(store)
    lost = sandbox_data.create_order(
        customer="GOODFOOD", lines=[{"inventory": "TENT-2P", "qty": 1}]
    )
    named = sandbox_data.create_order(
        customer="ZENWELL", lines=[{"inventory": "MUG-CERAMIC", "qty": 2}]
    )
    endpoint, secret = push_endpoint_issue(store=store)
    row = {"OrderType": "SO", "OrderNbr": named["OrderNbr"]["value"]}

    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, endpoint, _notification("n-9", [row]), secret).status_code == 202
    _run_later(later_jobs)  # the catch-up, spaced after the store's last import

    imported = set(Order.objects.filter(store=store).values_list("erp_order_nbr", flat=True))
    assert {lost["OrderNbr"]["value"], named["OrderNbr"]["value"]} <= imported


def test_notifications_waiting_for_a_worker_are_imported_in_one_run(
    client,
    sandbox,
    sandbox_data,
    store_factory,
    run_import,
    queued_jobs,
    django_capture_on_commit_callbacks,
):
    from celery import current_app

    from fulfillment import jobs, tasks  # noqa: F401  (registers the tasks)

    store = store_factory(sandbox)
    run_import(store)
    endpoint, secret = push_endpoint_issue(store=store)
    numbers = []
    for n, item in enumerate(("TENT-2P", "MUG-CERAMIC", "TENT-2P")):
        number = sandbox_data.create_order(
            customer="GOODFOOD", lines=[{"inventory": item, "qty": 1}]
        )["OrderNbr"]["value"]
        numbers.append(number)
        row = {"OrderType": "SO", "OrderNbr": number}
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(client, endpoint, _notification(f"n-{n}", [row]), secret)
        assert response.status_code == 202
    # One job for the store while one waits: the three notifications go with the first's.
    first = PushNotification.objects.get(notification_id="n-0")
    assert queued_jobs[jobs.PUSH_IMPORT] == [(first.pk,)]

    with django_capture_on_commit_callbacks(execute=True):
        current_app.tasks[jobs.PUSH_IMPORT].apply(args=(first.pk,))
        # A second delivery of the job (at least once) finds nothing left to do.
        current_app.tasks[jobs.PUSH_IMPORT].apply(args=(first.pk,))

    runs = ImportRun.objects.filter(store=store, trigger=ImportTrigger.PUSH)
    assert runs.count() == 1 and runs.get().created == 3
    pushed = PushNotification.objects.filter(store=store)
    assert {p.status for p in pushed} == {PushStatus.IMPORTED}
    assert {p.import_run_id for p in pushed} == {runs.get().pk}
    assert "2 other notification(s)" in pushed.get(notification_id="n-0").reason
    assert set(Order.objects.filter(store=store).values_list("erp_order_nbr", flat=True)) >= set(
        numbers
    )
    # One catch-up for the three, a minute after the store's last import started.
    assert len(queued_jobs[f"{jobs.IMPORT_STORE_NOW} later"]) == 1
    assert not queued_jobs[jobs.IMPORT_STORE_NOW]

    # The job took them: the next notification queues a job of its own.
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            client, endpoint, _notification("n-3", [{"OrderType": "SO", "OrderNbr": "x"}]), secret
        )
    later = PushNotification.objects.get(notification_id="n-3")
    assert queued_jobs[jobs.PUSH_IMPORT][-1] == (later.pk,)
    assert len(queued_jobs[jobs.PUSH_IMPORT]) == 2


def test_a_push_job_lost_on_its_way_is_queued_again(
    client,
    sandbox,
    sandbox_data,
    store_factory,
    run_import,
    queued_jobs,
    settings,
    django_capture_on_commit_callbacks,
):
    from celery import current_app

    from fulfillment import jobs, tasks
    from fulfillment.models import ImportState

    store = store_factory(sandbox)
    run_import(store)
    endpoint, secret = push_endpoint_issue(store=store)
    [number] = _open_numbers(sandbox_data, 1)
    row = {"OrderType": "SO", "OrderNbr": number}
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, endpoint, _notification("n-0", [row]), secret)
    # The broker lost that job. Another notification within the stale limit waits for it...
    queued_jobs[jobs.PUSH_IMPORT].clear()
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, endpoint, _notification("n-1", [row]), secret)
        tasks.schedule_imports()
    assert queued_jobs[jobs.PUSH_IMPORT] == []

    # ...and once it is older than that, the scheduler's tick queues one again, once.
    settings.FULFILLMENT_PUSH_JOB_STALE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        tasks.schedule_imports()
    oldest = PushNotification.objects.get(notification_id="n-0")
    assert queued_jobs[jobs.PUSH_IMPORT] == [(oldest.pk,)]
    settings.FULFILLMENT_PUSH_JOB_STALE_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True):
        tasks.schedule_imports()
    assert len(queued_jobs[jobs.PUSH_IMPORT]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        current_app.tasks[jobs.PUSH_IMPORT].apply(args=(oldest.pk,))
    pushed = PushNotification.objects.filter(store=store)
    assert {p.status for p in pushed} == {PushStatus.IMPORTED}
    assert Order.objects.filter(store=store, erp_order_nbr=number).count() == 1
    assert ImportState.objects.get(store=store).push_job_queued_at is None

    # A stale mark with nothing waiting queues nothing.
    ImportState.objects.filter(store=store).update(push_job_queued_at=timezone.now())
    settings.FULFILLMENT_PUSH_JOB_STALE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        tasks.schedule_imports()
    assert len(queued_jobs[jobs.PUSH_IMPORT]) == 1


def test_more_notifications_than_one_run_takes_go_in_the_next_job(
    client,
    sandbox,
    sandbox_data,
    store_factory,
    run_import,
    queued_jobs,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from celery import current_app

    from fulfillment import jobs, tasks  # noqa: F401  (registers the tasks)
    from fulfillment.push import services

    monkeypatch.setattr(services, "TAKE_AT_MOST", 2)
    store = store_factory(sandbox)
    run_import(store)
    endpoint, secret = push_endpoint_issue(store=store)
    numbers = _open_numbers(sandbox_data, 3)
    for n, number in enumerate(numbers):
        with django_capture_on_commit_callbacks(execute=True):
            _post(
                client,
                endpoint,
                _notification(f"n-{n}", [{"OrderType": "SO", "OrderNbr": number}]),
                secret,
            )
    [(first,)] = queued_jobs[jobs.PUSH_IMPORT]

    with django_capture_on_commit_callbacks(execute=True):
        current_app.tasks[jobs.PUSH_IMPORT].apply(args=(first,))
    rest = PushNotification.objects.get(notification_id="n-2")
    assert rest.status == PushStatus.QUEUED
    assert queued_jobs[jobs.PUSH_IMPORT][-1] == (rest.pk,)

    with django_capture_on_commit_callbacks(execute=True):
        current_app.tasks[jobs.PUSH_IMPORT].apply(args=(rest.pk,))
    pushed = PushNotification.objects.filter(store=store)
    assert {p.status for p in pushed} == {PushStatus.IMPORTED}
    assert ImportRun.objects.filter(store=store, trigger=ImportTrigger.PUSH).count() == 2
    assert len(queued_jobs[jobs.PUSH_IMPORT]) == 2


def test_a_record_already_shipped_here_is_left_to_the_catch_up_scan(
    client,
    sandbox,
    sandbox_data,
    store_factory,
    run_import,
    later_jobs,
    django_capture_on_commit_callbacks,
):
    store = store_factory(sandbox)
    run_import(store)
    shipped = Order.objects.filter(store=store, status=OrderStatus.READY).first()
    Order.objects.filter(pk=shipped.pk).update(status=OrderStatus.SHIPPED)
    # The connector's own Shipment moved the order on in Acumatica: a notification says so.
    sandbox_data.cancel("SO", shipped.erp_order_nbr)
    endpoint, secret = push_endpoint_issue(store=store)
    row = {"OrderType": "SO", "OrderNbr": shipped.erp_order_nbr}

    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, endpoint, _notification("n-1", [row]), secret).status_code == 202

    pushed = PushNotification.objects.get()
    assert pushed.status == PushStatus.IGNORED and "catch-up scan" in pushed.reason
    assert not ImportRun.objects.filter(store=store, scan="push").exists()
    # The catch-up reads it a minute after the last import started: kept, and flagged.
    [(name, _, delay)] = later_jobs
    assert name == "fulfillment.import_store_now" and 55 < delay <= 60
    _run_later(later_jobs)
    shipped.refresh_from_db()
    assert shipped.status == OrderStatus.SHIPPED and shipped.changed_at_source


@pytest.mark.parametrize(("asked_ago", "queued"), [(10, 0), (60 + 300 + 5, 1)])
def test_a_catch_up_on_its_way_is_shared_and_one_lost_with_its_worker_is_asked_again(
    client,
    sandbox,
    sandbox_data,
    store_factory,
    queued_jobs,
    django_capture_on_commit_callbacks,
    asked_ago,
    queued,
):
    import datetime as dt

    from celery import current_app
    from django.utils import timezone

    from fulfillment import jobs, tasks  # noqa: F401  (registers the tasks)
    from fulfillment.importing.lease import import_state_for
    from fulfillment.models import ImportState

    store = store_factory(sandbox)
    now = timezone.now()
    import_state_for(store.pk)
    # The last import started an hour ago; a catch-up was asked for since and never started.
    ImportState.objects.filter(store=store).update(
        last_started_at=now - dt.timedelta(hours=1),
        catch_up_requested_at=now - dt.timedelta(seconds=asked_ago),
    )
    endpoint, secret = push_endpoint_issue(store=store)
    row = {"OrderType": "SO", "OrderNbr": _open_numbers(sandbox_data, 1)[0]}
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, endpoint, _notification("n-1", [row]), secret).status_code == 202

    with django_capture_on_commit_callbacks(execute=True):
        current_app.tasks[jobs.PUSH_IMPORT].apply(args=queued_jobs[jobs.PUSH_IMPORT][0])

    assert PushNotification.objects.get().status == PushStatus.IMPORTED
    # A minute after the ask, though the last import started long ago: the notifications of
    # that minute share it.
    assert len(queued_jobs[f"{jobs.IMPORT_STORE_NOW} later"]) == queued
    assert not queued_jobs[jobs.IMPORT_STORE_NOW]


def test_an_orders_notifications_share_one_catch_up_a_minute_later(
    client, sandbox, sandbox_data, store_factory, queued_jobs, django_capture_on_commit_callbacks
):
    """An order's own notification and the two the connector's Shipment and its confirmation
    cause: one catch-up for them, a minute after the first, not one at once beside the push
    import and another a minute later."""
    import datetime as dt

    from celery import current_app
    from django.utils import timezone

    from fulfillment import jobs, tasks  # noqa: F401  (registers the tasks)
    from fulfillment.importing.lease import import_state_for
    from fulfillment.models import ImportState

    store = store_factory(sandbox)
    import_state_for(store.pk)
    ImportState.objects.filter(store=store).update(
        last_started_at=timezone.now() - dt.timedelta(hours=1)
    )
    endpoint, secret = push_endpoint_issue(store=store)
    row = {"OrderType": "SO", "OrderNbr": _open_numbers(sandbox_data, 1)[0]}
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            _post(client, endpoint, _notification(f"n-{n}", [row]), secret)
        with django_capture_on_commit_callbacks(execute=True):
            current_app.tasks[jobs.PUSH_IMPORT].apply(args=queued_jobs[jobs.PUSH_IMPORT][-1])
    assert len(queued_jobs[jobs.PUSH_IMPORT]) == 3

    assert not queued_jobs[jobs.IMPORT_STORE_NOW]
    assert len(queued_jobs[f"{jobs.IMPORT_STORE_NOW} later"]) == 1


@pytest.mark.parametrize(("secret", "reason"), [(None, "missing"), ("not-the-secret", "wrong")])
def test_wrong_or_missing_secret_is_401_and_recorded(
    client, sandbox, store_factory, secret, reason
):
    store = store_factory(sandbox)
    endpoint, _ = push_endpoint_issue(store=store)

    response = _post(client, endpoint, _notification(), secret)

    assert response.status_code == 401
    endpoint.refresh_from_db()
    assert endpoint.rejected_count == 1 and reason in endpoint.last_rejection
    assert not PushNotification.objects.exists()


def test_unknown_webhook_is_404_and_says_nothing(client):
    response = client.post(
        reverse("push_webhook", args=["no-such-key"]), data="{}", content_type="application/json"
    )
    assert response.status_code == 404 and response.json() == {
        "status": "not_found",
        "message": "Not found.",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"Query": "q"}), "Id is missing"),
        (json.dumps({"Id": "x"}), "Query is missing"),
        (json.dumps({"Id": "x", "Query": "q", "Inserted": "rows"}), "Inserted is not a list"),
        (json.dumps({"Id": "x", "Query": "q", "CompanyId": 5}), "CompanyId is not a string"),
        ("[" * 100000, "not JSON"),
    ],
)
def test_malformed_bodies_are_400_with_the_reason(client, sandbox, store_factory, body, message):
    store = store_factory(sandbox)
    endpoint, secret = push_endpoint_issue(store=store)

    response = _post(client, endpoint, body, secret)

    assert response.status_code == 400 and message in response.json()["message"]
    assert not PushNotification.objects.exists()


def test_an_oversized_body_is_413(client, sandbox, store_factory, settings):
    settings.FULFILLMENT_PUSH_MAX_BODY_BYTES = 1000
    store = store_factory(sandbox)
    endpoint, secret = push_endpoint_issue(store=store)

    big = _notification(rows=[{"OrderNbr": "0" * 20, "OrderType": "SO"}] * 100)
    response = _post(client, endpoint, big, secret)

    assert response.status_code == 413
    assert not PushNotification.objects.exists()


def test_another_tenants_notification_is_ignored_with_the_reason(
    client, sandbox, sandbox_data, store_factory, jobs_run_here, django_capture_on_commit_callbacks
):
    store = store_factory(sandbox)
    endpoint, secret = push_endpoint_issue(store=store)
    number = _open_numbers(sandbox_data, 1)[0]
    body = _notification(rows=[{"OrderType": "SO", "OrderNbr": number}], company="OtherCo")

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, endpoint, body, secret)

    assert response.status_code == 202 and response.json()["status"] == "ignored"
    assert "OtherCo" in response.json()["message"]
    assert PushNotification.objects.get().status == PushStatus.IGNORED
    assert not Order.objects.exists()


def test_get_is_not_allowed(client, sandbox, store_factory):
    endpoint, _ = push_endpoint_issue(store=store_factory(sandbox))
    assert client.get(reverse("push_webhook", args=[endpoint.key])).status_code == 405


def test_setup_page_shows_the_secret_once_and_is_the_merchants_own(
    client, sandbox, store_factory, merchant_factory, merchant_user
):
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    mine, theirs = store_factory(sandbox, merchant=acme), store_factory(sandbox, merchant=globex)
    client.force_login(merchant_user(acme))
    url = reverse("push:setup", args=[mine.pk])

    assert b"Create the webhook" in client.get(url).content
    created = client.post(url)
    assert created.status_code == 200
    endpoint = PushEndpoint.objects.get(store=mine)
    page = created.content.decode()
    secret = page.split('<code class="secret">')[1].split("</code>")[0]
    assert len(secret) >= 40 and endpoint.secret_hash not in page
    assert f"/push/{endpoint.key}/" in page and SECRET_HEADER in page
    assert secret not in client.get(url).content.decode()
    entry = AuditEntry.objects.get(action="push.endpoint_created")
    assert secret not in json.dumps(entry.after)

    assert client.get(reverse("push:setup", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("push:setup", args=[theirs.pk])).status_code == 404
    assert not PushEndpoint.objects.filter(store=theirs).exists()


def test_connection_test_dashboard_and_store_page_say_when_push_last_arrived(
    client, sandbox, store_factory, merchant_factory, merchant_user
):
    from tests.stores.connection_test_support import check, run

    merchant = merchant_factory("Acme")
    store = store_factory(sandbox, merchant=merchant, active=True)
    client.force_login(merchant_user(merchant))
    dashboard, detail = reverse("console:dashboard"), reverse("stores:detail", args=[store.pk])

    not_set_up = check(run(store, sandbox), "push")
    assert not_set_up.status == "skip" and "Not set up" in not_set_up.message
    assert "push-last" not in client.get(dashboard).content.decode()
    assert reverse("push:setup", args=[store.pk]) in client.get(detail).content.decode()

    endpoint, secret = push_endpoint_issue(store=store)
    waiting = check(run(store, sandbox), "push")
    assert waiting.status == "warn" and "no notification has arrived yet" in waiting.message
    assert "no notification received yet" in client.get(dashboard).content.decode()

    assert _post(client, endpoint, _notification("n-1"), secret).status_code == 202
    arrived = check(run(store, sandbox), "push")
    assert arrived.status == "pass", arrived
    assert arrived.message.startswith("Last notification received 0") and "(1 in all)" in (
        arrived.message
    )
    page = client.get(dashboard).content.decode()
    assert "push: " in page and "last notification 0\xa0minutes ago" in page

    assert _post(client, endpoint, _notification("n-2"), "not-the-secret").status_code == 401
    refused = check(run(store, sandbox), "push")
    assert refused.status == "warn" and "refused: wrong" in refused.message
    assert secret not in refused.message and store.last_test_passed


@pytest.mark.django_db(transaction=True)
def test_notifications_and_jobs_at_once_leave_none_behind_and_none_twice(
    sandbox, sandbox_data, store_factory, run_import, queued_jobs
):
    """Receivers and push jobs of one store at the same time (the hand-over of the one queued
    job): every notification is taken by exactly one job and none waits without a job."""
    import threading
    import time

    from celery import current_app
    from django.db import connection
    from django.test import Client

    from fulfillment import jobs, tasks  # noqa: F401  (registers the tasks)

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: runs on PostgreSQL (.ci/run)")
    store = store_factory(sandbox)
    run_import(store)
    endpoint, secret = push_endpoint_issue(store=store)
    numbers = _open_numbers(sandbox_data, 6)
    queue = queued_jobs[jobs.PUSH_IMPORT]
    posting_done = threading.Event()
    errors: list[BaseException] = []

    def post(thread: int) -> None:
        try:
            client = Client()
            for n in range(8):
                number = numbers[(thread + n) % len(numbers)]
                body = _notification(f"t{thread}-{n}", [{"OrderType": "SO", "OrderNbr": number}])
                assert _post(client, endpoint, body, secret).status_code == 202
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def run_jobs() -> None:
        try:
            while not (posting_done.is_set() and not queue):
                if not queue:
                    time.sleep(0.01)
                    continue
                try:
                    args = queue.pop(0)
                except IndexError:
                    continue
                current_app.tasks[jobs.PUSH_IMPORT].apply(args=args, throw=True)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    posters = [threading.Thread(target=post, args=(t,)) for t in range(3)]
    runners = [threading.Thread(target=run_jobs) for _ in range(3)]
    for thread in posters + runners:
        thread.start()
    for thread in posters:
        thread.join(60)
    posting_done.set()
    for thread in runners:
        thread.join(120)

    assert not errors, errors
    pushed = PushNotification.objects.filter(store=store)
    assert pushed.count() == 24
    assert list(pushed.exclude(status=PushStatus.IMPORTED)) == []
    assert pushed.filter(import_run__isnull=True).count() == 0
    imported = Order.objects.filter(store=store, erp_order_nbr__in=numbers)
    assert imported.count() == len(numbers)

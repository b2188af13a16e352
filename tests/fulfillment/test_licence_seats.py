"""Licence seats through the real import: stores on one Acumatica instance share its API users
(minus the reserve) and each gives its session back when its job ends, so a licence with one
seat serves every store in turn instead of the first one keeping it ("API Login Limit" for the
rest). Real HTTP to a sandbox that refuses a second session."""

from __future__ import annotations

import datetime as dt

import pytest

from fulfillment.importing import imports_enqueue_due
from fulfillment.models import ImportRunStatus, Order
from stores.models import AcumaticaCall, StoreConnection

pytestmark = pytest.mark.django_db


def test_stores_sharing_a_one_seat_licence_each_import_in_turn(
    sandbox_factory, store_factory, run_import
):
    sandbox = sandbox_factory(max_sessions=1)
    stores = [
        store_factory(sandbox, active=True, licence_api_users=2, licence_api_users_reserved=1)
        for _ in range(3)
    ]
    assert {store.connector_seats for store in stores} == {1}

    for _ in range(2):  # the second round reuses each store's stored refresh token
        for store in stores:
            run = run_import(store)
            assert run.status == ImportRunStatus.SUCCEEDED, run.error
            # Signed out at the end of the job: the seat is free for the next store.
            assert len(sandbox.sessions) == 0

    assert all(Order.objects.filter(store=store).exists() for store in stores)
    refused = AcumaticaCall.objects.filter(status__gte=400).count()
    assert refused == 0


def test_without_a_known_licence_a_store_keeps_its_grants_session(
    sandbox, store_factory, run_import
):
    store = store_factory(sandbox, active=True)
    assert store.connector_seats is None

    assert run_import(store).status == ImportRunStatus.SUCCEEDED
    # No seat budget to share: the offline_access session stays with the grant for the next job.
    assert len(sandbox.sessions) == 1


def test_api_login_limit_is_tried_again_within_seconds_not_after_the_backoff(
    sandbox_factory, store_factory, run_import
):
    from django.utils import timezone

    from fulfillment.models import ImportState

    # Another program (here: a store whose licence the connector was not told) holds the seat.
    sandbox = sandbox_factory(max_sessions=1)
    holder, waiting = store_factory(sandbox, active=True), store_factory(sandbox, active=True)
    assert run_import(holder).status == ImportRunStatus.SUCCEEDED

    run = run_import(waiting)

    assert run.status == ImportRunStatus.FAILED
    assert "API login limit" in run.error and "tried again within seconds" in run.error
    state = ImportState.objects.get(store=waiting)
    assert 4 <= (state.next_attempt_at - timezone.now()).total_seconds() <= 31
    # The scheduler queues it then, though its interval (an hour here) has not passed; once.
    StoreConnection.objects.filter(pk=waiting.pk).update(import_interval_minutes=60)
    waiting.refresh_from_db()
    before = state.next_attempt_at - dt.timedelta(seconds=1)
    assert waiting.pk not in imports_enqueue_due(now=before)
    retry_at = state.next_attempt_at + dt.timedelta(seconds=1)
    assert waiting.pk in imports_enqueue_due(now=retry_at)
    assert waiting.pk not in imports_enqueue_due(now=retry_at + dt.timedelta(seconds=30))


def test_the_connection_test_says_when_the_connectors_own_jobs_hold_every_seat(
    sandbox, store_factory, monkeypatch
):
    from connector.acumatica import ConnectionSettings, Seat
    from connector.limits import shared_seats
    from stores.connection_test import checks_site
    from tests.stores.connection_test_support import check, run

    store = store_factory(sandbox, licence_api_users=1)
    # A job of another store on the same instance holds the only seat.
    job = Seat(shared_seats(), ConnectionSettings(store.instance_url).instance_key, seats=1)
    job.hold()
    monkeypatch.setattr(checks_site, "SEAT_WAIT", 0.5)

    result = run(store, sandbox)

    assert check(result, "reachable").status == "pass"  # anonymous: no seat needed
    sign_in = check(result, "sign_in")
    assert sign_in.status == "fail" and "connector's own jobs" in sign_in.message
    assert "Test again in a minute" in sign_in.fix
    job.give_back()
    assert run(store, sandbox).passed

"""What the wizard's last step and the store's page share: starting the connection test from a
page (it runs in the background, ``stores.connection_test_runs``), the panel that follows it,
and what the page says about activating the store."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from .. import access
from ..connection_test_runs import (
    connection_test_run_give_up_if_stale,
    connection_test_run_latest,
    connection_test_run_state,
    store_connection_test_start,
)
from ..credentials import store_has_secrets
from ..forms import ActivateForm
from ..models import ConnectionTestRun, ConnectionTestRunStatus, StoreStatus
from ..secret_age import store_secret_ages
from .guards import stores_page


def can_activate(store) -> bool:
    return store.status in (StoreStatus.DRAFT, StoreStatus.NEEDS_ATTENTION)


def start_connection_test(request, store) -> None:
    """Queue the test in the background (the page it redirects to follows it)."""
    store_connection_test_start(store=store, actor=request.user)


def test_run_context(store, *, progress_url: str = "") -> dict:
    """The connection test panel of a page: the newest page-started run while it is waiting
    or running (the page follows it, polling ``progress_url``, by default the store's), else
    how the last test went."""
    run = connection_test_run_latest(store=store)
    live = run is not None and not run.finished
    outcome = ""
    if run is not None and run.status == ConnectionTestRunStatus.ERROR:
        outcome = "error"
    elif run is not None and run.finished and store.last_test_passed is not None:
        outcome = "passed" if store.last_test_passed else "failed"
    if live and not progress_url:
        progress_url = reverse("stores:test_run", args=[store.pk, run.pk])
    return {
        "test_run": run,
        "test_run_live": live,
        "test_run_url": progress_url,
        "test_run_state": connection_test_run_state(run=run) if run is not None else None,
        "test_outcome": outcome,
    }


@stores_page
def test_run_progress(request, store_id: int, test_run_id: int):
    """JSON the test panel polls: the run's checks so far and the one running. Another
    merchant's store, or a run of another store, is a 404."""
    store = access.store_for(request.user, store_id)
    run = get_object_or_404(ConnectionTestRun, pk=test_run_id, store=store)
    run = connection_test_run_give_up_if_stale(run=run)
    response = JsonResponse(connection_test_run_state(run=run))
    response["Cache-Control"] = "no-store"
    return response


def review_context(request, store, *, force_form: ActivateForm | None = None) -> dict:
    """The last wizard step: everything entered, the last test, and how it may be activated."""
    return {
        "store": store,
        "secrets": store_has_secrets(store),
        "secret_ages": store_secret_ages(store=store),
        "secret_max_age_days": settings.CONNECTOR_SECRET_MAX_AGE_DAYS,
        "can_activate": can_activate(store) and bool(store.last_test_passed),
        "show_activate": can_activate(store),
        "can_force_activate": can_activate(store) and access.can_force_activate(request.user),
        "force_form": force_form or ActivateForm(initial={"force": True}),
    }

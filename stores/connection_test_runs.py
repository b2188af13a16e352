"""Connection tests started from a page, run in the background on the interactive queue.

A person presses "Run the connection test": ``store_connection_test_start`` writes a
``ConnectionTestRun`` and queues ``stores.run_connection_test`` once the request commits, so
the request answers at once however slowly Acumatica answers (each of the test's calls may take
``CALL_DEADLINE`` seconds). The job (``store_connection_test_execute``) takes the run once,
writes each check to the row as it finishes, and records the result on the store and in the
audit exactly as ``store_connection_test`` does in the foreground (``manage.py store_test``).

The page follows the row (``connection_test_run_state``): the checks so far, the one running,
and what is wrong when nothing moves: no worker took the job (``WAITING_FOR_WORKER_SECONDS``),
or its worker stopped mid-test (no progress for ``connection_test_stale_after()``: the row is
marked as not finished, and nothing is recorded on the store)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import jobs
from .connection_test import Check, connection_test_run
from .connection_test.checks_site import CALL_DEADLINE, SEAT_WAIT
from .models import ConnectionTestRun, ConnectionTestRunStatus, StoreConnection
from .services import store_connection_test_record

logger = logging.getLogger("connector.stores")

Status = ConnectionTestRunStatus
# A queued run no worker has taken after this long: the page asks whether a worker runs.
WAITING_FOR_WORKER_SECONDS = 30.0
# Beyond one call's connect timeout and deadline: the wait for a licence seat, and a check
# that sends a second, short request (signing in, then reading).
STALE_MARGIN_SECONDS = SEAT_WAIT + 40.0
STOPPED = "The test stopped without finishing (worker restarted?). Run it again."
BROKE = "The test itself failed unexpectedly; the error is in the connector's log. Run it again."
WAITING = (
    "Waiting for a worker — is the worker running? The test starts as soon as a worker of the "
    "interactive queue takes it."
)


def connection_test_stale_after() -> float:
    """Seconds without progress after which a running test's worker is taken for gone: no
    check waits longer than a connect timeout and a call's deadline, plus a margin."""
    return settings.ACUMATICA_CONNECT_TIMEOUT + CALL_DEADLINE + STALE_MARGIN_SECONDS


def store_connection_test_start(
    *, store: StoreConnection, actor, via: str = ""
) -> ConnectionTestRun:
    """Queue a connection test of ``store`` for ``actor`` (a user, or a label such as the
    merchant of a credentials link, with ``via``), or give the one already waiting or
    running: pressing the button twice runs one test, not two sessions."""
    with transaction.atomic():
        StoreConnection.objects.select_for_update().filter(pk=store.pk).first()
        active = connection_test_run_latest(store=store)
        if active is not None and not active.finished:
            return active
        run = ConnectionTestRun.objects.create(
            store=store,
            requested_by=actor if getattr(actor, "pk", None) else None,
            requested_by_label=actor if isinstance(actor, str) else "",
            via=via,
        )
        jobs.enqueue_after_commit(jobs.RUN_CONNECTION_TEST, run.pk)
    logger.info("connection test %s of store %s queued", run.pk, store.pk)
    return run


def store_connection_test_execute(*, run_id: int) -> ConnectionTestRun | None:
    """The job: take the queued run (once: a second delivery finds it taken and does nothing),
    run the test writing each check as it goes, then record the result on the store and audit
    it. Returns the finished run, or None when it was not this call's to run."""
    now = timezone.now()
    taken = ConnectionTestRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, progress_at=now
    )
    if not taken:
        logger.info("connection test %s: already taken or gone, nothing to do", run_id)
        return None
    run = ConnectionTestRun.objects.select_related("store", "requested_by").get(pk=run_id)

    def progress(title: str | None, checks: list[Check]) -> None:
        ConnectionTestRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
            current_check=(title or "")[:200],
            checks=[check.to_dict() for check in checks],
            progress_at=timezone.now(),
        )

    try:
        result = connection_test_run(store=run.store, progress=progress)
    except Exception:
        # The runner keeps a failing check's bug to that check; this is anything else.
        logger.exception("connection test %s of store %s broke", run_id, run.store_id)
        _finish(run_id, status=Status.ERROR, error=BROKE)
        return _reread(run_id)
    with transaction.atomic():
        finished = _finish(
            run_id,
            status=Status.PASSED if result.passed else Status.FAILED,
            checks=result.to_dicts(),
        )
        if finished:
            store_connection_test_record(
                store=run.store,
                result=result,
                actor=run.requested_by or run.requested_by_label or None,
                **({"via": run.via} if run.via else {}),
            )
    if not finished:
        # Marked as stopped meanwhile (taken for dead): the page said so, the store keeps
        # its last result.
        logger.warning("connection test %s finished after it was given up", run_id)
    return _reread(run_id)


def _finish(run_id: int, *, status: str, checks: list[dict] | None = None, error: str = "") -> int:
    """End a running run (a conditional update: only the one that holds it ends it)."""
    values: dict = {"status": status, "finished_at": timezone.now(), "current_check": ""}
    if checks is not None:
        values["checks"] = checks
    if error:
        values["error"] = error
    return ConnectionTestRun.objects.filter(pk=run_id, status=Status.RUNNING).update(**values)


def _reread(run_id: int) -> ConnectionTestRun | None:
    return ConnectionTestRun.objects.filter(pk=run_id).first()


def connection_test_run_give_up_if_stale(
    *, run: ConnectionTestRun, now: dt.datetime | None = None
) -> ConnectionTestRun:
    """A running run whose job stopped answering (no progress for
    ``connection_test_stale_after()``) is marked as not finished; the run, re-read if so."""
    now = now or timezone.now()
    if run.status != Status.RUNNING or run.progress_at is None:
        return run
    cutoff = now - dt.timedelta(seconds=connection_test_stale_after())
    if run.progress_at >= cutoff:
        return run
    given_up = ConnectionTestRun.objects.filter(
        pk=run.pk, status=Status.RUNNING, progress_at__lt=cutoff
    ).update(status=Status.ERROR, finished_at=now, current_check="", error=STOPPED)
    if given_up:
        logger.warning(
            "connection test %s of store %s: given up, no progress", run.pk, run.store_id
        )
    run.refresh_from_db()
    return run


def connection_test_run_latest(*, store: StoreConnection) -> ConnectionTestRun | None:
    """The store's newest page-started test, taken for stopped if its worker is gone."""
    run = ConnectionTestRun.objects.filter(store=store).order_by("-created_at", "-id").first()
    return connection_test_run_give_up_if_stale(run=run) if run is not None else None


def connection_test_run_state(*, run: ConnectionTestRun, now: dt.datetime | None = None) -> dict:
    """What the page shows of a run, as JSON values: the checks so far (never a secret: the
    checks' messages never hold one), the line saying what runs now, and a note when nothing
    moves or the test stopped."""
    now = now or timezone.now()
    if run.status == Status.QUEUED:
        line = "Waiting to start…"
    elif run.status == Status.RUNNING:
        line = f"Checking: {run.current_check}…" if run.current_check else "Checking…"
    else:
        line = ""
    note = ""
    waited = (now - run.created_at).total_seconds()
    if run.status == Status.QUEUED and waited >= WAITING_FOR_WORKER_SECONDS:
        note = WAITING
    elif run.status == Status.ERROR:
        note = run.error or STOPPED
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "finished": run.finished,
        "line": line,
        "note": note,
        "checks": list(run.checks or []),
    }

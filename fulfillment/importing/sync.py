"""One import run of one store (the synchronizer): lease → plan the scan → page, map, write,
checkpoint (one transaction per page) → move the cursor → record the run.

Failures end the run cleanly and say why (``ImportRun.error`` and ``error_cause``):

* Acumatica refuses the credentials (after the client's one re-authentication), the rights on
  an entity, the endpoint, or the Instance URL → the store needs attention with that cause;
* throttling (429, no slot in the shared budget) → the run waits and goes on (``patience``),
  up to ``FULFILLMENT_IMPORT_BUSY_WAIT_SECONDS`` in all;
* throttling past that, server errors (5xx), no answer → the run stops, the cursor and the last
  checkpoint stay, and the scheduler backs off before the next try;
* a record that does not map → that record fails with its reason; the page goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone

from connector.acumatica import (
    AcumaticaError,
    AuthenticationError,
    EndpointNotInstalled,
    Forbidden,
    LoginLimitReached,
)
from connector.acumatica.seats import seat_retry_after
from stores.credentials import acumatica_client_for
from stores.errors import StoreClientUnavailable
from stores.models import StoreConnection, StoreStatus
from stores.services import store_mark_needs_attention

from ..models import (
    ImportCursor,
    ImportRun,
    ImportRunStatus,
    ImportState,
    ImportTrigger,
)
from ..modes import Mode, mode_for, mode_of
from ..modes.mapping import record_key_text, record_last_modified
from . import conf, lease
from .binder import PageResult, map_records, write_orders
from .paging import Page, scan_pages
from .patience import Patience
from .scan import ScanPlan, finished_cursor, fresh_plan, plan_scan
from .source import scan_fetch, scan_query

logger = logging.getLogger("connector.fulfillment")


class LeaseLost(Exception):
    """Another worker took the store's lease after ours expired: stop writing at once."""


@dataclass(frozen=True)
class _Failure:
    error: str
    cause: str
    needs_attention: str = ""
    retry_after: float | None = None
    # Tried again after retry_after alone, not the failure backoff (a seat is due back soon).
    soon: bool = False


def import_run(
    *,
    store: StoreConnection,
    trigger: str,
    full: bool = False,
    since: dt.datetime | None = None,
) -> ImportRun | None:
    """Run one import now, in this thread. None when another import of the store holds the
    lease (a duplicate delivery of the same job, or an overlapping run): nothing to do."""
    holder = lease.new_holder()
    ttl = conf.lease_ttl()
    if not lease.acquire(store_id=store.pk, holder=holder, ttl=ttl):
        logger.info("store %s: another import holds the lease; not starting", store.pk)
        return None
    try:
        return _run(store, trigger, full or trigger == ImportTrigger.RESCAN, since, holder, ttl)
    finally:
        lease.release(store_id=store.pk, holder=holder)


def _run(store, trigger, full, since, holder, ttl) -> ImportRun:
    now = timezone.now()
    _close_abandoned_runs(store, now)
    mode = mode_for(store)
    cursor, _ = ImportCursor.objects.get_or_create(store=store, source_kind=mode.source_kind)
    lookback = conf.lookback()
    plan = plan_scan(cursor, full=full, since=since, lookback=lookback, now=now)
    query = _query(store, mode, plan)
    if plan.resumed and cursor.scan_filter != str(query.filter):
        # The store's order type or warehouse changed since: that scan answers another question.
        plan = fresh_plan(cursor, lookback=lookback, now=now)
        query = _query(store, mode, plan)

    run = ImportRun.objects.create(
        store=store,
        trigger=trigger,
        source_kind=mode.source_kind,
        scan=plan.scan,
        started_at=now,
        cursor_before=cursor.cursor,
        resumed_at_offset=plan.position if plan.resumed else None,
    )
    ImportState.objects.filter(store=store).update(last_started_at=now)
    if not plan.resumed:
        _begin_scan(cursor, plan, str(query.filter))

    client = None
    failure: _Failure | None = None
    finished = False
    try:
        # "Run now" and re-scans are waited for: ahead of scheduled imports for a seat.
        urgent = trigger not in (ImportTrigger.SCHEDULE, ImportTrigger.PUSH)
        client = acumatica_client_for(store, purpose="import", urgent=urgent)
        with client:

            def keep_lease() -> None:
                if not lease.renew(store_id=store.pk, holder=holder, ttl=ttl):
                    raise LeaseLost("the store's import lease expired and was taken over")

            patience = Patience(conf.busy_wait(), keep_alive=keep_lease)

            def fetch(skip: int, top: int) -> list[dict]:
                return patience.call(lambda: scan_fetch(client, query, skip, top))

            pages = scan_pages(
                fetch,
                key_of=lambda record: record_key_text(record, mode.key_fields),
                page_size=conf.page_size(),
                position=plan.position,
                boundary_key=plan.boundary_key,
            )
            for page in pages:
                plan = _commit_page(store, run, cursor, plan, page, client.request_count)
                # Let the page go before the next one is fetched: one page in memory at a time.
                del page
                keep_lease()
            _finish_scan(cursor, plan, lookback)
            run.cursor_after = cursor.cursor
        finished = True
    except AcumaticaError as exc:
        failure = _acumatica_failure(exc)
    except StoreClientUnavailable as exc:
        failure = _Failure(str(exc), _cause(exc), needs_attention=str(exc))
    except LeaseLost as exc:
        failure = _Failure(f"Stopped: {exc}.", _cause(exc))
    except Exception as exc:
        logger.exception("store %s: import run %s failed", store.pk, run.pk)
        failure = _Failure(f"The import failed unexpectedly: {exc}", _cause(exc))
    finally:
        if not finished and failure is None:
            # Interrupted by something that is not an Exception (shutdown, KeyboardInterrupt).
            failure = _Failure("Interrupted before the end.", "interrupted")
        _finish_run(store, run, failure, client.request_count if client else run.acumatica_requests)
    return run


def _query(store: StoreConnection, mode: Mode, plan: ScanPlan):
    return scan_query(
        mode=mode,
        scan=plan.scan,
        order_type=store.order_type or "SO",
        warehouse=store.default_warehouse,
        lower_bound=plan.lower_bound,
    )


def _begin_scan(cursor: ImportCursor, plan: ScanPlan, scan_filter: str) -> None:
    cursor.scan = plan.scan
    cursor.scan_filter = scan_filter
    cursor.scan_lower_bound = plan.lower_bound
    cursor.scan_started_at = plan.started_at
    cursor.scan_offset = 0
    cursor.scan_boundary_key = ""
    cursor.scan_max_modified = None
    cursor.scan_max_key = ""
    cursor.save()


def _commit_page(
    store: StoreConnection,
    run: ImportRun,
    cursor: ImportCursor,
    plan: ScanPlan,
    page: Page,
    requests_so_far: int,
) -> ScanPlan:
    """Write one page, its counts and its checkpoint in one transaction."""
    now = timezone.now()
    result = PageResult()
    mode = mode_of(run.source_kind)
    orders = map_records(page.records, mode, result)
    max_modified, max_key = plan.max_modified, plan.max_key
    for record in page.records:
        modified = record_last_modified(record, mode.last_modified_field)
        if modified is None:
            continue
        key = record_key_text(record, mode.key_fields)
        if max_modified is None or (modified, key) > (max_modified, max_key):
            max_modified, max_key = modified, key
    with transaction.atomic():
        write_orders(store=store, run=run, orders=orders, result=result, now=now)
        _add_counts(run, result, requests_so_far)
        cursor.scan_max_modified, cursor.scan_max_key = max_modified, max_key
        fields = ["scan_max_modified", "scan_max_key", "updated_at"]
        if page.checkpoint:
            cursor.scan_offset = page.position
            cursor.scan_boundary_key = page.boundary_key
            fields += ["scan_offset", "scan_boundary_key"]
        cursor.save(update_fields=fields)
    return replace(plan, max_modified=max_modified, max_key=max_key)


def _add_counts(run: ImportRun, result: PageResult, requests_so_far: int) -> None:
    run.pages += 1
    run.acumatica_requests = requests_so_far
    for name in ("created", "updated", "unchanged", "skipped", "failed"):
        setattr(run, name, getattr(run, name) + getattr(result, name))
    room = ImportRun.MAX_LISTED
    run.skipped_reasons = (run.skipped_reasons + result.skipped_reasons)[:room]
    run.failures = (run.failures + result.failures)[:room]
    run.save(
        update_fields=[
            "pages",
            "acumatica_requests",
            "created",
            "updated",
            "unchanged",
            "skipped",
            "failed",
            "skipped_reasons",
            "failures",
        ]
    )


def _finish_scan(cursor: ImportCursor, plan: ScanPlan, lookback: dt.timedelta) -> None:
    cursor.cursor, cursor.cursor_key = finished_cursor(cursor, plan, lookback=lookback)
    cursor.scan = ""
    cursor.scan_filter = ""
    cursor.scan_lower_bound = None
    cursor.scan_started_at = None
    cursor.scan_offset = 0
    cursor.scan_boundary_key = ""
    cursor.scan_max_modified = None
    cursor.scan_max_key = ""
    cursor.save()


def _cause(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _acumatica_failure(exc: AcumaticaError) -> _Failure:
    cause = _cause(exc)
    if isinstance(exc, Forbidden):
        entity = exc.entity or "an entity the import reads"
        reason = (
            f"Acumatica refused access to {entity}: give the integration user's role rights on "
            f"the {entity} form, then resume the store."
        )
        return _Failure(reason, cause, needs_attention=reason)
    if isinstance(exc, AuthenticationError) and not exc.retryable:
        reason = f"Acumatica refused the store's credentials: {exc.message}"
        return _Failure(reason, cause, needs_attention=reason)
    if isinstance(exc, LoginLimitReached):
        return _Failure(
            f"Stopped: {exc.message}. The cursor is kept; the import is tried again within "
            "seconds, when a session has been given back.",
            cause,
            retry_after=getattr(exc, "retry_after", None) or seat_retry_after(),
            soon=True,
        )
    if isinstance(exc, EndpointNotInstalled) or not exc.retryable:
        reason = f"Acumatica refused the import: {exc.message}"
        return _Failure(reason, cause, needs_attention=reason)
    return _Failure(
        f"Stopped: {exc.message}. The cursor is kept; the next run continues from the last "
        "committed page.",
        cause,
        retry_after=getattr(exc, "retry_after", None),
    )


def _finish_run(
    store: StoreConnection, run: ImportRun, failure: _Failure | None, requests: int
) -> None:
    now = timezone.now()
    run.finished_at = now
    run.acumatica_requests = requests
    if failure is None:
        run.status = ImportRunStatus.PARTIAL if run.failed else ImportRunStatus.SUCCEEDED
    else:
        # Pages already written stay written: say so, rather than "failed".
        run.status = ImportRunStatus.PARTIAL if run.pages else ImportRunStatus.FAILED
        run.error, run.error_cause = failure.error, failure.cause
    run.save()

    state = lease.import_state_for(store.pk)
    state.last_finished_at = now
    if failure is None:
        state.consecutive_failures = 0
        state.next_attempt_at = None
        state.last_succeeded_at = now
    else:
        state.consecutive_failures += 1
        wait = conf.backoff(state.consecutive_failures)
        if failure.soon:
            wait = dt.timedelta(seconds=failure.retry_after or 0)
        elif failure.retry_after:
            wait = max(wait, dt.timedelta(seconds=failure.retry_after))
        state.next_attempt_at = now + wait
    state.save(
        update_fields=[
            "last_finished_at",
            "consecutive_failures",
            "next_attempt_at",
            "last_succeeded_at",
        ]
    )
    if failure and failure.needs_attention:
        store.refresh_from_db(fields=["status", "status_reason"])
        if store.status in (StoreStatus.ACTIVE, StoreStatus.NEEDS_ATTENTION):
            store_mark_needs_attention(store=store, reason=failure.needs_attention)
    logger.info(
        "store %s: import run %s %s (created %s, updated %s, unchanged %s, skipped %s, "
        "failed %s, %s requests)%s",
        store.pk,
        run.pk,
        run.status,
        run.created,
        run.updated,
        run.unchanged,
        run.skipped,
        run.failed,
        run.acumatica_requests,
        f": {failure.cause}" if failure else "",
    )


def _close_abandoned_runs(store: StoreConnection, now: dt.datetime) -> None:
    """Runs still "running" while we hold the lease were cut off (their worker died)."""
    ImportRun.objects.filter(store=store, status=ImportRunStatus.RUNNING).update(
        status=ImportRunStatus.FAILED,
        finished_at=now,
        error=(
            "The run stopped before finishing (its worker was stopped or killed). The next run "
            "continued from its last committed page."
        ),
        error_cause="lease expired",
    )

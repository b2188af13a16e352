"""Import the records a push notification names, now: one ``GET`` for all their keys (within
the store's scope, with the scans' ``$expand``/``$select``), written through the scans' mapper
and binder as one run with trigger "push". A key Acumatica no longer has is left alone: the
next scan settles it. The poll stays the safety net for anything a notification missed."""

from __future__ import annotations

import logging

from connector.acumatica import AcumaticaError, odata
from stores.credentials import acumatica_client_for
from stores.errors import StoreClientUnavailable
from stores.models import StoreConnection

from ..models import ImportRun, ImportTrigger
from ..modes import mode_for
from .runs import records_apply, run_finish, run_start
from .single import acumatica_failure_text

logger = logging.getLogger("connector.fulfillment")

SCAN = "push"
# Keys per request: keeps the $filter well inside URL limits.
BATCH = 50


def keys_import(
    *, store: StoreConnection, keys: list[tuple[str, ...]], trigger: str = ImportTrigger.PUSH
) -> ImportRun:
    """Read and write the records with these keys (the store's mode's business keys)."""
    mode = mode_for(store)
    run = run_start(store=store, mode=mode, trigger=trigger, scan=SCAN)
    scope = mode.scan_filter(
        full=False, order_type=store.order_type or "SO", warehouse=store.default_warehouse
    )
    client = None
    try:
        client = acumatica_client_for(store, purpose="push import", urgent=True)
        with client:
            for start in range(0, len(keys), BATCH):
                named = odata.or_(
                    *(
                        odata.and_(
                            *(odata.eq(f, v) for f, v in zip(mode.key_fields, key, strict=True))
                        )
                        for key in keys[start : start + BATCH]
                    )
                )
                records = client.list(
                    mode.entity,
                    filter=odata.and_(scope, named),
                    expand=mode.expand,
                    select=mode.select,
                )
                run.acumatica_requests = client.request_count
                records_apply(store=store, run=run, mode=mode, records=records)
    except (AcumaticaError, StoreClientUnavailable) as exc:
        reason = acumatica_failure_text(exc)
        run_finish(run, client, error=(reason, f"{type(exc).__name__}: {exc}"))
        return run
    except Exception as exc:
        logger.exception("store %s: push import failed", store.pk)
        run_finish(run, client, error=(f"The import failed unexpectedly: {exc}", repr(exc)))
        return run
    run_finish(run, client)
    return run

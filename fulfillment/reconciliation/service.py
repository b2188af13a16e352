"""``reconcile_store``: gather what Acumatica holds (two keys-only paged queries), read what is
here, and compare. It writes nothing; the console keeps the result as a report."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.utils import timezone

from connector.acumatica import AcumaticaError
from stores.credentials import acumatica_client_for
from stores.errors import StoreClientUnavailable
from stores.models import StoreConnection

from ..importing.single import acumatica_failure_text
from ..modes import mode_for
from .compare import Comparison, Window, compare
from .gather import source_gather
from .local import local_fulfillments_for, local_orders_for, why_context_for
from .why import why_not_imported

logger = logging.getLogger("connector.fulfillment")


class ReconciliationFailed(Exception):
    """Acumatica could not be read; the message says why, in an operator's words."""


@dataclass(frozen=True)
class Reconciliation:
    store_id: int
    source_kind: str
    window: Window
    comparison: Comparison
    # HTTP requests sent to Acumatica (sign-in and sign-out included) and records they returned.
    acumatica_requests: int
    keys_read: int
    started_at: dt.datetime
    finished_at: dt.datetime


def reconcile_store(
    *,
    store: StoreConnection,
    since: dt.datetime | None,
    until: dt.datetime | None = None,
    actor=None,
    urgent: bool = False,
) -> Reconciliation:
    """Compare the store's records changed from ``since`` (None: all of them) to ``until``
    (default now) with what is here. ``urgent``: a person waits for it (the client takes the
    next free licence seat before background jobs). Raises ``ReconciliationFailed`` when
    Acumatica cannot be read; ``ValueError`` for a window that ends before it starts."""
    started = timezone.now()
    until = until or started
    if since is not None and since > until:
        raise ValueError("The window ends before it starts: pick a 'from' before the 'to'.")
    mode = mode_for(store)
    window = Window(since=since, until=until)
    client = None
    try:
        client = acumatica_client_for(store, purpose="reconciliation", urgent=urgent)
        with client:
            gathered = source_gather(
                client,
                mode=mode,
                order_type=store.order_type or "SO",
                warehouse=store.default_warehouse,
                since=since,
            )
    except (AcumaticaError, StoreClientUnavailable) as exc:
        raise ReconciliationFailed(acumatica_failure_text(exc)) from exc
    requests = client.request_count
    context = why_context_for(store=store, mode=mode)
    comparison = compare(
        mode=mode,
        window=window,
        source_rows=gathered.rows,
        local_orders=local_orders_for(
            store=store, mode=mode, keys=(row.key for row in gathered.rows), window=window
        ),
        fulfillments=local_fulfillments_for(store=store, window=window),
        shipments=gathered.shipments,
        why_not=lambda row, local: why_not_imported(row, local, context),
    )
    logger.info(
        "store %s reconciled by %s: %s differences, %s requests for %s keys",
        store.pk,
        getattr(actor, "pk", None) or "the system",
        len(comparison.differences),
        requests,
        gathered.keys_read,
    )
    return Reconciliation(
        store_id=store.pk,
        source_kind=mode.source_kind,
        window=window,
        comparison=comparison,
        acumatica_requests=requests,
        keys_read=gathered.keys_read,
        started_at=started,
        finished_at=timezone.now(),
    )

"""Import one order now, by its number: read the record live from Acumatica and write it with the
same mapper, rules and binder as a scan.

It is an extra read beside the scans, not a scan: it takes no import lease, leaves the cursor and
the store's import state (back-off, last run) alone, and the binder's upsert on the order's key
makes it safe to run at any time, even while a scan of the store is running. The run is recorded
as an ``ImportRun`` with trigger "order" so an operator can read what it did.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from connector.acumatica import AcumaticaError, NotFound
from stores.audit import audit_record
from stores.credentials import acumatica_client_for
from stores.errors import StoreClientUnavailable
from stores.models import AuditEntry, StoreConnection

from ..models import (
    ImportRun,
    ImportTrigger,
    Order,
)
from ..modes import KeyInvalid, Mode, mode_for
from .runs import records_apply, run_finish, run_start

logger = logging.getLogger("connector.fulfillment")

SCAN = "order"
MAX_KEY_LENGTH = 50

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
NOT_FOUND = "not_found"
EXCLUDED = "excluded"
FAILED = "failed"


class OrderKeyInvalid(ValueError):
    """What the operator typed is not an order (or shipment) number."""


@dataclass(frozen=True)
class OrderKey:
    """One record's key: ("SO", "000123") for a sales order, ("000045",) for a shipment."""

    mode: Mode
    values: tuple[str, ...]

    @property
    def source_kind(self) -> str:
        return self.mode.source_kind

    @property
    def entity(self) -> str:
        return self.mode.entity

    @property
    def text(self) -> str:
        """As import runs name records ("SO 000123", "000045")."""
        return " ".join(self.values)

    @property
    def tried(self) -> str:
        """The exact request key, for messages: "SalesOrder/SO/000123"."""
        return "/".join((self.entity, *self.values))


def order_key_parse(*, store: StoreConnection, key: str) -> OrderKey:
    """ "SO/000123", "SO 000123" or "000123" (the store's order type) in sales-order mode; the
    shipment number in shipment mode. Raises OrderKeyInvalid with a message for the form."""
    text = (key or "").strip()
    if not text:
        raise OrderKeyInvalid("Enter an order number.")
    if len(text) > MAX_KEY_LENGTH:
        raise OrderKeyInvalid(f"That is longer than any order number ({MAX_KEY_LENGTH}+ chars).")
    parts = [p for p in re.split(r"[\s/]+", text) if p]
    mode = mode_for(store)
    try:
        return OrderKey(mode, mode.parse_key(parts, order_type=store.order_type or "SO"))
    except KeyInvalid as exc:
        raise OrderKeyInvalid(str(exc)) from None


def live_record_read(client, order_key: OrderKey) -> dict[str, Any]:
    """``GET <Entity>/<key>`` with the $expand/$select every scan uses, so the record maps (and
    hashes) exactly as a scan would read it. Raises the client's errors (NotFound when no record
    has the key)."""
    mode = order_key.mode
    return client.get(mode.entity, *order_key.values, expand=mode.expand, select=mode.select)


def local_order_for(*, store: StoreConnection, order_key: OrderKey) -> Order | None:
    mode = order_key.mode
    return Order.objects.filter(
        store=store,
        source_kind=mode.source_kind,
        **dict(zip(mode.order_key_fields, order_key.values, strict=True)),
    ).first()


def acumatica_failure_text(exc: BaseException) -> str:
    """An operator's sentence for why Acumatica could not be read (never a secret)."""
    if isinstance(exc, AcumaticaError):
        return f"Acumatica could not be read: {exc.message}"
    return f"Acumatica could not be read: {exc}"


@dataclass(frozen=True)
class SingleImportResult:
    outcome: str
    reason: str
    order: Order | None = None
    run: ImportRun | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (CREATED, UPDATED, UNCHANGED)


def order_import_one(
    *,
    store: StoreConnection,
    key: str,
    actor=None,
    via: str = AuditEntry.Via.CONSOLE,
) -> SingleImportResult:
    """Import the record with this key now. Never raises for Acumatica's answers: the outcome
    says what happened ("created", "updated", "unchanged", "not_found", "excluded", "failed")
    and ``reason`` why, in words for an operator."""
    try:
        order_key = order_key_parse(store=store, key=key)
    except OrderKeyInvalid as exc:
        return SingleImportResult(FAILED, str(exc))

    run = run_start(store=store, mode=order_key.mode, trigger=ImportTrigger.ORDER, scan=SCAN)
    client = None
    record = None
    try:
        client = acumatica_client_for(store, purpose="single import", urgent=True)
        with client:
            record = live_record_read(client, order_key)
    except NotFound:
        result = SingleImportResult(
            NOT_FOUND,
            f"Acumatica has no record {order_key.tried}"
            + f": {order_key.mode.number_hint(order_type=store.order_type or 'SO')}.",
        )
        run_finish(run, client, skipped=(order_key.text, "not found in Acumatica"))
    except (AcumaticaError, StoreClientUnavailable) as exc:
        result = SingleImportResult(FAILED, acumatica_failure_text(exc))
        run_finish(run, client, error=(result.reason, f"{type(exc).__name__}: {exc}"))
    except Exception as exc:
        logger.exception("store %s: reading %s failed", store.pk, order_key.tried)
        result = SingleImportResult(FAILED, f"Reading the record failed unexpectedly: {exc}")
        run_finish(run, client, error=(result.reason, f"{type(exc).__name__}: {exc}"))
    if record is not None:
        run.acumatica_requests = client.request_count
        try:
            result = _write(store, run, order_key, record)
        except Exception as exc:
            logger.exception("store %s: importing %s failed", store.pk, order_key.text)
            result = SingleImportResult(FAILED, f"The import failed unexpectedly: {exc}")
            run_finish(run, None, error=(result.reason, f"{type(exc).__name__}: {exc}"))
    run.refresh_from_db()
    result = SingleImportResult(result.outcome, result.reason, result.order, run)
    audit_record(
        actor=actor,
        action="order.import_now",
        summary=f"Import of {order_key.text} from {store.name} now: {result.outcome}.",
        store=store,
        target=result.order,
        target_type="order",
        target_label=order_key.text,
        after={"outcome": result.outcome, "reason": result.reason, "import_run": run.pk},
        via=via,
    )
    return result


def _write(
    store: StoreConnection, run: ImportRun, order_key: OrderKey, record: dict
) -> SingleImportResult:
    outside = order_key.mode.out_of_scope(
        record, order_type=store.order_type or "SO", warehouse=store.default_warehouse
    )
    if outside:
        # The scans never ask for it, so they would never update it: importing it here would
        # leave a copy nobody keeps current.
        reason = f"Not imported: {outside}."
        run_finish(run, None, skipped=(order_key.text, reason))
        return SingleImportResult(EXCLUDED, reason)

    result = records_apply(store=store, run=run, mode=order_key.mode, records=[record])
    order = local_order_for(store=store, order_key=order_key)
    if result.failures:
        reason = f"It cannot be imported: {result.failures[0]['reason']}."
        run_finish(run, None, error=(reason, "MappingError"))
        return SingleImportResult(FAILED, reason, order)
    run_finish(run, None)
    if result.skipped_reasons:
        return SingleImportResult(EXCLUDED, f"Not imported: {result.skipped_reasons[0]['reason']}")
    if result.created:
        return SingleImportResult(CREATED, "Imported; it is ready for the warehouse.", order)
    if result.updated:
        return SingleImportResult(
            UPDATED, f"Updated from Acumatica; it is {order.get_status_display()}.", order
        )
    return SingleImportResult(UNCHANGED, "Already imported and unchanged in Acumatica.", order)

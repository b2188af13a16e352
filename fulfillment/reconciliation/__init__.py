"""Reconciliation: does what is here still match what Acumatica holds, stage by stage?

``reconcile_store`` reads the store's records changed in a window (two keys-only paged queries:
``gather``), what is here for them (``local``), compares (``compare``, pure) and explains each
eligible record that is missing (``why``, pure). It writes nothing: the console keeps the
result as a report. ``difference_backfill`` fixes one difference through the service that owns
it (``backfill``; ``writeback.retrack`` for a Shipment changed in Acumatica). Settings:
``conf``.
"""

from .backfill import difference_backfill
from .compare import (
    KIND_LABELS,
    KINDS,
    NO_LONGER_ELIGIBLE,
    NO_SHIPMENT,
    NOT_IMPORTED,
    SHIPMENT_DIFFERS,
    STAGES,
    Comparison,
    Difference,
    Window,
)
from .conf import daily_window, retention
from .outcome import BackfillOutcome
from .service import Reconciliation, ReconciliationFailed, reconcile_store

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "NOT_IMPORTED",
    "NO_LONGER_ELIGIBLE",
    "NO_SHIPMENT",
    "SHIPMENT_DIFFERS",
    "STAGES",
    "BackfillOutcome",
    "Comparison",
    "Difference",
    "Reconciliation",
    "ReconciliationFailed",
    "Window",
    "daily_window",
    "difference_backfill",
    "reconcile_store",
    "retention",
]

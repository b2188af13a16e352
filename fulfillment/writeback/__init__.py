"""Writing fulfillments back to Acumatica as confirmed Shipments, exactly once.

One concern per module: ``plan`` (what to write, checked before any call), ``payloads`` (the
bodies, pure), ``verify`` (the read-back comparison, pure), ``exporter`` (the calls to
Acumatica and the resume logic), ``engine`` (``writeback_run``: lease, attempt, outcome),
``outcomes`` (which error means retry, failed or held), ``outbox`` (leases and the sweep),
``calls`` (the attempt's call log), ``orders`` (the order's status), ``services`` (reprocess,
release held, dispatch), ``retrack`` (putting a written Shipment's changed tracking back, for
reconciliation), ``drain`` (the foreground drain), ``units``, ``conf``, ``samples`` (benchmark
and test data). README.md "Write-back" has the reasoning.

``writeback_enqueue`` is how everything else asks for a write-back: it queues the task after
the current transaction commits (the outbox row already exists by then), so a rolled-back
fulfillment is never written and a committed one is never forgotten (the periodic sweep
re-queues outbox rows whose task was lost).
"""

from __future__ import annotations

from ..jobs import WRITE_BACK, enqueue_after_commit


def writeback_enqueue(fulfillment_id: int) -> None:
    enqueue_after_commit(WRITE_BACK, fulfillment_id)

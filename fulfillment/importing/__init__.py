"""Order import: reading open Sales Orders (or Shipments) from Acumatica into orders here.

This package's public face is what it exports below; views, tasks, commands and the console use
nothing deeper. Inside, in the OCA connector's parts: ``source`` (adapter: what to ask
Acumatica), ``paging`` (reading a result set page by page without losing records), ``mapper``
and ``readers`` (pure translation), ``decisions`` (pure rules per record), ``binder`` and
``rows`` (set-based writes keyed on the Acumatica keys), ``scan`` (cursor and checkpoints),
``lease`` (one run per store), ``sync`` (the run), ``single`` (one order, live), ``diagnosis``
("why wasn't this order imported?"), ``preview`` (a re-scan's dry run), ``services`` (run
now, schedule, one run), ``selectors`` (reads) and ``conf`` (settings).
"""

from .diagnosis import Check, Diagnosis, order_diagnose
from .lease import import_state_for, is_held
from .preview import PreviewFailed, RescanPreview, rescan_preview
from .selectors import (
    import_overview,
    import_run_calls,
    import_runs_filtered,
    import_runs_for,
    run_order_ids,
    store_import_due,
)
from .services import import_request, import_store_run, imports_enqueue_due
from .single import (
    CREATED,
    MAX_KEY_LENGTH,
    UNCHANGED,
    UPDATED,
    OrderKeyInvalid,
    SingleImportResult,
    order_import_one,
    order_key_parse,
)
from .sync import import_run

__all__ = [
    "CREATED",
    "MAX_KEY_LENGTH",
    "UNCHANGED",
    "UPDATED",
    "Check",
    "Diagnosis",
    "OrderKeyInvalid",
    "PreviewFailed",
    "RescanPreview",
    "SingleImportResult",
    "import_overview",
    "import_request",
    "import_run",
    "import_run_calls",
    "import_runs_filtered",
    "import_runs_for",
    "import_state_for",
    "import_store_run",
    "imports_enqueue_due",
    "is_held",
    "order_diagnose",
    "order_import_one",
    "order_key_parse",
    "rescan_preview",
    "run_order_ids",
    "store_import_due",
]

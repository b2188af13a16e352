"""Order import, in the OCA connector's parts: ``source`` (adapter: what to ask Acumatica),
``paging`` (reading a result set page by page without losing records), ``mapper`` (pure
translation), ``decisions`` (pure rules per record), ``binder`` (set-based writes keyed on the
Acumatica keys), ``scan`` (cursor and checkpoints) and ``sync`` (the run)."""

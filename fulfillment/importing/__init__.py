"""Order import, in the OCA connector's parts: ``source`` (adapter: what to ask Acumatica),
``paging`` (reading a result set page by page without losing records), ``mapper`` and
``readers`` (pure translation), ``decisions`` (pure rules per record), ``binder`` and ``rows``
(set-based writes keyed on the Acumatica keys), ``scan`` (cursor and checkpoints), ``lease``
(one run per store) and ``sync`` (the run)."""

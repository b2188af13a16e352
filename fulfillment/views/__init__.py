"""The order, import and carrier pages. Thin: each view checks who may see what
(``stores.access``, the selectors), reads through selectors and changes through services.
``orders`` (list, detail), ``fulfillments`` (the order page and recording a fulfillment by
hand), ``actions`` (reprocess, skip, retry, add a mapping from a held fulfillment), ``imports``
(runs, run now, re-scan), ``why`` ("why wasn't this order imported?"), ``carriers`` (mappings)."""

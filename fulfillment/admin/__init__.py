"""Admin for support: find any order, fulfillment, run, attempt, mapping or token, and act on them.

Everything is read-only where editing would bypass a service (``stores.admin.readonly``); the
actions (reprocess, skip, retry write-back, run import again, revoke token) and carrier mapping
changes call the same services as the console, with ``via="admin"``, so they are audited the
same way. Secrets are never shown: an API token's key is not stored and its hash is not
displayed.

One module per model group: ``orders``, ``imports``, ``writeback`` (fulfillments, attempts,
outbox), ``configuration`` (carrier mappings, API tokens). Admin autodiscovery imports this
package: importing the modules registers their admins."""

from . import configuration, imports, orders, writeback

__all__ = ["configuration", "imports", "orders", "writeback"]

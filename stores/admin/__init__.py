"""Django admin for support: find any merchant, user or store, fix state through the services.

Every change and action here goes through the services with ``via="admin"``, so it is in the
audit log (read-only here, as is the ledger of Acumatica calls). One module per concern:
``people`` (merchants, users and their roles), ``connections`` (store connections and their
actions), ``records`` (audit log, Acumatica calls); ``readonly`` is the read-only admin that
every app's system-written records use.

Admin autodiscovery imports this package: importing the modules registers their admins."""

from . import connections, people, records

__all__ = ["connections", "people", "records"]

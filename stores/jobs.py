"""Queueing stores jobs by name, once the current transaction commits (as ``fulfillment.jobs``
does for its own: services ask for work here, ``stores.tasks`` defines the jobs under these
names, and neither imports the other).

``ROUTES`` is merged into the Celery app's task routes (``connector/celery.py``)."""

from __future__ import annotations

from celery import current_app
from django.db import transaction

# A connection test started from a page: a person watches it, so the interactive queue.
RUN_CONNECTION_TEST = "stores.run_connection_test"

INTERACTIVE_QUEUE = "interactive"
ROUTES = {RUN_CONNECTION_TEST: INTERACTIVE_QUEUE}


def enqueue_after_commit(name: str, *args) -> None:
    """Queue job ``name`` with ``args`` (JSON values) when the current transaction commits, or at
    once outside one: a rolled-back request never starts a job."""
    transaction.on_commit(lambda: send(name, args))


def send(name: str, args: tuple) -> None:
    """Hand job ``name`` to the broker now."""
    current_app.signature(name, args=args).delay()

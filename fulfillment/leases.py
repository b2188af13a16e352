"""Leases on database rows: at most one worker works on what a row stands for.

A lease is taken with one conditional UPDATE (the row is free, or its lease expired) so that two
workers racing for it cannot both win, on SQLite as on PostgreSQL; the holder renews it while it
works and releases it when done. It expires, so a killed worker blocks the row only until then.
Used for the import of a store (``importing.lease``) and the write-back of a fulfillment
(``writeback.outbox``).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone


def new_holder() -> str:
    """A name for this worker's hold: host, process and a random part (unique per call)."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class RowLease:
    """The lease columns of one model: who holds it and until when."""

    holder_field: str
    until_field: str

    def free(self, now: dt.datetime) -> Q:
        return Q(**{f"{self.until_field}__isnull": True}) | Q(**{f"{self.until_field}__lte": now})

    def take(
        self, rows: QuerySet, *, holder: str, ttl: dt.timedelta, free: Q | None = None
    ) -> bool:
        """Take the lease of the one row in ``rows`` if it is free (or matches ``free``)."""
        now = timezone.now()
        taken = rows.filter(free if free is not None else self.free(now)).update(
            **{self.holder_field: holder, self.until_field: now + ttl}
        )
        return taken == 1

    def renew(self, rows: QuerySet, *, holder: str, ttl: dt.timedelta) -> bool:
        """False when the lease expired and someone else took it: the caller must stop."""
        held = rows.filter(**{self.holder_field: holder})
        return held.update(**{self.until_field: timezone.now() + ttl}) == 1

    def release(self, rows: QuerySet, *, holder: str, **changes) -> None:
        """Let the lease go (with ``changes`` to the row in the same UPDATE), if still ours."""
        rows.filter(**{self.holder_field: holder}).update(
            **{self.holder_field: "", self.until_field: None}, **changes
        )

    def is_held(self, row, now: dt.datetime) -> bool:
        until = getattr(row, self.until_field)
        return bool(until and until > now)

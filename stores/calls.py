"""Recording every Acumatica request a store's client sends (``AcumaticaCall`` rows), and the
reads built on them: usage against the licence, requests by status code.

``acumatica_client_for`` installs :class:`CallLedger` on every client it builds, so every job,
connection test and diagnosis is counted without the caller doing anything. The client hands
the recorder an already redacted exchange; only the path, status, timing and — for failed calls
— the start of Acumatica's answer are kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from urllib.parse import urlsplit

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMinute
from django.utils import timezone

from connector.acumatica.recording import Exchange, Recorder

from .models import AcumaticaCall

logger = logging.getLogger("connector.stores")

EXCERPT_CHARS = 2000


class CallLedger:
    """A recorder that saves one ``AcumaticaCall`` per exchange, then hands the exchange on to
    ``also`` (e.g. a write-back attempt's own log) at once.

    Rows are saved in batches, not one insert per request: they wait until ``FLUSH_AT`` are
    waiting or the oldest has waited ``FLUSH_AFTER_SECONDS``, and the rest are saved when the
    client closes (the transport calls :meth:`flush`). A write-back's dozen requests cost one
    insert; usage figures lag a running job by a few seconds at most."""

    FLUSH_AT = 50
    FLUSH_AFTER_SECONDS = 5.0

    def __init__(self, store_id: int, *, purpose: str = "", also: Recorder | None = None):
        self.store_id = store_id
        self.purpose = purpose
        self.also = also
        self._waiting: list[AcumaticaCall] = []
        self._oldest = 0.0
        self._lock = threading.Lock()

    def record(self, exchange: Exchange) -> None:
        try:
            row = call_row(store_id=self.store_id, exchange=exchange, purpose=self.purpose)
        except Exception:
            # Losing one usage row must not fail the job that made the call.
            logger.exception("store %s: could not record an Acumatica call", self.store_id)
        else:
            with self._lock:
                if not self._waiting:
                    self._oldest = time.monotonic()
                self._waiting.append(row)
                due = (
                    len(self._waiting) >= self.FLUSH_AT
                    or time.monotonic() - self._oldest >= self.FLUSH_AFTER_SECONDS
                )
            if due:
                self.flush()
        if self.also is not None:
            self.also.record(exchange)

    def flush(self) -> None:
        """Save the rows still waiting. Never raises: a lost usage row must not fail a job."""
        with self._lock:
            rows, self._waiting = self._waiting, []
        if not rows:
            return
        try:
            AcumaticaCall.objects.bulk_create(rows)
        except Exception:
            logger.exception(
                "store %s: could not record %s Acumatica call(s)", self.store_id, len(rows)
            )


def call_row(*, store_id: int, exchange: Exchange, purpose: str = "") -> AcumaticaCall:
    """The (unsaved) ``AcumaticaCall`` of one exchange, stamped now."""
    parts = urlsplit(exchange.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    failed = exchange.status is None or exchange.status >= 400
    return AcumaticaCall(
        store_id=store_id,
        at=timezone.now(),
        method=exchange.method[:10],
        path=path[:1000],
        status=exchange.status,
        duration_ms=max(0, int(exchange.duration * 1000)),
        error=(exchange.error or "")[:500],
        response_excerpt=(exchange.response_body or "")[:EXCERPT_CHARS] if failed else "",
        purpose=purpose[:40],
    )


def calls_since(*, since: dt.datetime, store_ids=None) -> QuerySet[AcumaticaCall]:
    calls = AcumaticaCall.objects.filter(at__gte=since)
    return calls if store_ids is None else calls.filter(store_id__in=store_ids)


def peak_requests_per_minute(*, store_id: int, since: dt.datetime) -> int:
    """The busiest minute since ``since``: what the licence's per-minute limit is about."""
    busiest = (
        AcumaticaCall.objects.filter(store_id=store_id, at__gte=since)
        .annotate(minute=TruncMinute("at"))
        .values("minute")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return busiest["n"] if busiest else 0


def calls_prune(*, older_than: dt.timedelta) -> int:
    """Forget calls older than the retention period; returns how many were deleted."""
    deleted, _ = AcumaticaCall.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted

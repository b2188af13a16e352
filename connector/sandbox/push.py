"""Push notifications (SM302000) from the sandbox, as Acumatica sends them (API.md §8).

A destination is what a Push Notifications entry says: a webhook Address, an optional Header
Name/Value, the data query it tracks (here: ``SalesOrder`` or ``Shipment`` rows, with the
columns of the generic inquiry the connector asks merchants to create) and the tenant. When a
tracked record changes, the sandbox POSTs one JSON object per change — ``Inserted`` (the row's
new state), ``Deleted`` (its old state), ``Query``, ``CompanyId``, ``Id`` (new per transaction),
``TimeStamp`` (a long), ``AdditionalInfo`` — after ``delay`` seconds, and re-sends it when the
receiver answers anything but 2xx, at most five tries in all [DOC].

Changes are found by watching each record's last-modified time (every write of the sandbox moves
it, as Acumatica's does), so every way a record changes — entity PUTs, actions, the data control
endpoint — is seen without hooks in the writers.

For tests, ``drop_rate`` loses a notification for good (never sent: what the poll must catch)
and ``duplicate_rate`` delivers one twice (same ``Id``: what the receiver must shrug off).
CHOSEN (not documented by Acumatica): retries every ``retry_seconds`` (default 1 s) rather than
Acumatica's own schedule; a record created and changed within one watch interval is one
notification.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

logger = logging.getLogger("connector.sandbox.push")

MAX_TRIES = 5
# 100-ns ticks from 0001-01-01, as .NET's DateTime.Ticks (the TimeStamp's unit).
_TICKS_AT_EPOCH = 621355968000000000

# The generic inquiry's columns per entity: (column in the notification, record field).
COLUMNS = {
    "SalesOrder": (
        ("OrderType", "OrderType"),
        ("OrderNbr", "OrderNbr"),
        ("Status", "Status"),
        ("Hold", "Hold"),
        ("LastModifiedDateTime", "LastModified"),
    ),
    "Shipment": (
        ("ShipmentNbr", "ShipmentNbr"),
        ("Status", "Status"),
        ("Hold", "Hold"),
        ("SiteID", "WarehouseID"),
        ("LastModifiedDateTime", "LastModifiedDateTime"),
    ),
}
_MODIFIED = {"SalesOrder": "LastModified", "Shipment": "LastModifiedDateTime"}


@dataclass
class PushDestination:
    address: str
    entity: str = "SalesOrder"
    query: str = "Connector orders"
    company_id: str = "Company"
    header_name: str = ""
    header_value: str = ""
    delay: float = 0.0
    drop_rate: float = 0.0
    duplicate_rate: float = 0.0
    retry_seconds: float = 1.0
    # The generic inquiry's conditions (its Conditions tab): column -> value. A change is sent
    # only when its new or old row matches them all, e.g. {"OrderType": "S1"} for a tenant
    # whose inquiry shows one order type. Empty: every change of the entity.
    conditions: dict[str, Any] = field(default_factory=dict)
    id: int = 0

    def check(self) -> None:
        if self.entity not in COLUMNS:
            raise ValueError(f"entity must be one of {', '.join(COLUMNS)}")
        if not self.address.startswith(("http://", "https://")):
            raise ValueError("address must be an http(s) URL")
        for name in ("drop_rate", "duplicate_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.delay < 0 or self.retry_seconds < 0:
            raise ValueError("delay and retry_seconds must not be negative")
        columns = {column for column, _ in COLUMNS[self.entity]}
        if not isinstance(self.conditions, dict) or not set(self.conditions) <= columns:
            raise ValueError(
                f"conditions must map columns ({', '.join(sorted(columns))}) to values"
            )

    def tracks(self, rows: list[dict[str, Any]]) -> bool:
        """Whether a change with these rows (new and old state) is in the inquiry."""
        return not self.conditions or any(
            all(row.get(column) == value for column, value in self.conditions.items())
            for row in rows
        )

    def public(self) -> dict[str, Any]:
        """As the control endpoint shows it: the header value is a secret."""
        shown = asdict(self)
        shown["header_value"] = "(set)" if self.header_value else ""
        return shown


@dataclass(order=True)
class _Delivery:
    due: float
    seq: int
    destination: PushDestination = field(compare=False)
    body: bytes = field(compare=False)
    tries: int = field(default=0, compare=False)
    duplicate: bool = field(default=False, compare=False)


@dataclass
class PushStats:
    notifications: int = 0
    delivered: int = 0
    dropped: int = 0
    duplicated: int = 0
    retried: int = 0
    failed: int = 0


class PushNotifier:
    """Watches ``data`` for changed records and sends each destination its notifications."""

    def __init__(self, data, *, interval: float = 0.05, seed: int | None = None) -> None:
        self._data = data
        self._interval = interval
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._destinations: dict[int, PushDestination] = {}
        self._next_id = 1
        self._queue: list[_Delivery] = []
        self._seq = 0
        self._seen: dict[str, dict[str, tuple[Any, dict[str, Any]]]] = {}
        self.stats = PushStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- destinations ------------------------------------------------------------------------

    def add(self, destination: PushDestination) -> PushDestination:
        destination.check()
        with self._lock:
            destination.id = self._next_id
            self._next_id += 1
            self._destinations[destination.id] = destination
            # Only what changes from now on is sent.
            self._seen.setdefault(destination.entity, self._snapshot(destination.entity))
        self._start()
        return destination

    def remove(self, destination_id: int) -> bool:
        with self._lock:
            return self._destinations.pop(destination_id, None) is not None

    def destinations(self) -> list[PushDestination]:
        with self._lock:
            return list(self._destinations.values())

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- the watcher -------------------------------------------------------------------------

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="sandbox-push", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._watch()
                self._send_due()
            except Exception:  # the sandbox must keep answering whatever a receiver does
                logger.exception("push notifications: the watcher failed; it carries on")
            self._stop.wait(self._interval)

    def _snapshot(self, entity: str) -> dict[str, tuple[Any, dict[str, Any]]]:
        with self._data.lock:
            return {
                rid: (record.get(_MODIFIED[entity]), _row(entity, record))
                for rid, record in self._data.records[entity].items()
            }

    def _watch(self) -> None:
        with self._lock:
            entities = {d.entity for d in self._destinations.values()}
        for entity in entities:
            now = self._snapshot(entity)
            before = self._seen.get(entity, {})
            changes = []
            for rid, (modified, row) in now.items():
                old = before.get(rid)
                if old is None:
                    changes.append(([row], []))
                elif old[0] != modified or old[1] != row:
                    changes.append(([row], [old[1]]))
            changes += [([], [old[1]]) for rid, old in before.items() if rid not in now]
            self._seen[entity] = now
            for inserted, deleted in changes:
                self._notify(entity, inserted, deleted)

    def _notify(self, entity: str, inserted: list, deleted: list) -> None:
        with self._lock:
            targets = [
                d
                for d in self._destinations.values()
                if d.entity == entity and d.tracks([*inserted, *deleted])
            ]
        for destination in targets:
            body = json.dumps(
                {
                    "Inserted": inserted,
                    "Deleted": deleted,
                    "Query": destination.query,
                    "CompanyId": destination.company_id,
                    "Id": str(uuid.uuid4()),
                    "TimeStamp": _TICKS_AT_EPOCH + int(time.time() * 10_000_000),
                    "AdditionalInfo": {},
                },
                default=_plain,
            ).encode()
            self.stats.notifications += 1
            if self._rng.random() < destination.drop_rate:
                self.stats.dropped += 1
                continue
            self._enqueue(destination, body, time.monotonic() + destination.delay)
            if self._rng.random() < destination.duplicate_rate:
                self.stats.duplicated += 1
                self._enqueue(destination, body, time.monotonic() + destination.delay, dup=True)

    def _enqueue(self, destination, body: bytes, due: float, *, dup: bool = False, tries=0):
        with self._lock:
            self._seq += 1
            self._queue.append(_Delivery(due, self._seq, destination, body, tries, dup))
            self._queue.sort()

    def _send_due(self) -> None:
        while True:
            with self._lock:
                if not self._queue or self._queue[0].due > time.monotonic():
                    return
                delivery = self._queue.pop(0)
            if self._post(delivery):
                self.stats.delivered += 1
            elif delivery.tries + 1 < MAX_TRIES:
                self.stats.retried += 1
                destination = delivery.destination
                self._enqueue(
                    destination,
                    delivery.body,
                    time.monotonic() + destination.retry_seconds,
                    tries=delivery.tries + 1,
                )
            else:
                self.stats.failed += 1

    @staticmethod
    def _post(delivery: _Delivery) -> bool:
        destination = delivery.destination
        headers = {"Content-Type": "application/json"}
        if destination.header_name:
            headers[destination.header_name] = destination.header_value
        # The address was checked to be http(s) when the destination was added.
        request = urllib.request.Request(  # noqa: S310
            destination.address, data=delivery.body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return 200 <= response.status < 300
        except (urllib.error.URLError, OSError, ValueError):
            return False


def _row(entity: str, record: dict[str, Any]) -> dict[str, Any]:
    return {column: record.get(name) for column, name in COLUMNS[entity]}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)

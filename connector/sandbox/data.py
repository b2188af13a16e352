"""The sandbox's tenant database: top-level records in memory, their key index and lookups.

Records are plain dicts keyed by contract field name (see values.py for the stored types); a
linked entity is a nested dict, a detail collection a list of dicts; every dict carries its own
``id``. Keys starting with ``_`` are private bookkeeping never rendered. A top-level record's
``id`` is its NoteID and never changes (API.md §2).

One re-entrant lock guards everything: the HTTP server runs a thread per request, and a request
reads and writes several records (a shipment and its orders) that must stay consistent.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timezone
from decimal import Decimal
from typing import Any

from .config import SandboxConfig
from .schema import ENTITIES, TOP_LEVEL
from .values import parse_offset, truncate_ms

Record = dict[str, Any]
KeyTuple = tuple[str, ...]


def normalize_key(values: Iterable[Any]) -> KeyTuple:
    """Key comparison as SQL Server's default collation does it: case-insensitive, trailing
    spaces ignored (so ``SalesOrder/so/000123`` finds SO 000123)."""
    return tuple(str(v).rstrip().upper() for v in values)


def format_guid(bits: int) -> str:
    """128 random bits as a version-4 GUID string (uuid.UUID is ten times slower when seeding
    10,000 orders)."""
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


@dataclass
class Lookups:
    """Setup data other records point at; PUT validation answers 422 for values not listed."""

    warehouses: dict[str, dict] = field(default_factory=dict)
    boxes: dict[str, dict] = field(default_factory=dict)
    ship_vias: dict[str, dict] = field(default_factory=dict)
    order_types: dict[str, dict] = field(default_factory=dict)
    customers: dict[str, dict] = field(default_factory=dict)
    weight_uom: str = "LB"
    base_currency: str = "USD"

    def as_json(self) -> dict:
        return {
            "warehouses": self.warehouses,
            "boxes": {
                k: {f: float(x) if isinstance(x, Decimal) else x for f, x in v.items()}
                for k, v in self.boxes.items()
            },
            "shipVias": self.ship_vias,
            "orderTypes": self.order_types,
            "customers": self.customers,
            "weightUOM": self.weight_uom,
            "baseCurrency": self.base_currency,
        }


class SandboxData:
    def __init__(self, config: SandboxConfig, clock: Callable[[], float] | None = None):
        self.config = config
        self.lock = threading.RLock()
        # Wall clock in seconds; the server may hand in its advanceable SandboxClock.now.
        self._clock = clock
        self.version = 0
        self.lookups = Lookups()
        self.records: dict[str, dict[str, Record]] = {name: {} for name in TOP_LEVEL}
        self._by_key: dict[str, dict[KeyTuple, str]] = {name: {} for name in TOP_LEVEL}
        self._ordered: dict[str, list[str] | None] = {name: None for name in TOP_LEVEL}
        self.order_shipments: dict[KeyTuple, set[str]] = {}
        self._shipment_orders: dict[str, set[KeyTuple]] = {}
        self.counters: dict[str, int] = {}
        self.id_source = random.Random(config.seed)
        self._query_cache: dict[tuple, tuple[int, list[str]]] = {}
        # Long-running actions by operation id (actions.py); kept here so the data control
        # endpoint, which only sees the data, completes them too.
        self.operations: dict[str, Any] = {}

    # -- time and identity ---------------------------------------------------------------

    @property
    def tz(self) -> timezone:
        return parse_offset(self.config.timezone_offset)

    def seconds(self) -> float:
        return self._clock() if self._clock else time.time()

    def now(self) -> datetime:
        return truncate_ms(datetime.fromtimestamp(self.seconds(), UTC))

    def new_id(self) -> str:
        """A random (version 4) GUID from the data's own generator, reseeded with the data: the
        same seed and the same requests give the same ids."""
        return format_guid(self.id_source.getrandbits(128))

    def next_number(self, counter: str) -> str:
        """Auto-numbering: six digits, one sequence per counter ("SO", "RM", "shipment")."""
        self.counters[counter] = self.counters.get(counter, 0) + 1
        return f"{self.counters[counter]:06d}"

    # -- reading ---------------------------------------------------------------------------

    def key_of(self, entity: str, record: Record) -> KeyTuple:
        return normalize_key(record.get(k) for k in ENTITIES[entity].keys)

    def get(self, entity: str, record_id: str) -> Record | None:
        return self.records[entity].get(str(record_id).lower())

    def find(self, entity: str, keys: Iterable[Any]) -> Record | None:
        record_id = self._by_key[entity].get(normalize_key(keys))
        return self.records[entity][record_id] if record_id else None

    def ordered_ids(self, entity: str) -> list[str]:
        """Every id of the entity in key order: the order lists and pages come in."""
        ordered = self._ordered[entity]
        if ordered is None:
            index = self._by_key[entity]
            ordered = [index[key] for key in sorted(index)]
            self._ordered[entity] = ordered
        return ordered

    def shipments_of_order(self, order_type: str, order_nbr: str) -> list[Record]:
        ids = self.order_shipments.get(normalize_key((order_type, order_nbr)), set())
        shipments = [self.records["Shipment"][i] for i in ids]
        return sorted(shipments, key=lambda s: s["ShipmentNbr"])

    def cached_query(self, cache_key: tuple, compute: Callable[[], list[str]]) -> list[str]:
        """Matching ids of a list query, recomputed only after a write: paging through 10,000
        orders with the same $filter then costs one filter pass, not one per page."""
        hit = self._query_cache.get(cache_key)
        if hit and hit[0] == self.version:
            return hit[1]
        if len(self._query_cache) > 64:
            self._query_cache.clear()
        ids = compute()
        self._query_cache[cache_key] = (self.version, ids)
        return ids

    # -- writing -----------------------------------------------------------------------------

    def insert(self, entity: str, record: Record) -> Record:
        key = self.key_of(entity, record)
        if key in self._by_key[entity]:
            raise KeyError(f"{entity} {key} exists")
        record["id"] = record["id"].lower()
        self.records[entity][record["id"]] = record
        self._by_key[entity][key] = record["id"]
        self._ordered[entity] = None
        if entity == "Shipment":
            self._index_shipment(record)
        self.version += 1
        return record

    def replace(self, entity: str, record: Record) -> Record:
        """Store a changed copy of an existing record (same id, same keys)."""
        if entity == "Shipment":
            self._index_shipment(record)
        self.records[entity][record["id"]] = record
        self.version += 1
        return record

    def delete(self, entity: str, record_id: str) -> None:
        record = self.records[entity].pop(record_id)
        del self._by_key[entity][self.key_of(entity, record)]
        self._ordered[entity] = None
        if entity == "Shipment":
            self._index_shipment(record, removed=True)
        self.version += 1

    def touch(self) -> None:
        """Note an in-place change (seeding, data control) so cached list results are dropped."""
        self.version += 1

    def clear(self) -> None:
        for name in TOP_LEVEL:
            self.records[name].clear()
            self._by_key[name].clear()
            self._ordered[name] = None
        self.order_shipments.clear()
        self._shipment_orders.clear()
        self.counters.clear()
        self._query_cache.clear()
        self.version += 1

    def _index_shipment(self, shipment: Record, *, removed: bool = False) -> None:
        """Keep order → shipments in step with the shipment's lines (what it was indexed under
        is remembered, so a record changed in place is re-indexed correctly)."""
        for order_key in self._shipment_orders.pop(shipment["id"], set()):
            self.order_shipments.get(order_key, set()).discard(shipment["id"])
        if removed:
            return
        order_keys = {
            normalize_key((line.get("OrderType"), line.get("OrderNbr")))
            for line in shipment.get("Details", [])
        }
        self._shipment_orders[shipment["id"]] = order_keys
        for order_key in order_keys:
            self.order_shipments.setdefault(order_key, set()).add(shipment["id"])

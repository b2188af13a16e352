"""The cut-over check's dry-run import: the store's full scan (what a re-scan reads: the open
records of its order type or warehouse) read once on the pinned endpoint version and once on the
new one, each record mapped as the import maps it, and the two results compared record by
record. Nothing is written: no order, no import run, no cursor (the calls are recorded, as
every Acumatica call is).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from stores.credentials import acumatica_client_for
from stores.models import StoreConnection

from ..importing.source import FULL, scan_query
from ..models import Order
from ..modes import MappedOrder, MappingError, mode_for

# Records compared per version at most: a tenant with a huge backlog is sampled (the report says
# so), since the dry run runs while a person waits.
DRY_RUN_LIMIT = 1_000
PAGE_SIZE = 250


@dataclass
class VersionRead:
    version: str
    orders: dict[tuple[str, ...], MappedOrder] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    capped: bool = False
    requests: int = 0


@dataclass
class DryRun:
    pinned: VersionRead
    target: VersionRead
    identical: int = 0
    differing: list[str] = field(default_factory=list)
    only_pinned: list[str] = field(default_factory=list)
    only_target: list[str] = field(default_factory=list)
    # Imported orders (this database) the target version maps to the same payload.
    imported: int = 0
    imported_same: int = 0

    @property
    def clean(self) -> bool:
        """The new version maps every record exactly as the pinned one does."""
        new_failures = set(self.target.failed) - set(self.pinned.failed)
        return not (self.differing or self.only_pinned or self.only_target or new_failures)

    def as_dict(self) -> dict:
        return {
            "pinned": {"version": self.pinned.version, "read": len(self.pinned.orders)},
            "target": {"version": self.target.version, "read": len(self.target.orders)},
            "identical": self.identical,
            "differing": self.differing,
            "only_pinned": self.only_pinned,
            "only_target": self.only_target,
            "failed_pinned": self.pinned.failed,
            "failed_target": self.target.failed,
            "capped": self.pinned.capped or self.target.capped,
            "imported": self.imported,
            "imported_same": self.imported_same,
            "requests": self.pinned.requests + self.target.requests,
            "clean": self.clean,
        }


def dry_run(*, store: StoreConnection, version: str, limit: int = DRY_RUN_LIMIT) -> DryRun:
    pinned = _read(store, store.endpoint_version, limit)
    target = _read(store, version, limit)
    result = DryRun(pinned=pinned, target=target)
    capped = pinned.capped or target.capped
    for key in sorted(set(pinned.orders) | set(target.orders)):
        before, after = pinned.orders.get(key), target.orders.get(key)
        label = " ".join(key)
        if before is None or after is None:
            if not capped:  # a sample's edges need not line up
                (result.only_target if before is None else result.only_pinned).append(label)
            continue
        changed = _changed_fields(before, after)
        if changed:
            result.differing.append(f"{label}: {', '.join(changed)} differ")
        else:
            result.identical += 1
    mode = mode_for(store)
    stored = {
        mode.order_key(row): row["payload_hash"]
        for row in Order.objects.filter(store=store, source_kind=mode.source_kind).values(
            *mode.order_key_fields, "payload_hash"
        )
    }
    for key, mapped in target.orders.items():
        if key in stored:
            result.imported += 1
            result.imported_same += stored[key] == mapped.payload_hash
    return result


def _read(store: StoreConnection, version: str, limit: int) -> VersionRead:
    # A copy of the store with the other version, never saved: the client reads on it.
    copy = StoreConnection.objects.get(pk=store.pk)
    copy.endpoint_version = version
    mode = mode_for(copy)
    query = scan_query(
        mode=mode, scan=FULL, order_type=copy.order_type, warehouse=copy.default_warehouse
    )
    read = VersionRead(version=version)
    with acumatica_client_for(
        copy, purpose=f"endpoint cut-over dry run on {version}", urgent=True
    ) as client:
        for page in client.iter_pages(
            query.entity,
            filter=query.filter,
            expand=query.expand,
            select=query.select,
            page_size=PAGE_SIZE,
        ):
            for record in page:
                try:
                    mapped = mode.map(record)
                except MappingError as exc:
                    read.failed.append(str(exc))
                    continue
                read.orders[mapped.key] = mapped
            if len(read.orders) >= limit:
                read.capped = True
                break
        read.requests = client.request_count
    return read


def _changed_fields(before: MappedOrder, after: MappedOrder) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(MappedOrder)
        if f.compare and getattr(before, f.name) != getattr(after, f.name)
    ]

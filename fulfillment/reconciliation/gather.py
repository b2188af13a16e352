"""The gatherer: the paged requests a reconciliation makes, and nothing else.

Two keys-only queries, each paged 500 records to a request (``$top``) with the import's own
pager (``importing.paging.scan_pages``: a record that slides between pages is re-read, never
skipped):

* the store's entity (SalesOrder or Shipment, from the mode's spec) in the store's scope
  (order type / warehouse) changed since the window opened, with ``$select`` of the key fields,
  Status, Hold and the last-modified field only. No status filter: a status filter would hide
  the orders that *left* eligibility, and would let records drop out of the result set while it
  is paged;
* Shipments changed since the window opened (less a margin for clock skew), ``$expand=Packages``
  with ``$select`` of the number, status, Ship Via and the packages' tracking numbers and
  reference: one query for every fulfillment of the window instead of one read each.

10,000 changed orders therefore cost 20 requests (+1 for the last, short page) plus the
Shipments' pages and the sign-in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from connector.acumatica import AcumaticaClient, odata
from connector.acumatica.values import value_of

from ..importing.paging import scan_pages
from ..modes import Mode
from ..modes.mapping import record_last_modified
from . import conf
from .compare import SourcePackage, SourceRow, SourceShipment

SHIPMENT = "Shipment"
SHIPMENT_SELECT = (
    "ShipmentNbr",
    "Status",
    "ShipVia",
    "LastModifiedDateTime",
    "Packages/TrackingNbr",
    "Packages/CustomRefNbr1",
)


@dataclass(frozen=True)
class Gathered:
    rows: list[SourceRow]
    shipments: dict[str, SourceShipment]

    @property
    def keys_read(self) -> int:
        return len(self.rows) + len(self.shipments)


def source_gather(
    client: AcumaticaClient,
    *,
    mode: Mode,
    order_type: str,
    warehouse: str,
    since: dt.datetime | None,
    page_size: int = conf.KEYS_PAGE_SIZE,
) -> Gathered:
    """Both queries; raises the client's errors."""
    rows = {
        row.key: row
        for row in source_rows(
            client,
            mode=mode,
            order_type=order_type,
            warehouse=warehouse,
            since=since,
            page_size=page_size,
        )
    }
    shipments = {
        shipment.nbr: shipment
        for shipment in source_shipments(
            client,
            since=None if since is None else since - conf.SHIPMENT_MARGIN,
            page_size=page_size,
        )
    }
    return Gathered(rows=list(rows.values()), shipments=shipments)


def source_rows(
    client: AcumaticaClient,
    *,
    mode: Mode,
    order_type: str,
    warehouse: str,
    since: dt.datetime | None,
    page_size: int = conf.KEYS_PAGE_SIZE,
) -> Iterator[SourceRow]:
    select = (*mode.key_fields, "Status", "Hold", mode.last_modified_field)
    scope = mode.scan_filter(full=False, order_type=order_type, warehouse=warehouse)
    changed = odata.ge(mode.last_modified_field, since) if since is not None else None
    query_filter = odata.and_(scope, changed) if (scope or changed) else None
    for record in _records(
        client, mode.entity, query_filter, select, (), mode.key_fields, page_size
    ):
        key = tuple(str(value_of(record, name) or "").strip() for name in mode.key_fields)
        if not all(key):
            continue  # a record without its key cannot be matched (nor imported)
        yield SourceRow(
            key=key,
            status=str(value_of(record, "Status") or "").strip(),
            hold=value_of(record, "Hold") is True,
            last_modified=record_last_modified(record, mode.last_modified_field),
        )


def source_shipments(
    client: AcumaticaClient, *, since: dt.datetime | None, page_size: int = conf.KEYS_PAGE_SIZE
) -> Iterator[SourceShipment]:
    query_filter = odata.ge("LastModifiedDateTime", since) if since is not None else None
    records = _records(
        client, SHIPMENT, query_filter, SHIPMENT_SELECT, ("Packages",), ("ShipmentNbr",), page_size
    )
    for record in records:
        nbr = str(value_of(record, "ShipmentNbr") or "").strip()
        if not nbr:
            continue
        packages = [p for p in record.get("Packages") or [] if isinstance(p, dict)]
        yield SourceShipment(
            nbr=nbr,
            status=str(value_of(record, "Status") or "").strip(),
            ship_via=str(value_of(record, "ShipVia") or "").strip(),
            packages=tuple(
                SourcePackage(
                    tracking_number=str(value_of(p, "TrackingNbr") or "").strip(),
                    reference=str(value_of(p, "CustomRefNbr1") or "").strip(),
                )
                for p in packages
            ),
        )


def _records(
    client: AcumaticaClient,
    entity: str,
    query_filter,
    select: tuple[str, ...],
    expand: tuple[str, ...],
    key_fields: tuple[str, ...],
    page_size: int,
) -> Iterator[dict[str, Any]]:
    def fetch(skip: int, top: int) -> list[dict[str, Any]]:
        return client.list(
            entity,
            filter=query_filter,
            select=select,
            expand=expand or None,
            top=top,
            skip=skip or None,
        )

    def key_of(record: dict[str, Any]) -> str:
        return "/".join(str(value_of(record, name) or "") for name in key_fields)

    for page in scan_pages(fetch, key_of=key_of, page_size=page_size):
        yield from page.records

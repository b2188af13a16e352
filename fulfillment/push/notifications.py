"""Reading an Acumatica push notification (API.md §8; examples/push_notification_webhook_body.json):
one JSON object per data transaction with ``Inserted`` and ``Deleted`` rows of the generic
inquiry, ``Query``, ``CompanyId``, ``Id`` (unique per transaction), ``TimeStamp`` and
``AdditionalInfo``. Pure: no database, no HTTP."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..modes import Mode

MAX_KEYS = 1000


class NotificationInvalid(ValueError):
    """The body is not a push notification; the message says why (for a 400 answer)."""


@dataclass(frozen=True)
class Notification:
    id: str
    query: str
    company_id: str
    inserted: tuple[Mapping[str, Any], ...]
    deleted: tuple[Mapping[str, Any], ...]


def notification_parse(body: bytes) -> Notification:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotificationInvalid("The body is not JSON.") from None
    if not isinstance(data, dict):
        raise NotificationInvalid("The body is not a JSON object.")
    ident, query = data.get("Id"), data.get("Query")
    if not isinstance(ident, str) or not ident.strip() or len(ident) > 100:
        raise NotificationInvalid("Id is missing or not a string of at most 100 characters.")
    if not isinstance(query, str) or not query.strip() or len(query) > 200:
        raise NotificationInvalid("Query is missing or not a string of at most 200 characters.")
    company = data.get("CompanyId")
    if company is not None and not isinstance(company, str):
        raise NotificationInvalid("CompanyId is not a string.")
    rows = {}
    for name in ("Inserted", "Deleted"):
        value = data.get(name)
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            raise NotificationInvalid(f"{name} is not a list of rows.")
        rows[name] = tuple(value)
    return Notification(
        id=ident.strip(),
        query=query.strip(),
        company_id=(company or "").strip()[:100],
        inserted=rows["Inserted"],
        deleted=rows["Deleted"],
    )


def notification_keys(notification: Notification, mode: Mode) -> tuple[list[tuple[str, ...]], int]:
    """The records the notification names, as the mode's business keys (rows now in the
    inquiry and rows that left it: both may have changed what the warehouse should do), and
    how many rows named no key. A column matches by its field name, with or without the
    inquiry's table prefix ("OrderNbr", "SOOrder_orderNbr")."""
    keys: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    unnamed = 0
    for row in (*notification.inserted, *notification.deleted):
        key = _key_of(row, mode.key_fields)
        if key is None:
            unnamed += 1
        elif key not in seen and len(keys) < MAX_KEYS:
            seen.add(key)
            keys.append(key)
    return keys, unnamed


def _key_of(row: Mapping[str, Any], fields: tuple[str, ...]) -> tuple[str, ...] | None:
    found = []
    for field in fields:
        value = _column(row, field)
        if not isinstance(value, str) or not value.strip() or len(value) > 30:
            return None
        found.append(value.strip())
    return tuple(found)


def _column(row: Mapping[str, Any], field: str) -> Any:
    if field in row:
        return row[field]
    wanted = field.casefold()
    for name, value in row.items():
        folded = str(name).casefold()
        if folded == wanted or folded.endswith("_" + wanted):
            return value
    return None

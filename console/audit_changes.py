"""How an audit entry's before → after is shown, on the audit log page and in its CSV export:
one (field, before, after) row per changed field, values as text, secrets never."""

from __future__ import annotations

import json
from typing import Any

from stores.audit import CHANGED, is_secret_field
from stores.models import AuditEntry


def shown_value(name: str, value: Any) -> str:
    # is_secret_field: a defensive second line behind ``audit_record``'s masking, so a page
    # never shows such a value.
    if is_secret_field(name):
        return CHANGED if value else ""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def changed_fields(entry: AuditEntry) -> list[tuple[str, str, str]]:
    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return [
        (name, shown_value(name, before.get(name)), shown_value(name, after.get(name)))
        for name in sorted(set(before) | set(after))
    ]

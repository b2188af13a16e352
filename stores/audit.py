"""The one writer of the audit log (``AuditEntry``), and the reads the audit pages use.

Services call ``audit_record`` for every action and configuration change, whoever triggered it
(console, admin, command line), so no entry point can forget it. Values of secret fields are
never written: a changed secret shows as "(changed)".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import QuerySet

from .access import merchant_ids_for
from .models import AuditEntry, StoreConnection

SECRET_FIELDS = frozenset(
    {"client_secret", "password", "refresh_token", "access_token", "secret", "key", "token"}
)
CHANGED = "(changed)"
SYSTEM = "system"
# Set by ``audit_note``: what every entry recorded inside it says it was part of.
_note: ContextVar[tuple[str, str] | None] = ContextVar("audit_note", default=None)


@contextmanager
def audit_note(*, summary_prefix: str, reason: str) -> Iterator[None]:
    """Entries recorded inside say why they happened (e.g. "Reverted entry #12:"), whichever
    service records them: a revert goes through the ordinary services, and their entries must
    still read as the revert they are."""
    token = _note.set((summary_prefix, reason))
    try:
        yield
    finally:
        _note.reset(token)


def is_secret_field(name: str) -> bool:
    """A field whose value the log never keeps (only that it changed)."""
    name = name.lower()
    return name in SECRET_FIELDS or name.endswith(("_secret", "_password"))


def logged_value(value: Any) -> Any:
    """A value as an entry's before/after keeps it, to compare a current value with it."""
    return _plain(value)


def _masked(values: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in (values or {}).items():
        if is_secret_field(name):
            out[name] = CHANGED if value else ""
        else:
            out[name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    """JSON-safe: dates, decimals and model instances become text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


def actor_label(actor) -> str:
    if actor is None:
        return SYSTEM
    if isinstance(actor, str):
        return actor
    username = getattr(actor, "get_username", None)
    return username() if username else str(actor)


def audit_record(
    *,
    actor,
    action: str,
    summary: str,
    store: StoreConnection | None = None,
    target=None,
    target_type: str = "",
    target_label: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    via: str = AuditEntry.Via.CONSOLE,
) -> AuditEntry:
    """Record one action. ``actor``: a user, a label (e.g. "api token WMS-1") or None for the
    system; ``target``: the model instance acted on (its type, id and text are kept)."""
    user = actor if getattr(actor, "pk", None) and hasattr(actor, "get_username") else None
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_label = target_label or str(target)
    note = _note.get()
    if note is not None:
        summary = f"{note[0]} {summary}"
        reason = reason if note[1] in reason else f"{note[1]} {reason}".strip()
    return AuditEntry.objects.create(
        actor=user,
        actor_label=actor_label(actor)[:150],
        via=via if actor is not None or via != AuditEntry.Via.CONSOLE else AuditEntry.Via.SYSTEM,
        action=action,
        merchant_id=store.merchant_id if store is not None else None,
        store=store if store is not None and store.pk else None,
        store_label=str(store)[:420] if store is not None else "",
        target_type=target_type,
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=target_label[:300],
        summary=summary[:500],
        reason=reason,
        before=_masked(before),
        after=_masked(after),
    )


def changes_between(
    before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields whose value differs, as (before, after) dicts."""
    names = list(fields) if fields is not None else sorted(set(before) | set(after))
    changed = [n for n in names if before.get(n) != after.get(n)]
    return {n: before.get(n) for n in changed}, {n: after.get(n) for n in changed}


def audit_entries_for(user) -> QuerySet[AuditEntry]:
    """Entries the user may read: all for 3PL staff; a merchant user sees only entries about
    their merchant's stores (never system-wide ones)."""
    ids = merchant_ids_for(user)
    entries = AuditEntry.objects.select_related("actor", "store")
    return entries if ids is None else entries.filter(merchant_id__in=ids)

"""A store's configuration history and the one-click revert of an entry of it.

The history is the store's audit entries that changed its configuration: settings (schedule and
credentials included), pause / resume, carrier mappings, push set-up. A revert puts an entry's
"before" values back through the same services a person would use (so their validation and
their side effects apply, e.g. a restored connection setting sends an active store back to
draft), inside ``audit_note`` so the entries those services record read "Reverted entry #N:".
Reverting a revert is an ordinary revert.

A later change wins: only the fields whose current value still equals the entry's "after" are
restored; the others are reported and left alone. Secrets are never in the log, so they cannot
be restored from it: the plan says so and leaves them untouched."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from fulfillment.models import CarrierMapping
from fulfillment.writeback.carriers import (
    carrier_mapping_add,
    carrier_mapping_delete,
    carrier_mapping_update,
)
from stores import access
from stores.audit import audit_note, is_secret_field, logged_value
from stores.models import AuditEntry, StoreConnection, StoreStatus
from stores.services import (
    CONNECTION_FIELDS,
    EDITABLE_FIELDS,
    STATUS_FIELDS,
    store_pause,
    store_resume,
    store_update,
)
from stores.validation import STORE_FIELD_VALIDATORS, store_field_errors

from .audit_changes import shown_value

STORE_ACTIONS = ("store.create", "store.update", "store.activate", "store.pause", "store.resume")
HISTORY_PREFIXES = ("carrier_mapping.", "push.")
MAPPING_FIELDS = ("carrier", "service", "ship_via", "default_box_id")
NOT_REVERTED = {
    "store.create": "A new connection is not reverted; a 3PL admin can delete the store.",
    "store.activate": "An activation is not reverted here: pause the store instead.",
}
NOT_REVERTED_PREFIXES = {
    "push.": "A push secret or endpoint cannot be restored from the log (the secret was never "
    "recorded): set push notifications up again instead.",
}


class RevertRefused(Exception):
    """Nothing was changed; the message says why (safe to show)."""


@dataclass
class RevertPlan:
    """What reverting an entry would do now. ``refusal`` set: nothing can be reverted."""

    entry: AuditEntry
    refusal: str = ""
    does: list[str] = field(default_factory=list)
    # Fields left as they are, each with why (changed again since, or already as before).
    kept: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    apply: Callable[..., Any] | None = None

    @property
    def possible(self) -> bool:
        return not self.refusal and self.apply is not None

    @property
    def secrets_note(self) -> str:
        if not self.secrets:
            return ""
        names = " and ".join(self.secrets)
        return (
            f"The {names} cannot be restored from the log (secrets are never recorded) and "
            "stay as they are: re-enter the secret on the store's edit page if the old one is "
            "needed."
        )


@dataclass
class RevertResult:
    entry: AuditEntry
    plan: RevertPlan
    # The entries the revert recorded (the services' own, each saying "Reverted entry #N:").
    recorded: list[AuditEntry]

    @property
    def message(self) -> str:
        parts = [f"Reverted entry #{self.entry.pk}: {' '.join(self.plan.does)}"]
        parts += self.plan.kept
        parts += [self.plan.secrets_note] if self.plan.secrets else []
        parts += self.plan.notes
        return " ".join(p if p.endswith(".") else f"{p}." for p in parts if p)


# --- Reads ------------------------------------------------------------------------------------


def _history_q() -> Q:
    q = Q(action__in=STORE_ACTIONS)
    for prefix in HISTORY_PREFIXES:
        q |= Q(action__startswith=prefix)
    return q


def config_history_of(store: StoreConnection) -> QuerySet[AuditEntry]:
    """The store's configuration changes, newest first."""
    return AuditEntry.objects.filter(store=store).filter(_history_q()).select_related("actor")


def config_entry_for(store: StoreConnection, entry_id) -> AuditEntry | None:
    """The entry if it is one of this store's configuration changes."""
    try:
        return config_history_of(store).filter(pk=int(entry_id)).first()
    except (TypeError, ValueError):
        return None


def is_revertable_action(action: str) -> bool:
    return action in _PLANNERS


def can_revert(user) -> bool:
    """3PL staff revert; merchant users read their stores' history."""
    return access.is_3pl_staff(user)


def config_revert_plan(*, entry: AuditEntry, store: StoreConnection | None = None) -> RevertPlan:
    """What reverting ``entry`` would do against the store as it is now."""
    store = store or entry.store
    planner = _PLANNERS.get(entry.action)
    if store is None or planner is None:
        refusal = NOT_REVERTED.get(entry.action) or next(
            (
                text
                for prefix, text in NOT_REVERTED_PREFIXES.items()
                if entry.action.startswith(prefix)
            ),
            "This kind of change cannot be reverted.",
        )
        return RevertPlan(entry=entry, refusal=refusal)
    plan = planner(entry, store)
    if not plan.refusal and plan.apply is None:
        plan.refusal = "Nothing to revert."
    return plan


# --- The revert -------------------------------------------------------------------------------


def config_entry_revert(*, entry: AuditEntry, actor, via: str = AuditEntry.Via.CONSOLE):
    """Revert ``entry`` now: plan it again against the locked store, apply it through the
    services, and return what was done. ``RevertRefused`` (nothing changed) when the plan is
    refused or a service refuses the restored values."""
    if actor is not None and not isinstance(actor, str) and not can_revert(actor):
        raise PermissionDenied("Only 3PL staff revert configuration changes.")
    if entry.store_id is None:
        raise RevertRefused("The store of this entry no longer exists.")
    first_new = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        with transaction.atomic():
            store = StoreConnection.objects.select_for_update().get(pk=entry.store_id)
            plan = config_revert_plan(entry=entry, store=store)
            if not plan.possible:
                raise RevertRefused(plan.refusal)
            with audit_note(
                summary_prefix=f"Reverted entry #{entry.pk}:", reason=f"Reverted entry #{entry.pk}."
            ):
                plan.apply(actor=actor, via=via)
    except ValidationError as exc:
        raise RevertRefused(
            f"Reverting entry #{entry.pk} is refused now: {' '.join(exc.messages)} Nothing was "
            "changed."
        ) from None
    recorded = list(
        AuditEntry.objects.filter(pk__gt=first_new, store_id=entry.store_id)
        .filter(reason__startswith=f"Reverted entry #{entry.pk}.")
        .order_by("pk")
    )
    return RevertResult(entry=entry, plan=plan, recorded=recorded)


# --- One planner per kind of entry --------------------------------------------------------------


def _label(name: str) -> str:
    return name.replace("_", " ")


def _compare(
    plan: RevertPlan, names, *, current: dict, before: dict, after: dict
) -> dict[str, Any]:
    """The "before" values of the fields that still hold the entry's "after"; the rest go to
    ``plan.kept`` with why."""
    restore = {}
    for name in names:
        now = logged_value(current[name])
        if now == after.get(name):
            restore[name] = before.get(name)
        elif now == before.get(name):
            plan.kept.append(f"{_label(name)} is already {shown_value(name, now)}")
        else:
            plan.kept.append(
                f"{_label(name)} was changed again since (now {shown_value(name, now)}): left "
                "as it is"
            )
    return restore


def _restored_text(restore: dict[str, Any]) -> str:
    return ", ".join(f"{_label(n)} back to {shown_value(n, v)}" for n, v in restore.items())


def _plan_store_update(entry: AuditEntry, store: StoreConnection) -> RevertPlan:
    plan = RevertPlan(entry=entry)
    before, after = entry.before or {}, entry.after or {}
    names = [n for n in after if n not in STATUS_FIELDS]
    plan.secrets = [_label(n) for n in names if is_secret_field(n)]
    settings = [n for n in names if not is_secret_field(n)]
    unknown = [n for n in settings if n not in EDITABLE_FIELDS]
    plan.kept += [f"{_label(n)} is not a store setting any more" for n in unknown]
    settings = [n for n in settings if n in EDITABLE_FIELDS]
    current = {n: getattr(store, n) for n in settings}
    restore = _compare(plan, settings, current=current, before=before, after=after)
    if not restore:
        plan.refusal = "Nothing to revert: " + (
            "; ".join(plan.kept) + "." if plan.kept else plan.secrets_note
        )
        return plan
    # The checks a form applies (the Client ID / Tenant agreement needs both, as they are now).
    validated = {n: v for n, v in restore.items() if n in STORE_FIELD_VALIDATORS or n == "tenant"}
    if {"client_id", "tenant"} & set(restore):
        validated = {"client_id": store.client_id, "tenant": store.tenant, **validated}
    errors = store_field_errors(validated)
    if errors:
        problems = " ".join(f"{_label(n)}: {' '.join(m)}" for n, m in errors.items())
        plan.refusal = f"The values of this entry are refused now. {problems} Nothing is changed."
        return plan
    plan.does.append(_restored_text(restore))
    testing_again = store.status in (StoreStatus.ACTIVE, StoreStatus.NEEDS_ATTENTION)
    if set(restore) & CONNECTION_FIELDS and testing_again:
        plan.notes.append(
            "A connection setting changes, so the store goes back to draft until its "
            "connection test passes and it is activated again"
        )
    elif "status" in after:
        plan.notes.append(
            "The status is not restored with the settings: activate or pause the store for that"
        )
    plan.apply = partial(store_update, store=store, **restore)
    return plan


def _plan_pause(entry: AuditEntry, store: StoreConnection) -> RevertPlan:
    plan = RevertPlan(entry=entry)
    if store.status != StoreStatus.PAUSED:
        plan.refusal = (
            f"The store is {store.get_status_display().lower()} now, not paused as this entry "
            "left it: nothing to revert."
        )
        return plan
    resumes_to_draft = not store.last_test_passed and not store.forced_activation_reason
    plan.does.append(
        "resume the store: it goes back to draft (its connection test has not passed)"
        if resumes_to_draft
        else "resume the store: it is active again"
    )
    plan.apply = partial(store_resume, store=store)
    return plan


def _plan_resume(entry: AuditEntry, store: StoreConnection) -> RevertPlan:
    plan = RevertPlan(entry=entry)
    left = (entry.after or {}).get("status")
    if store.status == StoreStatus.PAUSED:
        plan.refusal = "The store is paused already: nothing to revert."
        return plan
    if store.status != left:
        plan.refusal = (
            f"The store is {store.get_status_display().lower()} now, not {left} as this entry "
            "left it: nothing to revert."
        )
        return plan
    plan.does.append("pause the store: no orders are imported until it is resumed")
    plan.apply = partial(store_pause, store=store, reason=f"Reverted entry #{entry.pk}.")
    return plan


def _mapping_of(entry: AuditEntry, store: StoreConnection) -> CarrierMapping | None:
    try:
        return CarrierMapping.objects.filter(pk=int(entry.target_id), store=store).first()
    except (TypeError, ValueError):
        return None


def _mapping_values(mapping: CarrierMapping) -> dict[str, str]:
    return {n: getattr(mapping, n) for n in MAPPING_FIELDS}


def _mapping_text(values: dict) -> str:
    service = values.get("service") or "(any service)"
    return f"{values.get('carrier')} {service} → {values.get('ship_via')}"


def _plan_mapping_create(entry: AuditEntry, store: StoreConnection) -> RevertPlan:
    plan = RevertPlan(entry=entry)
    mapping = _mapping_of(entry, store)
    if mapping is None:
        plan.refusal = "The mapping this entry added was deleted since: nothing to revert."
        return plan
    current, after = _mapping_values(mapping), entry.after or {}
    changed = [n for n in after if n in current and current[n] != after[n]]
    if changed:
        now = ", ".join(f"{_label(n)} now {current[n] or '—'}" for n in changed)
        plan.refusal = (
            f"The mapping was changed since ({now}): revert that change first, or delete the "
            "mapping on the carrier mappings page."
        )
        return plan
    plan.does.append(f"delete the mapping {_mapping_text(current)}")
    plan.apply = partial(carrier_mapping_delete, mapping=mapping)
    return plan


def _plan_mapping_update(entry: AuditEntry, store: StoreConnection) -> RevertPlan:
    plan = RevertPlan(entry=entry)
    mapping = _mapping_of(entry, store)
    if mapping is None:
        plan.refusal = "The mapping this entry changed was deleted since: nothing to revert."
        return plan
    current = _mapping_values(mapping)
    names = [n for n in (entry.after or {}) if n in MAPPING_FIELDS]
    restore = _compare(
        plan, names, current=current, before=entry.before or {}, after=entry.after or {}
    )
    if not restore:
        plan.refusal = "Nothing to revert: " + "; ".join(plan.kept) + "."
        return plan
    values = {**current, **{n: v or "" for n, v in restore.items()}}
    plan.does.append(f"mapping {_mapping_text(current)}: {_restored_text(restore)}")
    plan.apply = partial(carrier_mapping_update, mapping=mapping, **values)
    return plan


def _plan_mapping_delete(entry: AuditEntry, store: StoreConnection) -> RevertPlan:
    plan = RevertPlan(entry=entry)
    before = {n: (entry.before or {}).get(n) or "" for n in MAPPING_FIELDS}
    existing = CarrierMapping.objects.filter(
        store=store, carrier=before["carrier"], service=before["service"]
    ).first()
    if existing is not None:
        same = _mapping_values(existing) == before
        plan.refusal = f"The mapping {_mapping_text(before)} exists again" + (
            ": nothing to revert."
            if same
            else f" with Ship Via {existing.ship_via}: edit that one instead."
        )
        return plan
    plan.does.append(f"add the mapping {_mapping_text(before)} again")
    plan.apply = partial(carrier_mapping_add, store=store, **before)
    return plan


_PLANNERS: dict[str, Callable[[AuditEntry, StoreConnection], RevertPlan]] = {
    "store.update": _plan_store_update,
    "store.pause": _plan_pause,
    "store.resume": _plan_resume,
    "carrier_mapping.create": _plan_mapping_create,
    "carrier_mapping.update": _plan_mapping_update,
    "carrier_mapping.delete": _plan_mapping_delete,
}

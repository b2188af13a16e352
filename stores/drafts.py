"""Drafts a wizard left unfinished: the ones a person started and may resume or discard, and
the sweep that deletes drafts abandoned for ``CONNECTOR_DRAFT_ABANDONED_DAYS``.

A draft counts as unfinished only if it was never activated (a store that ran and went back to
draft after a settings change has history and stays) and no credentials link was ever made for
it (it waits for, or was given, the merchant's sign-in)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError, QuerySet, RestrictedError
from django.utils import timezone

from . import access
from .audit import audit_record
from .models import AuditEntry, CredentialHandoff, StoreConnection, StoreStatus

logger = logging.getLogger("connector.stores")


def _never_used_drafts(stores: QuerySet[StoreConnection]) -> QuerySet[StoreConnection]:
    activated = AuditEntry.objects.filter(store=OuterRef("pk"), action="store.activate")
    linked = CredentialHandoff.objects.filter(store=OuterRef("pk"))
    return stores.filter(status=StoreStatus.DRAFT, forced_activation_reason="").filter(
        ~Exists(activated), ~Exists(linked)
    )


def drafts_unfinished_for(*, user) -> list[StoreConnection]:
    """The user's own unfinished drafts, newest first, that the wizard offers to resume."""
    if not getattr(user, "pk", None):
        return []
    return list(
        _never_used_drafts(access.stores_for(user).filter(created_by=user)).order_by("-updated_at")
    )


def draft_is_unfinished(store: StoreConnection) -> bool:
    return _never_used_drafts(StoreConnection.objects.filter(pk=store.pk)).exists()


def store_draft_discard(
    *, store: StoreConnection, actor, via: str = AuditEntry.Via.CONSOLE
) -> None:
    """Delete a draft a wizard left unfinished: its creator or 3PL staff may; a store that was
    ever active, or waits for a credentials link, is deleted only through store_delete."""
    if not (access.is_3pl_staff(actor) or store.created_by_id == getattr(actor, "pk", None)):
        raise PermissionDenied("Only whoever started this draft, or 3PL staff, may discard it.")
    if not draft_is_unfinished(store):
        raise ValidationError(
            "Only a draft that was never activated and has no credentials link can be "
            "discarded; delete or pause this store from its page instead."
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="store.draft_discard",
            summary=f"Discarded the unfinished draft {store}.",
            store=store,
            target=store,
            before={"name": store.name, "status": store.status},
            via=via,
        )
        store.delete()


def drafts_abandoned_remove(*, now: dt.datetime | None = None) -> int:
    """Delete unfinished drafts untouched for CONNECTOR_DRAFT_ABANDONED_DAYS (0: none), each
    audited by the system; returns how many went. One that other records protect stays."""
    days = settings.CONNECTOR_DRAFT_ABANDONED_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    removed = 0
    stale = _never_used_drafts(StoreConnection.objects.filter(updated_at__lt=cutoff))
    for store in stale.select_related("merchant"):
        try:
            with transaction.atomic():
                audit_record(
                    actor=None,
                    action="store.draft_removed",
                    summary=(
                        f"Removed the draft {store}: never activated, untouched since "
                        f"{store.updated_at:%Y-%m-%d} (more than {days} days)."
                    ),
                    store=store,
                    target=store,
                    before={"name": store.name, "updated_at": store.updated_at.isoformat()},
                    via=AuditEntry.Via.SYSTEM,
                )
                store.delete()
        except (ProtectedError, RestrictedError):
            logger.warning("abandoned draft %s has records that keep it; left in place", store.pk)
            continue
        removed += 1
    return removed

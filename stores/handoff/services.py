"""Writes on credentials links: a 3PL person makes one for a draft store (and it is emailed to
the merchant), revokes it; the merchant, holding it, saves and tests the store's sign-in and
submits it, which uses the link up. Every step is audited; no secret is in any of them."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .. import access, services
from ..audit import audit_record
from ..connection_test_runs import store_connection_test_start
from ..models import AuditEntry, CredentialHandoff, StoreConnection, StoreStatus
from .emails import handoff_email_send
from .tokens import token_hash, token_new

logger = logging.getLogger("connector.stores")

# What the merchant may change through a link: the sign-in, nothing else of the store.
LINK_FIELDS = frozenset({"instance_url", "client_id", "username", "tenant", "auth_method"})
LINK = AuditEntry.Via.LINK


@dataclass(frozen=True)
class HandoffSent:
    """A new link. ``url`` is shown once to whoever made it; ``emailed`` says whether the
    email went out (when it did not, the 3PL person copies the link from the page)."""

    handoff: CredentialHandoff
    url: str
    emailed: bool


def handoff_url(token: str) -> str:
    return settings.CONNECTOR_BASE_URL.rstrip("/") + reverse("handoff_connect", args=[token])


def merchant_label(handoff: CredentialHandoff) -> str:
    """Who acts through a link, in the audit log."""
    return f"merchant (link sent to {handoff.email})"


def handoff_create(
    *,
    store: StoreConnection,
    email: str,
    actor,
    via: str = AuditEntry.Via.CONSOLE,
    now: dt.datetime | None = None,
) -> HandoffSent:
    """A new link for the store's merchant to enter its Acumatica sign-in, emailed to
    ``email``. Only 3PL staff make links, and only for a draft; a new link revokes the
    store's earlier open ones, so at most one works at a time."""
    if not access.is_3pl_staff(actor):
        raise PermissionDenied("Only 3PL staff can send a merchant a credentials link.")
    if store.status != StoreStatus.DRAFT:
        raise ValidationError(
            "Only a draft store takes credentials through a link: this one is "
            f"{store.get_status_display().lower()}. Pause it and edit its settings instead."
        )
    now = now or timezone.now()
    token = token_new()
    with transaction.atomic():
        revoked = CredentialHandoff.objects.filter(
            store=store, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(revoked_at=now)
        handoff = CredentialHandoff.objects.create(
            store=store,
            token_hash=token_hash(token),
            email=email.strip(),
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
            expires_at=now + dt.timedelta(hours=settings.CONNECTOR_HANDOFF_LINK_HOURS),
        )
        earlier = f" The earlier link ({revoked}) no longer works." if revoked else ""
        audit_record(
            actor=actor,
            action="store.handoff_create",
            summary=f"Sent the merchant a credentials link ({handoff.email}).{earlier}",
            store=store,
            target=store,
            after={
                "email": handoff.email,
                "expires_at": handoff.expires_at.isoformat(),
                "earlier_links_revoked": revoked,
            },
            via=via,
        )
    url = handoff_url(token)
    try:
        handoff_email_send(
            to=handoff.email,
            store_name=store.name,
            merchant_name=store.merchant.name,
            url=url,
            expires_at=handoff.expires_at,
        )
    except Exception:
        # The link stands: the page shows it once, to be sent another way.
        logger.exception("credentials link email for store %s could not be sent", store.pk)
        return HandoffSent(handoff=handoff, url=url, emailed=False)
    return HandoffSent(handoff=handoff, url=url, emailed=True)


def handoff_revoke(*, handoff: CredentialHandoff, actor, via: str = AuditEntry.Via.CONSOLE) -> bool:
    """Make an open link stop working; False when it was not open any more."""
    if not access.is_3pl_staff(actor):
        raise PermissionDenied("Only 3PL staff can revoke a credentials link.")
    now = timezone.now()
    with transaction.atomic():
        changed = CredentialHandoff.objects.filter(
            pk=handoff.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(revoked_at=now)
        if changed:
            audit_record(
                actor=actor,
                action="store.handoff_revoke",
                summary=f"Revoked the credentials link sent to {handoff.email}.",
                store=handoff.store,
                target=handoff.store,
                via=via,
            )
    handoff.refresh_from_db()
    return bool(changed)


def handoff_credentials_save(
    *,
    handoff: CredentialHandoff,
    client_secret: str | None = None,
    password: str | None = None,
    **fields: Any,
) -> StoreConnection:
    """Save the sign-in the merchant entered on the link's page (secrets encrypted, blank ones
    kept), audited as the merchant. Only the sign-in fields: a link touches nothing else."""
    unknown = set(fields) - LINK_FIELDS
    if unknown:
        raise TypeError(f"not sign-in fields: {sorted(unknown)}")
    return services.store_update(
        store=handoff.store,
        client_secret=client_secret,
        password=password,
        actor=merchant_label(handoff),
        via=LINK,
        **fields,
    )


def handoff_connection_test_start(*, handoff: CredentialHandoff):
    """Queue the store's full connection test from the link's page, in the background like
    every page-started test (the page follows it); its result is recorded on the store, so the
    3PL sees the same, and audited as the merchant."""
    return store_connection_test_start(store=handoff.store, actor=merchant_label(handoff), via=LINK)


def handoff_complete(*, handoff: CredentialHandoff, now: dt.datetime | None = None) -> bool:
    """The merchant submitted: the link is used up (once: a second submit, or one racing it,
    gets False) and the store says who provided its credentials, and when."""
    now = now or timezone.now()
    with transaction.atomic():
        used = CredentialHandoff.objects.filter(
            pk=handoff.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not used:
            return False
        store = StoreConnection.objects.select_for_update().get(pk=handoff.store_id)
        tested = (
            "its connection test passed"
            if store.last_test_passed
            else "its connection test has not passed"
        )
        services.store_set_draft_reason(
            store=store,
            reason=f"Credentials provided by the merchant on {now:%Y-%m-%d}; {tested}.",
        )
        audit_record(
            actor=merchant_label(handoff),
            action="store.handoff_provided",
            summary=f"The merchant provided the Acumatica sign-in ({tested}).",
            store=store,
            target=store,
            after={"email": handoff.email, "provided_at": now.isoformat()},
            via=LINK,
        )
    handoff.refresh_from_db()
    return True

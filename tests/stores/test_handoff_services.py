"""Credentials links as services: made by 3PL staff for a draft, stored as a hash, emailed with
nothing but the link, one open at a time, usable once, refused when used, expired, revoked or
when the store is no longer a draft; the merchant can change the sign-in and nothing else."""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stores import handoff
from stores.models import AuditEntry, CredentialHandoff, Role, StoreSecrets
from stores.services import store_activate, store_create


def _token(sent) -> str:
    return urlsplit(sent.url).path.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def draft(merchant):
    return store_create(merchant=merchant, name="Awaiting sign-in", credentials_later=True)


def test_a_link_is_stored_only_as_its_hash_and_emailed_with_nothing_but_the_link(
    sandbox, store_factory, operator_user, settings
):
    settings.CONNECTOR_BASE_URL = "https://connector.example.com"
    store = store_factory(sandbox, name="Has secrets")
    sent = handoff.handoff_create(store=store, email="it@acme.test", actor=operator_user)

    token = _token(sent)
    assert sent.url == f"https://connector.example.com/connect/{token}/"
    assert len(token) >= 40
    row = CredentialHandoff.objects.get()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(CredentialHandoff.objects.values().get())
    assert sent.emailed
    [email] = mail.outbox
    assert email.to == ["it@acme.test"]
    assert sent.url in email.body
    for secret in (sandbox.config.client_secret, sandbox.config.password):
        assert secret not in email.body and secret not in email.subject
    # The email names the store; it carries none of its settings.
    assert store.instance_url not in email.body and store.username not in email.body
    entry = AuditEntry.objects.get(action="store.handoff_create")
    assert entry.actor == operator_user and token not in str(entry.after)


def test_a_link_expires_after_72_hours_by_default_and_the_setting_changes_it(
    draft, operator_user, settings
):
    now = timezone.now()
    sent = handoff.handoff_create(store=draft, email="a@acme.test", actor=operator_user, now=now)
    assert sent.handoff.expires_at == now + dt.timedelta(hours=72)
    settings.CONNECTOR_HANDOFF_LINK_HOURS = 4
    sent = handoff.handoff_create(store=draft, email="a@acme.test", actor=operator_user, now=now)
    assert sent.handoff.expires_at == now + dt.timedelta(hours=4)


def test_only_3pl_staff_make_links_and_only_for_a_draft(
    sandbox, store_factory, draft, user_factory, merchant, operator_user
):
    merchant_user = user_factory(Role.MERCHANT_USER, merchant=merchant)
    with pytest.raises(PermissionDenied):
        handoff.handoff_create(store=draft, email="a@acme.test", actor=merchant_user)
    active = store_factory(sandbox, merchant=merchant, active=True)
    with pytest.raises(ValidationError, match="Only a draft store"):
        handoff.handoff_create(store=active, email="a@acme.test", actor=operator_user)
    assert not CredentialHandoff.objects.exists()


def test_a_new_link_revokes_the_open_one(draft, operator_user):
    first = handoff.handoff_create(store=draft, email="a@acme.test", actor=operator_user)
    second = handoff.handoff_create(store=draft, email="b@acme.test", actor=operator_user)
    assert handoff.handoff_open_for_token(token=_token(first)) is None
    assert handoff.handoff_open_for_token(token=_token(second)).pk == second.handoff.pk
    first.handoff.refresh_from_db()
    assert first.handoff.state == "revoked"


def test_used_expired_revoked_unknown_and_no_longer_draft_links_open_nothing(
    draft, operator_user, merchant, sandbox, store_factory
):
    now = timezone.now()
    used = handoff.handoff_create(store=draft, email="a@acme.test", actor=operator_user)
    assert handoff.handoff_complete(handoff=used.handoff)
    assert handoff.handoff_open_for_token(token=_token(used)) is None

    other = store_create(merchant=merchant, name="Second", credentials_later=True)
    expiring = handoff.handoff_create(store=other, email="a@acme.test", actor=operator_user)
    later = now + dt.timedelta(hours=72, seconds=1)
    assert handoff.handoff_open_for_token(token=_token(expiring), now=later) is None
    assert handoff.handoff_open_for_token(token=_token(expiring)) is not None

    assert handoff.handoff_revoke(handoff=expiring.handoff, actor=operator_user)
    assert handoff.handoff_open_for_token(token=_token(expiring)) is None
    assert not handoff.handoff_revoke(handoff=expiring.handoff, actor=operator_user)

    assert handoff.handoff_open_for_token(token="not-a-token") is None
    assert handoff.handoff_open_for_token(token="") is None
    assert handoff.handoff_open_for_token(token="x" * 5000) is None

    store = store_factory(sandbox, merchant=merchant)
    live = handoff.handoff_create(store=store, email="a@acme.test", actor=operator_user)
    store_activate(store=store, force_reason="activated by the 3PL meanwhile")
    assert handoff.handoff_open_for_token(token=_token(live)) is None


def test_a_link_is_used_once(draft, operator_user):
    sent = handoff.handoff_create(store=draft, email="a@acme.test", actor=operator_user)
    assert handoff.handoff_complete(handoff=sent.handoff)
    assert not handoff.handoff_complete(handoff=sent.handoff)
    assert AuditEntry.objects.filter(action="store.handoff_provided").count() == 1
    draft.refresh_from_db()
    assert draft.status_reason.startswith("Credentials provided by the merchant on ")
    assert handoff.handoff_last_provided(store=draft).pk == sent.handoff.pk


def test_through_a_link_only_the_sign_in_changes_and_secrets_are_stored_encrypted(
    draft, operator_user, sandbox
):
    sent = handoff.handoff_create(store=draft, email="a@acme.test", actor=operator_user)
    for field in ("name", "order_type", "oauth_scope", "endpoint_version", "merchant"):
        with pytest.raises(TypeError):
            handoff.handoff_credentials_save(handoff=sent.handoff, **{field: "x"})
    config = sandbox.config
    handoff.handoff_credentials_save(
        handoff=sent.handoff,
        instance_url=sandbox.base_url,
        client_id=config.client_id,
        username=config.username,
        client_secret=config.client_secret,
        password=config.password,
    )
    secrets = StoreSecrets.objects.get(store=draft)
    assert secrets.client_secret and config.client_secret not in secrets.client_secret
    assert secrets.password and config.password not in secrets.password
    entry = AuditEntry.objects.get(action="store.update")
    assert entry.via == AuditEntry.Via.LINK and entry.actor_label.startswith("merchant")
    assert config.client_secret not in str(entry.after) and config.password not in str(entry.after)

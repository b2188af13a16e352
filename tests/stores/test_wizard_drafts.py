"""Drafts a wizard left unfinished: starting the wizard again offers to resume or discard them
(only the user's own, only never-activated ones without a credentials link), discarding is
audited, and the daily sweep removes drafts untouched for CONNECTOR_DRAFT_ABANDONED_DAYS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from connector.celery import BEAT_SCHEDULE
from stores import handoff
from stores.models import AuditEntry, Role, StoreConnection
from stores.services import store_activate, store_update
from stores.tasks import remove_abandoned_drafts

from .pages import create_draft


@pytest.fixture
def merchant_user(user_factory, merchant):
    return user_factory(Role.MERCHANT_USER, merchant=merchant, username="acme-user")


@pytest.fixture
def merchant_client(client, merchant_user):
    client.force_login(merchant_user)
    return client


def _age(store, days: int) -> None:
    StoreConnection.objects.filter(pk=store.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=days)
    )


def test_starting_again_offers_to_resume_or_discard_the_unfinished_draft(
    merchant_client, sandbox, user_factory, merchant
):
    client = merchant_client
    draft = create_draft(client, sandbox, name="Half way")
    colleague_client = client.__class__()
    colleague_client.force_login(user_factory(Role.MERCHANT_USER, merchant=merchant))

    page = client.get(reverse("stores:new")).content.decode()
    assert "Unfinished connections" in page and "Half way" in page
    assert reverse("stores:setup_test", args=[draft.pk]) in page
    assert reverse("stores:discard_draft", args=[draft.pk]) in page
    # A colleague's wizard does not offer someone else's draft.
    assert "Half way" not in colleague_client.get(reverse("stores:new")).content.decode()
    # Nor may they discard it.
    refused = colleague_client.post(reverse("stores:discard_draft", args=[draft.pk]))
    assert refused.status_code == 302 and StoreConnection.objects.filter(pk=draft.pk).exists()

    response = client.post(reverse("stores:discard_draft", args=[draft.pk]), follow=True)
    assert "Discarded the draft Half way." in response.content.decode()
    assert not StoreConnection.objects.filter(pk=draft.pk).exists()
    entry = AuditEntry.objects.get(action="store.draft_discard")
    assert entry.actor.username == "acme-user" and "Half way" in entry.summary
    assert "Unfinished connections" not in client.get(reverse("stores:new")).content.decode()


def test_a_store_that_was_active_is_never_offered_nor_discarded(
    merchant_client, sandbox, merchant_user
):
    client = merchant_client
    store = create_draft(client, sandbox, name="Was live")
    store_activate(store=store, force_reason="tested elsewhere")
    store_update(store=store, username="someone-else", actor=merchant_user)
    store.refresh_from_db()
    assert store.status == "draft"  # back to draft after a settings change
    assert "Was live" not in client.get(reverse("stores:new")).content.decode()
    client.post(reverse("stores:discard_draft", args=[store.pk]))
    assert StoreConnection.objects.filter(pk=store.pk).exists()


def test_only_drafts_abandoned_long_enough_are_removed_and_each_is_audited(
    sandbox, store_factory, merchant, operator_user, settings
):
    settings.CONNECTOR_DRAFT_ABANDONED_DAYS = 30
    old = store_factory(sandbox, merchant=merchant, name="Old draft")
    recent = store_factory(sandbox, merchant=merchant, name="Recent draft")
    linked = store_factory(sandbox, merchant=merchant, name="Waiting for merchant")
    handoff.handoff_create(store=linked, email="it@acme.test", actor=operator_user)
    was_active = store_factory(sandbox, merchant=merchant, name="Was active", active=True)
    store_update(store=was_active, username="changed")
    for store in (old, linked, was_active):
        _age(store, 31)
    _age(recent, 29)

    assert remove_abandoned_drafts() == 1
    left = set(StoreConnection.objects.values_list("name", flat=True))
    assert left == {"Recent draft", "Waiting for merchant", "Was active"}
    entry = AuditEntry.objects.get(action="store.draft_removed")
    assert entry.via == AuditEntry.Via.SYSTEM and "Old draft" in entry.summary

    settings.CONNECTOR_DRAFT_ABANDONED_DAYS = 0
    _age(recent, 400)
    assert remove_abandoned_drafts() == 0


def test_the_command_removes_them_too_and_the_sweep_is_on_the_beat_schedule(
    sandbox, store_factory, capsys
):
    _age(store_factory(sandbox, name="Forgotten"), 365)
    call_command("remove_abandoned_drafts")
    assert "Removed 1 abandoned draft." in capsys.readouterr().out
    assert not StoreConnection.objects.filter(name="Forgotten").exists()
    assert any(e["task"] == "stores.remove_abandoned_drafts" for e in BEAT_SCHEDULE.values())

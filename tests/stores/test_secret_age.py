"""Secret age: when each secret was entered is kept (rotating the key keeps it), the store page
says how old it is, and the periodic task reminds once per time a secret passes
CONNECTOR_SECRET_MAX_AGE_DAYS — by email to 3PL staff and that store's merchant users only,
audited, again after a failed send, never with a secret in it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from connector.celery import BEAT_SCHEDULE
from stores.credentials import store_secrets_rotate_all, store_secrets_set
from stores.models import AuditEntry, Role, StoreSecrets
from stores.secret_age import secret_age_reminders_send, store_secret_ages
from stores.tasks import remind_old_secrets


def _age(store, days: int, *names: str) -> None:
    then = timezone.now() - dt.timedelta(days=days)
    StoreSecrets.objects.filter(store=store).update(
        **{f"{name}_set_at": then for name in names or ("client_secret", "password")}
    )


@pytest.fixture
def people(user_factory, merchant, merchant_factory):
    staff = user_factory(Role.THREEPL_OPERATOR, username="ops")
    own = user_factory(Role.MERCHANT_USER, merchant=merchant, username="own")
    other = user_factory(Role.MERCHANT_USER, merchant=merchant_factory("Other"), username="other")
    for user, email in ((staff, "ops@3pl.test"), (own, "it@acme.test"), (other, "x@other.test")):
        user.email = email
        user.save()
    return staff


def test_each_secret_keeps_when_it_was_entered_and_rotation_keeps_it(
    sandbox, store_factory, settings
):
    store = store_factory(sandbox)
    secrets = StoreSecrets.objects.get(store=store)
    assert secrets.client_secret_set_at and secrets.password_set_at
    _age(store, 10)
    store_secrets_set(store=store, password="a-new-password")
    secrets.refresh_from_db()
    assert (timezone.now() - secrets.password_set_at).days == 0
    assert (timezone.now() - secrets.client_secret_set_at).days == 10

    from cryptography.fernet import Fernet

    settings.CONNECTOR_CREDENTIALS_KEYS = [
        Fernet.generate_key().decode(),
        *settings.CONNECTOR_CREDENTIALS_KEYS,
    ]
    assert store_secrets_rotate_all() >= 2
    secrets.refresh_from_db()
    assert (timezone.now() - secrets.client_secret_set_at).days == 10


def test_one_reminder_per_crossing_to_staff_and_the_stores_own_merchant(
    sandbox, store_factory, merchant, people
):
    store = store_factory(sandbox, merchant=merchant, name="Aged store")
    fresh = store_factory(sandbox, merchant=merchant, name="Fresh store")
    _age(store, 120, "client_secret")
    _age(fresh, 30)

    assert remind_old_secrets() == 1
    [email] = mail.outbox
    assert sorted(email.to) == ["it@acme.test", "ops@3pl.test"]
    assert "Aged store" in email.subject and "Client Secret: set" in email.body
    assert "Password" not in email.body
    for secret in (sandbox.config.client_secret, sandbox.config.password):
        assert secret not in email.body
    entry = AuditEntry.objects.get(action="store.secret_reminder")
    assert entry.store == store and entry.via == AuditEntry.Via.SYSTEM

    # Once per crossing: the next runs say nothing more.
    assert secret_age_reminders_send() == 0
    assert len(mail.outbox) == 1

    # A new secret starts its age again; when it too gets old, one more reminder.
    store_secrets_set(store=store, client_secret="a-new-secret")
    assert secret_age_reminders_send() == 0
    later = timezone.now() + dt.timedelta(days=91)
    # By then the fresh store's secrets are 121 days old too.
    assert secret_age_reminders_send(now=later) == 2
    aged = next(m for m in mail.outbox[1:] if "Aged store" in m.subject)
    assert "Client Secret: set" in aged.body and "Password: set" in aged.body
    assert any("Fresh store" in m.subject for m in mail.outbox[1:])
    assert secret_age_reminders_send(now=later) == 0


def test_no_reminders_when_the_maximum_age_is_0(sandbox, store_factory, people, settings):
    settings.CONNECTOR_SECRET_MAX_AGE_DAYS = 0
    store = store_factory(sandbox)
    _age(store, 1000)
    assert secret_age_reminders_send() == 0
    assert not mail.outbox
    assert not any(age.too_old for age in store_secret_ages(store=store).values())


def test_a_failed_send_is_tried_again_next_run(sandbox, store_factory, people, settings):
    store = store_factory(sandbox)
    _age(store, 200)
    # A real SMTP backend, pointed at a port where nothing listens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert secret_age_reminders_send() == 0
    assert StoreSecrets.objects.get(store=store).client_secret_reminded_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert secret_age_reminders_send() == 1
    assert len(mail.outbox) == 1


def test_the_store_page_says_how_old_each_secret_is(client, sandbox, store_factory, people):
    store = store_factory(sandbox)
    _age(store, 120, "client_secret")
    _age(store, 3, "password")
    client.force_login(people)
    text = client.get(reverse("stores:detail", args=[store.pk])).content.decode()
    assert "Client Secret set 120 days ago: older than 90 days" in text
    assert "Password set 3 days ago" in text and "Password set 3 days ago:" not in text


def test_the_reminder_runs_on_the_beat_schedule():
    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == "stores.remind_old_secrets")
    assert entry["schedule"] <= 24 * 3600

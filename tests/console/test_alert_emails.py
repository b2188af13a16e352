"""Alert emails: batched, one per recipient group, closings reported once, nothing lost when
sending fails. Time is moved with ``now=``; nothing sleeps."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from console.models import Alert, AlertCause, AlertSeverity
from console.notify import alert_emails_send
from stores.models import Role

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


@pytest.fixture
def recipients(settings, user_factory, merchant_factory):
    settings.CONNECTOR_ALERT_RECIPIENTS = ["ops@3pl.example"]
    settings.CONNECTOR_ALERT_EMAIL_BATCH_SECONDS = 300
    settings.CONNECTOR_BASE_URL = "https://connector.example"
    operator = user_factory(Role.THREEPL_OPERATOR)
    operator.email = "operator@3pl.example"
    operator.save()
    return operator


def alert(store, cause, *, at, severity=AlertSeverity.WARNING, detail="", **fields):
    return Alert.objects.create(
        store=store,
        cause=cause,
        severity=severity,
        title=f"{store.name if store else 'Service'}: {cause}",
        detail=detail,
        opened_at=at,
        last_seen_at=at,
        **fields,
    )


def test_alerts_opened_close_together_go_out_in_one_email_after_the_batch_window(
    sandbox, store_factory, recipients, mailoutbox
):
    store = store_factory(sandbox, name="Acme East", active=True)
    t0 = timezone.now()
    first = alert(
        store, AlertCause.IMPORT_FAILING, at=t0, detail="Stopped: HTTP 500 from Acumatica"
    )
    second = alert(store, AlertCause.RECORDS_FAILING, at=t0 + dt.timedelta(seconds=40))

    assert alert_emails_send(now=t0 + dt.timedelta(seconds=120)) == 0  # still batching
    assert mailoutbox == []

    assert alert_emails_send(now=t0 + dt.timedelta(seconds=301)) == 1
    (email,) = mailoutbox
    assert email.subject == "[Acumatica connector] 2 new alerts"
    assert sorted(email.to) == ["operator@3pl.example", "ops@3pl.example"]
    assert "Acme East" in email.body
    assert "Stopped: HTTP 500 from Acumatica" in email.body
    assert f"https://connector.example/console/alerts/{first.pk}/" in email.body
    assert f"https://connector.example/console/alerts/{second.pk}/" in email.body
    first.refresh_from_db()
    assert first.notified_at is not None

    # Nothing new: nothing sent.
    assert alert_emails_send(now=t0 + dt.timedelta(seconds=900)) == 0
    assert len(mailoutbox) == 1


def test_a_critical_alert_goes_out_after_a_minute(sandbox, store_factory, recipients, mailoutbox):
    store = store_factory(sandbox, active=True)
    t0 = timezone.now()
    alert(store, AlertCause.STORE_NEEDS_ATTENTION, at=t0, severity=AlertSeverity.CRITICAL)
    assert alert_emails_send(now=t0 + dt.timedelta(seconds=30)) == 0
    assert alert_emails_send(now=t0 + dt.timedelta(seconds=61)) == 1
    assert "[CRITICAL]" in mailoutbox[0].body


def test_closed_alerts_are_reported_once_and_unseen_blips_not_at_all(
    sandbox, store_factory, recipients, mailoutbox
):
    store = store_factory(sandbox, active=True)
    t0 = timezone.now()
    told = alert(store, AlertCause.IMPORT_FAILING, at=t0, notified_at=t0)
    told.closed_at, told.close_reason = t0, "cleared: an import succeeded"
    told.save()
    blip = alert(
        store, AlertCause.THROTTLED, at=t0, closed_at=t0, close_reason="cleared: no throttling"
    )

    assert alert_emails_send(now=t0 + dt.timedelta(seconds=400)) == 1
    (email,) = mailoutbox
    assert email.subject == "[Acumatica connector] 1 resolved"
    assert "cleared: an import succeeded" in email.body
    assert "no throttling" not in email.body
    blip.refresh_from_db()
    assert blip.notified_at and blip.closed_notified_at  # marked, never sent

    assert alert_emails_send(now=t0 + dt.timedelta(seconds=800)) == 0
    assert len(mailoutbox) == 1


def test_a_failed_send_marks_nothing_and_the_next_run_sends_it(
    sandbox, store_factory, recipients, mailoutbox, settings
):
    store = store_factory(sandbox, active=True)
    t0 = timezone.now()
    pending = alert(store, AlertCause.IMPORT_FAILING, at=t0)

    settings.EMAIL_BACKEND = "tests.console.test_alert_emails.FailingBackend"
    assert alert_emails_send(now=t0 + dt.timedelta(seconds=400)) == 0
    pending.refresh_from_db()
    assert pending.notified_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert alert_emails_send(now=t0 + dt.timedelta(seconds=460)) == 1
    assert len(mailoutbox) == 1
    pending.refresh_from_db()
    assert pending.notified_at is not None


def test_merchant_users_get_only_their_own_stores_alerts_in_a_separate_email(
    sandbox, store_factory, merchant_factory, user_factory, recipients, mailoutbox
):
    mine, theirs = merchant_factory("Mine Ltd"), merchant_factory("Theirs Ltd")
    my_store = store_factory(sandbox, merchant=mine, name="My Shop", active=True)
    their_store = store_factory(sandbox, merchant=theirs, name="Their Shop", active=True)
    merchant_user = user_factory(Role.MERCHANT_USER, merchant=mine)
    merchant_user.email = "owner@mine.example"
    merchant_user.save()
    t0 = timezone.now()
    alert(my_store, AlertCause.IMPORT_FAILING, at=t0)
    alert(their_store, AlertCause.IMPORT_FAILING, at=t0)
    alert(None, AlertCause.SCHEDULER_DOWN, at=t0)

    assert alert_emails_send(now=t0 + dt.timedelta(seconds=400)) == 2
    by_recipient = {tuple(sorted(m.to)): m for m in mailoutbox}
    staff = by_recipient[("operator@3pl.example", "ops@3pl.example")]
    assert staff.subject == "[Acumatica connector] 3 new alerts"
    merchant = by_recipient[("owner@mine.example",)]
    assert merchant.subject == "[Acumatica connector] 1 new alert"
    assert "My Shop" in merchant.body
    assert "Their Shop" not in merchant.body
    assert "Service-wide" not in merchant.body

"""Admin pages for support: heartbeats (connector) and alerts (console) are read-only lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from connector.models import Heartbeat
from connector.services import heartbeat_record
from console.models import Alert, AlertCause


@pytest.fixture
def support_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "support", "support@example.com", "pw-for-tests-1"
    )
    client.force_login(user)
    return client


def test_heartbeats_list_with_their_age_and_cannot_be_edited(support_client, db):
    heartbeat_record(component="scheduler")
    stale = heartbeat_record(component="worker-1")
    Heartbeat.objects.filter(pk=stale.pk).update(beat_at=timezone.now() - dt.timedelta(hours=2))

    response = support_client.get(reverse("admin:connector_heartbeat_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "scheduler" in html and "worker-1" in html
    assert "2\xa0hours ago" in html
    assert 'alt="False"' in html and 'alt="True"' in html
    assert support_client.get(reverse("admin:connector_heartbeat_add")).status_code == 403
    change = support_client.post(
        reverse("admin:connector_heartbeat_change", args=[stale.pk]), {"component": "x"}
    )
    assert change.status_code == 403
    assert Heartbeat.objects.get(pk=stale.pk).component == "worker-1"


def test_alerts_are_listed_filtered_and_read_only(support_client, sandbox, store_factory):
    store = store_factory(sandbox, name="Alerting store")
    open_alert = Alert.objects.create(
        store=store, cause=AlertCause.IMPORT_FAILING, title="Imports of Alerting store failing"
    )
    closed = Alert.objects.create(
        store=store,
        cause=AlertCause.THROTTLED,
        title="Throttled earlier",
        closed_at=timezone.now(),
        close_reason="cleared",
    )
    url = reverse("admin:console_alert_changelist")

    html = support_client.get(url).content.decode()
    assert open_alert.title in html and closed.title in html

    html = support_client.get(url, {"state": "open"}).content.decode()
    assert open_alert.title in html and closed.title not in html
    html = support_client.get(url, {"state": "closed"}).content.decode()
    assert open_alert.title not in html and closed.title in html
    html = support_client.get(url, {"q": "throttled"}).content.decode()
    assert open_alert.title not in html and closed.title in html
    other = store_factory(sandbox, name="Quiet store")
    Alert.objects.create(store=other, cause=AlertCause.THROTTLED, title="Quiet throttled")
    html = support_client.get(url, {"q": "Quiet store"}).content.decode()
    assert "Quiet throttled" in html and open_alert.title not in html

    detail = support_client.get(reverse("admin:console_alert_change", args=[open_alert.pk]))
    assert detail.status_code == 200
    assert support_client.get(reverse("admin:console_alert_add")).status_code == 403
    delete = support_client.post(
        reverse("admin:console_alert_delete", args=[open_alert.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Alert.objects.filter(pk=open_alert.pk).exists()

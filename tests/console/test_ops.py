"""/healthz and /metrics: who may call them, and what /healthz reports about the database, the
broker actually configured (filesystem in local runs, Redis when CELERY_BROKER_URL says so) and
the scheduler's heartbeat."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from connector.models import Heartbeat
from connector.services import heartbeat_record
from stores.models import Role

TOKEN = "ops-token-for-tests-0123456789"
pytestmark = pytest.mark.django_db


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_without_credentials_the_answer_is_a_bare_401(client, path):
    with override_settings(CONNECTOR_OPS_TOKEN=TOKEN):
        response = client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.content.decode() == "Authentication required.\n"


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
@pytest.mark.parametrize(
    "header",
    [f"Bearer {TOKEN}x", "Bearer ", f"Token {TOKEN}", TOKEN, f"Basic {TOKEN}"],
)
def test_a_wrong_token_or_scheme_is_refused(client, path, header):
    with override_settings(CONNECTOR_OPS_TOKEN=TOKEN):
        response = client.get(path, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


@pytest.mark.parametrize("configured", ["", "change-me"])
def test_token_access_is_off_without_a_real_token(client, configured):
    with override_settings(CONNECTOR_OPS_TOKEN=configured):
        assert client.get("/healthz", **_bearer(configured or "anything")).status_code == 401
        assert client.get("/metrics", **_bearer("change-me")).status_code == 401


def test_healthz_with_the_token_and_a_fresh_heartbeat_is_ok(client):
    heartbeat_record(component="scheduler")
    with override_settings(CONNECTOR_OPS_TOKEN=TOKEN):
        response = client.get("/healthz", **_bearer(TOKEN))
    assert response.status_code == 200, response.content
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"]["ok"] is True and checks["database"]["ms"] >= 0
    assert checks["broker"]["ok"] is True, checks["broker"]
    assert checks["scheduler"]["ok"] is True
    assert checks["scheduler"]["age_seconds"] <= 5
    assert checks["scheduler"]["last_beat"]


def test_a_stale_heartbeat_makes_healthz_503_degraded(client, settings):
    heartbeat_record(component="scheduler")
    Heartbeat.objects.filter(component="scheduler").update(
        beat_at=timezone.now()
        - dt.timedelta(seconds=settings.CONNECTOR_HEARTBEAT_MAX_AGE_SECONDS + 60)
    )
    settings.CONNECTOR_OPS_TOKEN = TOKEN
    response = client.get("/healthz", **_bearer(TOKEN))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["scheduler"]["ok"] is False
    assert body["checks"]["scheduler"]["age_seconds"] > settings.CONNECTOR_HEARTBEAT_MAX_AGE_SECONDS
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


def test_no_heartbeat_at_all_is_reported_not_crashed(client, settings):
    settings.CONNECTOR_OPS_TOKEN = TOKEN
    response = client.get("/healthz", **_bearer(TOKEN))
    assert response.status_code == 503
    scheduler = response.json()["checks"]["scheduler"]
    assert scheduler["ok"] is False and scheduler["last_beat"] is None
    assert "beat" in scheduler["detail"]


def test_an_unreachable_broker_is_503_with_a_reason_not_500(client, settings):
    heartbeat_record(component="scheduler")
    settings.CONNECTOR_OPS_TOKEN = TOKEN
    # Port 1 on loopback: nothing listens there; the check must give up within its timeout.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    response = client.get("/healthz", **_bearer(TOKEN))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["detail"]
    # And /metrics says the queue depth is unknown instead of failing.
    metrics = client.get("/metrics", **_bearer(TOKEN))
    assert metrics.status_code == 200
    assert "connector_task_queue_depth_unknown 1" in metrics.content.decode()


def test_a_merchant_user_session_is_refused(client, user_factory, merchant_factory):
    client.force_login(user_factory(Role.MERCHANT_USER, merchant=merchant_factory()))
    assert client.get("/healthz").status_code == 401
    assert client.get("/metrics").status_code == 401


@pytest.mark.parametrize("role", [Role.THREEPL_OPERATOR, Role.THREEPL_ADMIN])
def test_a_3pl_staff_session_may_read_both(client, user_factory, role):
    heartbeat_record(component="scheduler")
    client.force_login(user_factory(role))
    assert client.get("/healthz").status_code == 200
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"


def test_metrics_reports_the_filesystem_queue_depth(client, settings, tmp_path):
    """With the filesystem transport, waiting tasks are files in the queue folder."""
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("this run uses another broker (see the Redis test)")
    from kombu import Connection

    queue = tmp_path / "queue"
    queue.mkdir()
    (tmp_path / "processed").mkdir()
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(tmp_path / "processed"),
    }
    settings.CONNECTOR_OPS_TOKEN = TOKEN
    with Connection(
        settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
    ) as broker:
        sender = broker.SimpleQueue("celery")
        for n in range(3):
            sender.put({"n": n})
        sender.close()
    body = client.get("/metrics", **_bearer(TOKEN)).content.decode()
    assert 'connector_task_queue_depth{queue="celery"} 3' in body


def test_metrics_reports_the_redis_queue_depth(client, settings):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("this run uses the filesystem broker (set CELERY_BROKER_URL=redis://...)")
    import redis

    settings.CONNECTOR_OPS_TOKEN = TOKEN
    connection = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    key = "celery"
    before = connection.llen(key)
    connection.lpush(key, "{}", "{}")
    try:
        body = client.get("/metrics", **_bearer(TOKEN)).content.decode()
    finally:
        connection.lrem(key, 2, "{}")
    assert f'connector_task_queue_depth{{queue="celery"}} {before + 2}' in body

"""The Celery app as configured, and a real round trip through the configured broker
(filesystem by default, Redis when CELERY_BROKER_URL says so) to a real worker."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from connector.celery import BEAT_SCHEDULE, app
from connector.models import Heartbeat
from connector.tasks import record_heartbeat


def test_tasks_are_json_only_acknowledged_late_and_time_limited():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_url == settings.CELERY_BROKER_URL


def test_every_periodic_task_names_a_registered_task():
    app.loader.import_default_modules()
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.django_db(transaction=True)
def test_a_task_sent_through_the_broker_is_run_by_a_worker():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        record_heartbeat.delay("round-trip-test")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if Heartbeat.objects.filter(component="round-trip-test").exists():
                break
            time.sleep(0.1)
    assert Heartbeat.objects.filter(component="round-trip-test").exists(), (
        "the worker never ran the task sent through the broker"
    )

"""The Celery app. Configuration comes from Django settings (``CELERY_*``); periodic tasks are
declared in one place, ``BEAT_SCHEDULE`` below."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connector.settings")

app = Celery("connector")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic task, in one place.
BEAT_SCHEDULE = {
    "scheduler-heartbeat": {"task": "connector.record_heartbeat", "schedule": 60.0},
}
app.conf.beat_schedule = BEAT_SCHEDULE

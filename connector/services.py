"""Writes that belong to the connector as a whole (not to stores or fulfillment)."""

from __future__ import annotations

import socket

from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(*, component: str) -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(
        component=component,
        defaults={"beat_at": timezone.now(), "detail": socket.gethostname()},
    )
    return heartbeat

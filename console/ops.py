"""Health checks for ``/healthz`` (and the broker reads ``/metrics`` shares): is the database
answering, can we reach the Celery broker, is the beat scheduler alive.

Each check catches its own errors and reports them as "not ok" with a short detail, so the
endpoint answers 503 with the reason instead of failing with a 500.
"""

from __future__ import annotations

import logging
import os
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.utils import timezone

from connector.models import Heartbeat

logger = logging.getLogger("connector.console")

# A health check must answer quickly even when the broker is unreachable.
BROKER_TIMEOUT_SECONDS = 2.0
SCHEDULER_COMPONENT = "scheduler"
# kombu's Redis transport keeps priorities 3, 6 and 9 of a queue in keys "<queue>\x06\x16<n>".
REDIS_PRIORITY_SEPARATOR = "\x06\x16"
REDIS_PRIORITY_STEPS = (0, 3, 6, 9)


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _broker_scheme() -> str:
    return urlsplit(settings.CELERY_BROKER_URL).scheme


def _broker_transport_options() -> dict:
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    if _broker_scheme() in ("redis", "rediss"):
        options.setdefault("socket_connect_timeout", BROKER_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", BROKER_TIMEOUT_SECONDS)
    return options


def _error_text(exc: BaseException) -> str:
    # The broker URL may carry a password; the exception text of a failed connect does not.
    return f"{type(exc).__name__}: {exc}"[:300]


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("health: database check failed: %s", exc)
        return {"ok": False, "ms": _elapsed_ms(started), "detail": _error_text(exc)}
    return {"ok": True, "ms": _elapsed_ms(started)}


def check_broker() -> dict:
    """Open a kombu connection the way the workers do; for the filesystem transport, also make
    sure its folders exist and are writable (connecting to it touches nothing)."""
    from kombu import Connection

    started = time.monotonic()
    scheme = _broker_scheme()
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=_broker_transport_options(),
            connect_timeout=BROKER_TIMEOUT_SECONDS,
        ) as broker:
            broker.ensure_connection(
                max_retries=1,
                interval_start=0,
                interval_step=0,
                timeout=BROKER_TIMEOUT_SECONDS,
            )
            if scheme == "filesystem":
                _check_broker_folders()
    except Exception as exc:
        logger.warning("health: broker check failed: %s", exc)
        return {"ok": False, "ms": _elapsed_ms(started), "detail": _error_text(exc)}
    return {"ok": True, "ms": _elapsed_ms(started), "detail": f"{scheme} transport reachable"}


def _check_broker_folders() -> None:
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        folder = options.get(key)
        if folder and not (os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK)):
            raise OSError(f"broker folder {key} is missing or not writable")


def check_scheduler(*, now=None) -> dict:
    """The beat scheduler sends a heartbeat task every minute and a worker records it: a fresh
    row proves both run."""
    now = now or timezone.now()
    max_age = settings.CONNECTOR_HEARTBEAT_MAX_AGE_SECONDS
    try:
        beat_at = (
            Heartbeat.objects.filter(component=SCHEDULER_COMPONENT)
            .values_list("beat_at", flat=True)
            .first()
        )
    except Exception as exc:
        logger.warning("health: scheduler check failed: %s", exc)
        return {"ok": False, "last_beat": None, "age_seconds": None, "detail": _error_text(exc)}
    if beat_at is None:
        return {
            "ok": False,
            "last_beat": None,
            "age_seconds": None,
            "detail": "no heartbeat recorded yet: is the scheduler (beat) running?",
        }
    age = max(0, round((now - beat_at).total_seconds()))
    result = {"ok": age <= max_age, "last_beat": beat_at.isoformat(), "age_seconds": age}
    if not result["ok"]:
        result["detail"] = f"last heartbeat is older than {max_age} s"
    return result


def health_report() -> dict:
    """``{"status": "ok" | "degraded" | "down", "checks": {...}}``: down when the database is
    unreachable (nothing works without it), degraded when anything else fails."""
    checks = {
        "database": check_database(),
        "broker": check_broker(),
        "scheduler": check_scheduler(),
    }
    if not checks["database"]["ok"]:
        status = "down"
    elif all(check["ok"] for check in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return {"status": status, "checks": checks}


def scheduler_heartbeat_age_seconds(*, now=None) -> float | None:
    beat_at = (
        Heartbeat.objects.filter(component=SCHEDULER_COMPONENT)
        .values_list("beat_at", flat=True)
        .first()
    )
    if beat_at is None:
        return None
    return max(0.0, ((now or timezone.now()) - beat_at).total_seconds())


def task_queue_depth(queue: str = "celery") -> int | None:
    """Messages waiting in the Celery queue, or None when the broker cannot say."""
    scheme = _broker_scheme()
    try:
        if scheme == "filesystem":
            return _filesystem_queue_depth(queue)
        if scheme in ("redis", "rediss"):
            return _redis_queue_depth(queue)
    except Exception as exc:
        logger.warning("metrics: could not read the depth of queue %s: %s", queue, exc)
    return None


def _filesystem_queue_depth(queue: str) -> int | None:
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    folder = options.get("data_folder_in")
    if not folder:
        return None
    # kombu names each message file "<time>_<uuid>.<queue>.msg".
    wanted = f"{queue}.msg"
    return sum(1 for name in os.listdir(folder) if name.partition(".")[2] == wanted)


def _redis_queue_depth(queue: str) -> int:
    import redis

    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        keys = [queue] + [f"{queue}{REDIS_PRIORITY_SEPARATOR}{n}" for n in REDIS_PRIORITY_STEPS[1:]]
        with client.pipeline() as pipe:
            for key in keys:
                pipe.llen(key)
            return sum(int(n) for n in pipe.execute())
    finally:
        client.close()

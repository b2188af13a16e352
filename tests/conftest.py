"""Fixtures shared by the whole suite.

The Acumatica sandbox runs as a real HTTP server on a free loopback port, one per test (it starts
in milliseconds), so every test gets fresh state and its own licence seats.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"
_numbers = itertools.count(1)


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., SandboxServer]]:
    """Start a sandbox with config overrides: ``sandbox_factory(max_sessions=1, orders=5)``."""
    started: list[SandboxServer] = []

    def start(**overrides) -> SandboxServer:
        config = dataclasses.replace(SandboxConfig(), **overrides)
        server = SandboxServer(config).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def sandbox(sandbox_factory) -> SandboxServer:
    """A sandbox with default settings (see SandboxConfig)."""
    return sandbox_factory()


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the project; tests that read it skip with a message without it."""
    if not SHARED_DIR.is_dir():
        pytest.skip(
            f"reference material not found at {SHARED_DIR} (clone shared/ beside the project)"
        )
    return SHARED_DIR


@pytest.fixture
def merchant_factory(db):
    from stores.services import merchant_get_or_create

    def make(name: str | None = None):
        return merchant_get_or_create(name=name or f"Merchant {next(_numbers)}")

    return make


@pytest.fixture
def user_factory(db):
    """``user_factory(Role.MERCHANT_USER, merchant=m)``; password is always "pw-for-tests-1"."""
    from django.contrib.auth import get_user_model

    from stores.models import UserProfile

    def make(role: str, *, merchant=None, username: str | None = None):
        user = get_user_model().objects.create_user(
            username=username or f"user{next(_numbers)}", password="pw-for-tests-1"
        )
        UserProfile.objects.create(user=user, role=role, merchant=merchant)
        return user

    return make


@pytest.fixture
def store_factory(db, merchant_factory):
    """``store_factory(sandbox, merchant=None, name=None, active=False, **field_overrides)``:
    a store whose credentials are the sandbox's own (override client_secret/password to break
    them); a draft unless ``active``."""
    from stores.services import store_activate, store_create

    def make(sandbox, *, merchant=None, name: str | None = None, active: bool = False, **overrides):
        config = sandbox.config
        fields = {
            "instance_url": sandbox.base_url,
            "client_id": config.client_id,
            "username": config.username,
            "client_secret": config.client_secret,
            "password": config.password,
            "endpoint_version": config.endpoint_versions[0],
        }
        fields.update(overrides)
        store = store_create(
            merchant=merchant or merchant_factory(),
            name=name or f"Store {next(_numbers)}",
            **fields,
        )
        if active:
            store_activate(store=store, force_reason="tests start stores active")
        return store

    return make


def pytest_configure(config):
    from cryptography.fernet import Fernet
    from django.conf import settings

    # Tests get their own credentials key unless the environment gives one, and may reach the
    # sandbox on loopback (tests of the URL guard turn this off again).
    if not settings.CONNECTOR_CREDENTIALS_KEYS:
        settings.CONNECTOR_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = True
    # The real hasher spends most of a second per user on purpose; tests create many users
    # and are about access rules, not password storage.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Threads of a test (live server, a Celery worker) close their connection after each
    # request or job, so none is left open on the test database when it is dropped.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # whitenoise warns on every request when STATIC_ROOT is missing (collectstatic not run).
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def own_acumatica_limits(tmp_path):
    """Each test its own shared limiter and seat counts (the real Redis or SQLite ones): a 429
    pause, an open breaker or a seat one test leaves never holds up another."""
    import uuid

    from django.test import override_settings

    from connector import limits

    with override_settings(
        ACUMATICA_LIMITS_FILE=str(tmp_path / "acumatica-limits.sqlite3"),
        ACUMATICA_LIMITS_PREFIX=f"test:{uuid.uuid4().hex}",
    ):
        limits.forget()
        yield
    limits.forget()


@pytest.fixture
def run_import():
    """``run_import(store, trigger="schedule", full=False, since=None)`` in this thread."""
    from fulfillment.importing.sync import import_run
    from fulfillment.models import ImportTrigger

    def run(store, trigger: str = ImportTrigger.SCHEDULE, **options):
        store.refresh_from_db()
        result = import_run(store=store, trigger=trigger, **options)
        assert result is not None, "the lease was held"
        return result

    return run


@pytest.fixture(autouse=True)
def fast_confirm_polls(monkeypatch):
    """Write-backs poll ConfirmShipment's progress every 50 ms instead of every second: the
    sandbox finishes the action in about that time. (Not through pytest-django's ``settings``
    fixture: some tests take a parameter of that name.)"""
    from django.conf import settings

    monkeypatch.setattr(settings, "FULFILLMENT_WRITEBACK_CONFIRM_POLL_SECONDS", 0.05)


@pytest.fixture
def queued_jobs(monkeypatch):
    """Jobs the code queued, kept here instead of handed to the broker: job name -> the argument
    tuples in order (``queued_jobs[jobs.IMPORT_STORE]``)."""
    from fulfillment import jobs
    from stores import jobs as store_jobs

    queued: dict[str, list[tuple]] = defaultdict(list)
    monkeypatch.setattr(jobs, "send", lambda name, args: queued[name].append(tuple(args)))
    monkeypatch.setattr(store_jobs, "send", lambda name, args: queued[name].append(tuple(args)))
    # Jobs queued to run later (a retry's own task) are kept apart: "<name> later".
    monkeypatch.setattr(
        jobs, "send_later", lambda name, args, delay: queued[f"{name} later"].append(tuple(args))
    )
    return queued


@pytest.fixture
def jobs_run_here(monkeypatch):
    """Jobs handed to the broker run at once in this process, through the real task code."""
    from celery import current_app

    from fulfillment import jobs, tasks  # noqa: F401  (registers the tasks)
    from stores import jobs as store_jobs
    from stores import tasks as store_tasks  # noqa: F401

    monkeypatch.setattr(jobs, "send", lambda name, args: current_app.tasks[name].apply(args=args))
    monkeypatch.setattr(
        store_jobs, "send", lambda name, args: current_app.tasks[name].apply(args=args)
    )
    # A job for later (a retry's own task) is not run: the test runs what it waits for itself.
    monkeypatch.setattr(jobs, "send_later", lambda name, args, delay: None)

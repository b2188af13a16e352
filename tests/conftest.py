"""Fixtures shared by the whole suite.

The Acumatica sandbox runs as a real HTTP server on a free loopback port, one per test (it starts
in milliseconds), so every test gets fresh state and its own licence seats.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"


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

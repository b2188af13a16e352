"""Fixtures for the console tests."""

import pytest

from connector.services import heartbeat_record


@pytest.fixture
def scheduler_alive(db):
    """A fresh scheduler heartbeat, so no service-wide "scheduler not running" alert opens."""
    heartbeat_record(component="scheduler")

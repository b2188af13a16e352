"""A browser test leaves no database connection open: the queries it makes while Playwright
runs go through a connection of Playwright's context (``chromium_page`` in conftest.py), which
is closed when the page is. Left open, it kept PostgreSQL from dropping the test database at
the end of the session (a warning at teardown)."""

from __future__ import annotations

import pytest
from django.db import connection, connections

from stores.models import Merchant

from .conftest import chromium_page

pytestmark = [pytest.mark.browser]


def test_the_connection_a_browser_test_opened_is_closed_with_its_page(
    chromium_executable, transactional_db, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("closing an in-memory SQLite database is a no-op: runs on PostgreSQL")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    Merchant.objects.count()
    before = connections["default"]

    with chromium_page(chromium_executable):
        Merchant.objects.count()
        during = connections["default"]
        assert during.connection is not None

    assert during is not before, "Playwright's context shares the fixtures' connection now"
    assert during.connection is None
    assert connections["default"] is before and before.connection is not None

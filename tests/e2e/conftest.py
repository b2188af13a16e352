"""Browser tests drive Debian's Chromium through Playwright (Playwright's own browser downloads
are never used: this project runs where only package registries are reachable).

When /usr/bin/chromium is missing, the session installs it once with apt-get (as root); the tests
skip with the reason only when that is not possible."""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
APT_TIMEOUT_SECONDS = 300
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"


def _install_chromium() -> str | None:
    """Why Chromium could not be installed, or None once it is there."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "not running as root, so apt-get cannot install it (apt-get install chromium)"
    if shutil.which("apt-get") is None:
        return "apt-get is not available to install it"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired:
            return f"`{' '.join(command)}` did not finish within {APT_TIMEOUT_SECONDS} s"
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            return f"`{' '.join(command)}` failed: {' / '.join(tail)}"
    return None if CHROMIUM.exists() else "apt-get finished but /usr/bin/chromium is missing"


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    if not CHROMIUM.exists():
        problem = _install_chromium()
        if problem:
            pytest.skip(f"browser test needs Chromium at {CHROMIUM}: {problem}")
    return str(CHROMIUM)


@contextmanager
def chromium_page(executable: str):
    """A fresh Chromium page, for as long as the block runs. Playwright's sync API runs an event
    loop in this thread, which makes Django refuse database access from here unless told it is
    safe (``browser_page`` does: nothing async touches the connection).

    While it runs, code here sees another context (contextvars) than the code before it, and
    Django keeps its connections per context: what the block queries goes through a connection
    of its own, which nothing else closes. It is closed here, before Playwright stops, or it
    would hold the test database open and PostgreSQL would refuse to drop it at the end of the
    session."""
    from django.db import connections

    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="pip package playwright is not installed (pip install -e .[dev])",
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(10_000)
            yield page
        finally:
            browser.close()
            connections.close_all()


@pytest.fixture
def browser_page(chromium_executable, monkeypatch):
    """A fresh Chromium page (``chromium_page``)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_page(chromium_executable) as page:
        yield page


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture
def interactive_worker(transactional_db):
    """A real Celery worker of the interactive queue, in a thread, for as long as the test runs:
    jobs a page queues (the connection test) go through the configured broker to it, as in
    production. Not eager mode, which would run them inside the request."""
    from celery.contrib.testing.worker import start_worker

    import stores.tasks  # noqa: F401  (registers the stores jobs)
    from connector.celery import app
    from stores import jobs

    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=10,
        queues=[jobs.INTERACTIVE_QUEUE],
    ) as worker:
        yield worker

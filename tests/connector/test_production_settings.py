"""CONNECTOR_DEPLOYMENT=production: the settings refuse the public fallback secret key and DEBUG,
and turn on HTTPS (redirect, HSTS, secure cookies). Each case starts a real Django process with
that environment (``manage.py check --deploy``)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_urlsafe(50)


def _check(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "CONNECTOR_VAR_DIR": str(tmp_path),
        "DJANGO_ALLOWED_HOSTS": "connector.example.com",
        "DJANGO_DEBUG": "false",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "key",
    ["", "insecure-development-key-set-DJANGO_SECRET_KEY", "change-me", "short-but-set"],
)
def test_production_refuses_the_fallback_or_a_weak_secret_key(tmp_path, key):
    # An empty value in the environment wins over a key in .env: as on a fresh server.
    done = _check(tmp_path, CONNECTOR_DEPLOYMENT="production", DJANGO_SECRET_KEY=key)
    assert done.returncode != 0
    assert "needs its own DJANGO_SECRET_KEY" in done.stderr
    assert "token_urlsafe" in done.stderr  # how to make one


def test_production_refuses_debug(tmp_path):
    done = _check(
        tmp_path, CONNECTOR_DEPLOYMENT="production", DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_DEBUG="true"
    )
    assert done.returncode != 0
    assert "refuses DJANGO_DEBUG=true" in done.stderr


def test_production_with_its_own_key_passes_djangos_https_checks(tmp_path):
    done = _check(tmp_path, CONNECTOR_DEPLOYMENT="production", DJANGO_SECRET_KEY=GOOD_KEY)
    output = done.stdout + done.stderr
    # HSTS (W004), SSL redirect (W008), secure session (W012) and CSRF (W016) cookies.
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning not in output, output
    assert "SECRET_KEY" not in output, output


def test_development_still_starts_on_the_fallback_key(tmp_path):
    done = _check(tmp_path, CONNECTOR_DEPLOYMENT="development", DJANGO_SECRET_KEY="")
    # It runs; Django's own deploy check then warns about what production would refuse.
    assert "needs its own DJANGO_SECRET_KEY" not in done.stderr
    assert "security.W008" in done.stdout + done.stderr


def test_an_unknown_deployment_name_is_refused(tmp_path):
    done = _check(tmp_path, CONNECTOR_DEPLOYMENT="prod")
    assert done.returncode != 0
    assert "must be development or production" in done.stderr

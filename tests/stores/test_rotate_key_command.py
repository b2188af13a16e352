"""``manage.py rotate_credentials_key``: all secrets move to the newest key, or none do."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from stores import crypto
from stores.credentials import acumatica_client_for, store_secrets_set
from stores.models import StoreSecrets

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _rotate() -> str:
    out = io.StringIO()
    call_command("rotate_credentials_key", stdout=out)
    return out.getvalue()


def _ciphertexts() -> list[tuple]:
    return list(
        StoreSecrets.objects.order_by("store_id").values_list(
            "client_secret", "password", "refresh_token", "access_token"
        )
    )


def test_rotation_moves_every_secret_to_the_new_key(sandbox, store_factory, settings):
    old_key = settings.CONNECTOR_CREDENTIALS_KEYS[0]
    signed_in = store_factory(sandbox)
    with acumatica_client_for(signed_in) as client:  # adds the two OAuth tokens
        client.list("SalesOrder", top=1)
    store_factory(sandbox)
    new_key = crypto.generate_key()
    settings.CONNECTOR_CREDENTIALS_KEYS = [new_key, old_key]

    output = _rotate()

    assert "Re-encrypted 6 stored secrets with the newest key" in output
    settings.CONNECTOR_CREDENTIALS_KEYS = [new_key]
    for row in _ciphertexts():
        for ciphertext in filter(None, row):
            Fernet(new_key.encode()).decrypt(ciphertext.encode())  # raises if not the new key
    with acumatica_client_for(signed_in) as client:
        assert client.list("SalesOrder", top=1)


def test_a_secret_no_key_decrypts_names_the_store_and_changes_nothing(
    sandbox, store_factory, settings
):
    old_key = settings.CONNECTOR_CREDENTIALS_KEYS[0]
    readable = store_factory(sandbox, name="Readable")
    lost = store_factory(sandbox, name="Lost key")
    # The lost store's password was encrypted with a key nobody has any more.
    settings.CONNECTOR_CREDENTIALS_KEYS = [crypto.generate_key()]
    store_secrets_set(store=lost, password="typed-with-a-forgotten-key")
    new_key = crypto.generate_key()
    settings.CONNECTOR_CREDENTIALS_KEYS = [new_key, old_key]
    before = _ciphertexts()

    with pytest.raises(CommandError) as caught:
        _rotate()

    message = str(caught.value)
    assert f"store {lost.pk} ({lost})" in message
    assert "password" in message and "Nothing was changed" in message
    assert f"store {readable.pk} " not in message
    assert "typed-with-a-forgotten-key" not in message
    assert _ciphertexts() == before


def test_rotation_with_nothing_stored(db):
    assert "Re-encrypted 0 stored secrets" in _rotate()


def test_generate_prints_a_key_and_how_to_install_it():
    out = io.StringIO()
    call_command("rotate_credentials_key", "--generate", stdout=out)
    key, *steps = out.getvalue().splitlines()
    Fernet(key.encode())  # a valid key
    text = "\n".join(steps)
    assert f"CONNECTOR_CREDENTIALS_KEYS={key},<current key>" in text
    assert "python manage.py rotate_credentials_key" in text
    assert "Remove the old key" in text


def test_generate_works_before_any_key_is_configured():
    # The start-up check refuses an empty key list; --generate is how one gets a key.
    env = {**os.environ, "CONNECTOR_CREDENTIALS_KEYS": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "rotate_credentials_key", "--generate"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    Fernet(result.stdout.splitlines()[0].encode())


def test_a_malformed_key_is_a_clear_command_error(settings, db):
    settings.CONNECTOR_CREDENTIALS_KEYS = ["nonsense"]
    with pytest.raises(CommandError, match="key #1 is not a valid Fernet key"):
        _rotate()

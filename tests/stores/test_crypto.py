"""Stored secrets are ciphertext in the database, readable with any configured key, and a
missing, malformed or wrong key stops things loudly."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from stores import crypto
from stores.checks import credentials_key_errors
from stores.credentials import acumatica_client_for, store_secrets_rotate_all

SECRET_COLUMNS = ("client_secret", "password", "refresh_token", "access_token")


def _raw_secrets_row(store_id: int) -> dict[str, str]:
    # Straight from the table, past the ORM, as a database dump or a DBA would see it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(SECRET_COLUMNS)} FROM stores_storesecrets WHERE store_id = %s",
            [store_id],
        )
        return dict(zip(SECRET_COLUMNS, cursor.fetchone(), strict=True))


def _tokens_kept(store) -> None:
    with acumatica_client_for(store, keep_tokens=True) as client:
        client.list("SalesOrder", top=1)


def test_the_database_row_holds_no_secret_in_clear(sandbox, store_factory):
    store = store_factory(sandbox)
    _tokens_kept(store)
    row = _raw_secrets_row(store.pk)
    assert all(row.values()), "every secret, tokens included, should be stored"
    for value in row.values():
        assert sandbox.config.password not in value
        assert sandbox.config.client_secret not in value
        assert crypto.decrypt(value)  # ciphertext that decrypts, not an empty placeholder
    assert crypto.decrypt(row["password"]) == sandbox.config.password
    assert crypto.decrypt(row["client_secret"]) == sandbox.config.client_secret


def test_after_rotation_the_old_key_can_be_removed(sandbox, store_factory, settings):
    old_key = settings.CONNECTOR_CREDENTIALS_KEYS[0]
    store = store_factory(sandbox)
    _tokens_kept(store)
    before = _raw_secrets_row(store.pk)

    new_key = crypto.generate_key()
    settings.CONNECTOR_CREDENTIALS_KEYS = [new_key, old_key]
    assert store_secrets_rotate_all() == 4

    settings.CONNECTOR_CREDENTIALS_KEYS = [new_key]
    after = _raw_secrets_row(store.pk)
    for column in SECRET_COLUMNS:
        assert after[column] != before[column]
        assert Fernet(new_key.encode()).decrypt(after[column].encode())
    assert crypto.decrypt(after["password"]) == sandbox.config.password
    # And the store still signs in with what the new key alone decrypts.
    with acumatica_client_for(store) as client:
        assert client.list("SalesOrder", top=1)


def test_a_wrong_key_raises_a_clear_error_and_the_startup_check_reports_it(
    sandbox, store_factory, settings
):
    store = store_factory(sandbox)
    settings.CONNECTOR_CREDENTIALS_KEYS = [crypto.generate_key()]

    with pytest.raises(crypto.CredentialsKeyError) as caught:
        acumatica_client_for(store)
    assert "CONNECTOR_CREDENTIALS_KEYS" in str(caught.value)
    assert "cannot be decrypted" in str(caught.value)

    errors = credentials_key_errors()
    assert len(errors) == 1 and "cannot be decrypted" in errors[0]
    with pytest.raises(SystemCheckError, match=r"stores\.E002"):
        call_command("check", databases=["default"])


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ([], "is empty"),
        (["  "], "is empty"),
        (["not-a-fernet-key"], "key #1 is not a valid Fernet key"),
        ([Fernet.generate_key().decode(), "short"], "key #2 is not a valid Fernet key"),
    ],
)
def test_a_missing_or_malformed_key_fails_loudly(settings, keys, message):
    settings.CONNECTOR_CREDENTIALS_KEYS = keys
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.encrypt("anything")
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.check_keys()
    # Without a database the start-up check still refuses the key itself.
    with pytest.raises(SystemCheckError, match=r"stores\.E001"):
        call_command("check")


@pytest.mark.django_db
def test_the_startup_check_passes_with_a_good_key(sandbox, store_factory):
    store_factory(sandbox)
    assert credentials_key_errors() == []
    call_command("check", databases=["default"])

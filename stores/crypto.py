"""Encryption of stored secrets (client secret, password, OAuth tokens).

MultiFernet over the keys in ``CONNECTOR_CREDENTIALS_KEYS`` (comma-separated Fernet keys, newest
first): new secrets are encrypted with the newest key, any listed key decrypts, and
``manage.py rotate_credentials_key`` re-encrypts everything with the newest one so old keys can
be dropped. This module only turns text into ciphertext and back; what is a secret and who may
read one is decided in ``stores.credentials``.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .errors import StoreClientUnavailable

KEYS_SETTING = "CONNECTOR_CREDENTIALS_KEYS"


class CredentialsKeyError(StoreClientUnavailable, RuntimeError):
    """Stored secrets cannot be decrypted with the configured keys. Never silently ignored."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            f"{KEYS_SETTING} is empty: set it to one or more Fernet keys, newest first "
            "(generate one with: python manage.py rotate_credentials_key --generate)."
        )
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode()))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"{KEYS_SETTING}: key #{position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from exc
    return MultiFernet(fernets)


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(k.strip() for k in settings.CONNECTOR_CREDENTIALS_KEYS if k.strip()))


def check_keys() -> None:
    """Raise ImproperlyConfigured when the keys are missing or malformed."""
    _fernet()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise CredentialsKeyError(
            f"A stored secret cannot be decrypted with any key in {KEYS_SETTING}. "
            "Was the key it was encrypted with removed? Put it back (after the new one) and run "
            "manage.py rotate_credentials_key."
        ) from None


def rotate(ciphertext: str) -> str:
    """Re-encrypt with the newest key (raises CredentialsKeyError like decrypt)."""
    try:
        return _fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise CredentialsKeyError(
            f"A stored secret cannot be decrypted with any key in {KEYS_SETTING}."
        ) from None

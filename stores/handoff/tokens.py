"""The secret in a credentials link and what is stored of it: 32 random bytes (URL-safe text),
kept only as their SHA-256. Looking a link up by that hash never compares the secret itself
byte by byte, so the time an answer takes says nothing about how close a guess was."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# Longer input is not a token of ours; refusing it early keeps hashing cheap.
MAX_TOKEN_LENGTH = 100


def token_new() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)

"""The only module that reads or writes a store's secrets.

Secrets go in through ``store_secrets_set`` / ``store_tokens_save`` (encrypted at once) and come
out only inside ``acumatica_client_for``, straight into the client's credential objects, whose
reprs hide them. Nothing here logs, returns or raises a secret.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from connector.acumatica import (
    SEAT_LEASE_MARGIN,
    AcumaticaClient,
    ConnectionSettings,
    CookieCredentials,
    InstanceLimits,
    OAuthCredentials,
    Seat,
    TokenState,
)
from connector.acumatica.config import DEFAULT_ENDPOINT_NAME, DEFAULT_ENDPOINT_VERSION
from connector.limits import shared_limiter, shared_seats

from . import crypto
from .calls import CallLedger
from .models import StoreConnection, StoreSecrets
from .url_safety import check_instance_url, guarded_session

SECRET_FIELDS = ("client_secret", "password", "refresh_token", "access_token")


def _secrets_row(store: StoreConnection) -> StoreSecrets:
    secrets, _ = StoreSecrets.objects.get_or_create(store=store)
    return secrets


def store_secrets_set(
    *, store: StoreConnection, client_secret: str | None = None, password: str | None = None
) -> None:
    """Store new credentials. None or "" leaves the stored value unchanged (write-only
    forms). Changing either one drops the OAuth tokens, which belong to the old credentials."""
    changes: dict[str, Any] = {}
    now = timezone.now()
    if client_secret:
        changes["client_secret"] = crypto.encrypt(client_secret)
        changes["client_secret_set_at"] = now
    if password:
        changes["password"] = crypto.encrypt(password)
        changes["password_set_at"] = now
    if not changes:
        return
    changes.update(refresh_token="", access_token="", access_token_expires_at=None)
    with transaction.atomic():
        secrets = _secrets_row(store)
        for name, value in changes.items():
            setattr(secrets, name, value)
        secrets.save()


def store_has_secrets(store: StoreConnection) -> dict[str, bool]:
    """Which secrets are set, for forms that say "stored — leave blank to keep"."""
    secrets = StoreSecrets.objects.filter(store=store).first()
    return {name: bool(secrets and getattr(secrets, name)) for name in SECRET_FIELDS}


def store_tokens_save(*, store_id: int, tokens: TokenState | None) -> None:
    """Persist OAuth tokens (called by the client whenever they change)."""
    values: dict[str, Any] = {
        "refresh_token": "",
        "access_token": "",
        "access_token_expires_at": None,
    }
    if tokens is not None:
        if tokens.refresh_token:
            values["refresh_token"] = crypto.encrypt(tokens.refresh_token)
        if tokens.access_token:
            values["access_token"] = crypto.encrypt(tokens.access_token)
        if tokens.expires_at:
            values["access_token_expires_at"] = dt.datetime.fromtimestamp(
                tokens.expires_at, tz=dt.UTC
            )
    StoreSecrets.objects.filter(store_id=store_id).update(**values, updated_at=timezone.now())


def connection_settings_for(
    store: StoreConnection, *, deadline: float | None = None
) -> ConnectionSettings:
    return ConnectionSettings(
        store.instance_url,
        endpoint_name=store.endpoint_name or DEFAULT_ENDPOINT_NAME,
        endpoint_version=store.endpoint_version or DEFAULT_ENDPOINT_VERSION,
        tenant=store.tenant or None,
        connect_timeout=settings.ACUMATICA_CONNECT_TIMEOUT,
        read_timeout=settings.ACUMATICA_READ_TIMEOUT,
        deadline=settings.ACUMATICA_CALL_DEADLINE_SECONDS if deadline is None else deadline,
        max_answer_bytes=settings.ACUMATICA_MAX_ANSWER_BYTES,
    )


def acumatica_client_for(
    store: StoreConnection,
    *,
    keep_tokens: bool = True,
    sign_out_on_close: bool | None = None,
    recorder=None,
    purpose: str = "",
    seat_wait: float | None = None,
    urgent: bool = False,
    deadline: float | None = None,
) -> AcumaticaClient:
    """A client for this store, signed in with its stored credentials and tokens (OAuth), or
    with a cookie session signed out on close (``auth_method`` cookie).

    ``keep_tokens`` saves rotated tokens back (encrypted) so the next job reuses the grant's
    session instead of signing in again; a connection test passes False and signs out.
    Every request it sends is recorded as an ``AcumaticaCall`` of the store (``purpose`` says
    what for), then handed to ``recorder`` if one is given. The store's licence limits, when
    known, become the shared limiter's limits for its instance, and its API users (minus the
    reserve) the seats every process shares there: the client waits up to ``seat_wait``
    seconds (``ACUMATICA_SEAT_WAIT_SECONDS``) for one, signs out on close and gives it back.
    ``urgent`` (work a person waits for) takes the next seat that comes free before any job
    that is not. ``deadline`` bounds each call's whole answer (``ACUMATICA_CALL_DEADLINE_SECONDS``).
    Raises UnsafeInstanceURL when the Instance URL is not allowed.
    """
    check_instance_url(store.instance_url)
    secrets = _secrets_row(store)
    password = crypto.decrypt(secrets.password) if secrets.password else ""
    credentials: OAuthCredentials | CookieCredentials
    if store.uses_cookie_sign_in:
        # A cookie session is signed out when the client closes: no tokens, nothing to keep.
        credentials = CookieCredentials(
            username=store.username, password=password, tenant=store.tenant or None
        )
        keep_tokens, sign_out_on_close = False, None
    else:
        credentials = OAuthCredentials(
            client_id=store.client_id,
            client_secret=crypto.decrypt(secrets.client_secret) if secrets.client_secret else "",
            username=store.username,
            password=password,
            scope=store.oauth_scope or "api offline_access",
        )
    token_state = None
    on_token_change = None
    if keep_tokens:
        if secrets.refresh_token or secrets.access_token:
            token_state = TokenState(
                access_token=crypto.decrypt(secrets.access_token) if secrets.access_token else None,
                refresh_token=(
                    crypto.decrypt(secrets.refresh_token) if secrets.refresh_token else None
                ),
                expires_at=(
                    secrets.access_token_expires_at.timestamp()
                    if secrets.access_token_expires_at
                    else None
                ),
                scope=store.oauth_scope,
            )
        store_id = store.pk

        def on_token_change(tokens: TokenState | None) -> None:
            store_tokens_save(store_id=store_id, tokens=tokens)

    connection = connection_settings_for(store, deadline=deadline)
    limiter = shared_limiter()
    if store.licence_concurrent_requests or store.licence_requests_per_minute:
        limiter.set_limits(
            connection.instance_key,
            InstanceLimits(
                max_concurrent=store.licence_concurrent_requests or InstanceLimits.max_concurrent,
                requests_per_minute=store.licence_requests_per_minute,
            ),
        )
    return AcumaticaClient(
        connection,
        credentials,
        token_state=token_state,
        on_token_change=on_token_change,
        limiter=limiter,
        recorder=CallLedger(store.pk, purpose=purpose, also=recorder) if store.pk else recorder,
        sign_out_on_close=sign_out_on_close,
        session=guarded_session(),
        seat=_seat_for(store, connection.instance_key, seat_wait, urgent),
    )


def _seat_for(
    store: StoreConnection, instance_key: str, wait: float | None, urgent: bool
) -> Seat | None:
    """The licence seat the client's session counts against: the connector holds at most the
    store's licence API users minus the reserve at once on its instance, across every process
    (stores on one instance share them). None when the licence is not known."""
    seats = store.connector_seats
    if not seats:
        return None
    return Seat(
        shared_seats(),
        instance_key,
        seats=seats,
        max_wait=settings.ACUMATICA_SEAT_WAIT_SECONDS if wait is None else wait,
        lease=settings.ACUMATICA_SESSION_IDLE_SECONDS + SEAT_LEASE_MARGIN,
        urgent=urgent,
    )


def store_secrets_rotate_all() -> int:
    """Re-encrypt every stored secret with the newest key; return how many were re-encrypted.

    All or nothing: when some store's secrets decrypt with no configured key, raise
    CredentialsKeyError naming those stores and change nothing, so that removing the old key
    afterwards can never strand a secret.
    """
    rotated = 0
    unreadable: list[str] = []
    with transaction.atomic():
        rows = list(
            StoreSecrets.objects.select_for_update(of=("self",))
            .select_related("store__merchant")
            .order_by("store_id")
        )
        for secrets in rows:
            failed = []
            for name in SECRET_FIELDS:
                ciphertext = getattr(secrets, name)
                if not ciphertext:
                    continue
                try:
                    setattr(secrets, name, crypto.rotate(ciphertext))
                    rotated += 1
                except crypto.CredentialsKeyError:
                    failed.append(name)
            if failed:
                unreadable.append(
                    f"store {secrets.store_id} ({secrets.store}): {', '.join(failed)}"
                )
        if unreadable:
            raise crypto.CredentialsKeyError(
                f"No key in {crypto.KEYS_SETTING} decrypts the stored secrets of "
                f"{'; '.join(unreadable)}. Nothing was changed. Put back the key they were "
                "encrypted with (after the new one) and run this again, or enter those stores' "
                "credentials again."
            )
        now = timezone.now()
        for secrets in rows:
            secrets.updated_at = now
        StoreSecrets.objects.bulk_update(rows, [*SECRET_FIELDS, "updated_at"])
    return rotated

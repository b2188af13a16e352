"""The demo's data: a merchant, a login for each kind of user, and a store connected to the
running sandbox, tested and activated.

``manage.py demo`` creates the logins before it starts anything, then runs ``manage.py
demo_setup`` beside the sandbox for the store. That child gets
CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS=true from the environment the web and the worker get too
(they also reach the sandbox on 127.0.0.1), instead of a settings change at run time.
Everything here is safe to run on every start: what exists is kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
from django.contrib.auth import get_user_model

from connector.sandbox.config import SandboxConfig
from stores.connection_test import ConnectionTestResult
from stores.models import AuditEntry, Merchant, Role, StoreConnection, StoreStatus, UserProfile
from stores.services import (
    merchant_get_or_create,
    store_activate,
    store_connection_test,
    store_create,
    store_update,
)

SYSTEM = AuditEntry.Via.SYSTEM

DEMO_MERCHANT = "Demo Merchant"
DEMO_STORE = "Demo Acumatica (sandbox)"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    who: str


ADMIN_LOGIN = DemoLogin("demo", "demo-password", "3PL admin, superuser")
MERCHANT_LOGIN = DemoLogin("merchant", "merchant-password", f"merchant user of {DEMO_MERCHANT}")
DEMO_LOGINS = (ADMIN_LOGIN, MERCHANT_LOGIN)


@dataclass(frozen=True)
class DemoStoreOutcome:
    store: StoreConnection
    # None when the test was not run (a store someone paused stays paused).
    test: ConnectionTestResult | None


def demo_logins_ensure() -> Merchant:
    """The demo merchant and both logins. A login that exists keeps its password and role."""
    merchant = merchant_get_or_create(name=DEMO_MERCHANT)
    _login_ensure(ADMIN_LOGIN, role=Role.THREEPL_ADMIN, merchant=None, superuser=True)
    _login_ensure(MERCHANT_LOGIN, role=Role.MERCHANT_USER, merchant=merchant, superuser=False)
    return merchant


def _login_ensure(login: DemoLogin, *, role: str, merchant: Merchant | None, superuser: bool):
    user, created = get_user_model().objects.get_or_create(
        username=login.username, defaults={"is_staff": superuser, "is_superuser": superuser}
    )
    if created:
        user.set_password(login.password)
        user.save(update_fields=["password"])
    UserProfile.objects.get_or_create(user=user, defaults={"role": role, "merchant": merchant})


def sandbox_wait(instance_url: str, *, timeout: float = 30.0) -> bool:
    """Whether the sandbox answered ``GET /entity`` (with any status) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(f"{instance_url.rstrip('/')}/entity", timeout=2.0)
            return True
        except requests.RequestException:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.3)


def demo_store_ensure(
    *, instance_url: str, config: SandboxConfig | None = None
) -> DemoStoreOutcome:
    """The demo store pointing at the sandbox at ``instance_url`` with the sandbox's
    credentials, tested, and activated when the test passes."""
    config = config or SandboxConfig()
    merchant = merchant_get_or_create(name=DEMO_MERCHANT)
    fields = {
        "instance_url": instance_url.rstrip("/"),
        "client_id": config.client_id,
        "username": config.username,
        "endpoint_name": config.endpoint_name,
        "endpoint_version": config.endpoint_versions[0],
        # The sandbox's licence; its 0 ("no limit") is left blank: no limit to show.
        "licence_api_users": config.max_sessions or None,
        "licence_concurrent_requests": config.max_concurrent_requests or None,
        "licence_requests_per_minute": config.max_requests_per_minute or None,
    }
    store = StoreConnection.objects.filter(merchant=merchant, name=DEMO_STORE).first()
    if store is None:
        store = store_create(
            merchant=merchant,
            name=DEMO_STORE,
            client_secret=config.client_secret,
            password=config.password,
            via=SYSTEM,
            **fields,
        )
    else:
        # Only what differs changes (another --sandbox-port, say); the secrets are kept.
        store = store_update(store=store, via=SYSTEM, **fields)
    if store.status == StoreStatus.PAUSED:
        return DemoStoreOutcome(store=store, test=None)
    result = store_connection_test(store=store, via=SYSTEM)
    store.refresh_from_db()
    if result.passed and store.status != StoreStatus.ACTIVE:
        store = store_activate(store=store, via=SYSTEM)
    return DemoStoreOutcome(store=store, test=result)


def demo_setup_run(*, instance_url: str, config: SandboxConfig | None = None) -> DemoStoreOutcome:
    demo_logins_ensure()
    return demo_store_ensure(instance_url=instance_url, config=config)

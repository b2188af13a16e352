"""Fixtures for imports: active stores pointing at a sandbox, users of each role, and a small
client for the sandbox's data-control endpoint (seed, edit, cancel, set LastModified)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import requests

from stores.models import Role

_numbers = itertools.count(1)


class SandboxData:
    """``/_sandbox/data/...`` of one sandbox (see connector/sandbox/README.md)."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox
        self.url = f"{sandbox.site_url}/_sandbox/data"

    def _call(self, method: str, path: str, body: Any = None, **params) -> Any:
        response = requests.request(
            method, f"{self.url}/{path}", json=body, params=params or None, timeout=30
        )
        assert response.status_code < 300, (response.status_code, response.text)
        return response.json()

    def seed(self, *, orders: int, seed: int = 1, lines: int = 5) -> dict:
        return self._call("POST", "seed", {"orders": orders, "seed": seed, "lines": lines})

    def orders(self, **query) -> list[dict]:
        return self._call("GET", "orders", **query)

    def order(self, order_type: str, nbr: str) -> dict:
        return self._call("GET", f"orders/{order_type}/{nbr}")

    def create_order(self, **spec) -> dict:
        return self._call("POST", "orders", spec)

    def edit(self, order_type: str, nbr: str, **spec) -> dict:
        return self._call("PATCH", f"orders/{order_type}/{nbr}", spec)

    def cancel(self, order_type: str, nbr: str, *, force: bool = False) -> dict:
        return self._call("POST", f"orders/{order_type}/{nbr}/cancel", {"force": force})

    def set_last_modified(self, order_type: str, nbr: str, value: str) -> dict:
        return self._call("POST", f"orders/{order_type}/{nbr}/last-modified", {"value": value})

    def shipments(self, **query) -> list[dict]:
        return self._call("GET", "shipments", **query)

    def set_shipment_last_modified(self, nbr: str, value: str) -> dict:
        return self._call("POST", f"records/Shipment/{nbr}/last-modified", {"value": value})

    def eligible_sales_orders(self, order_type: str = "SO") -> set[tuple[str, str]]:
        """What a sales-order import must end with: Open or Back Order, not on hold."""
        return {
            (o["OrderType"], o["OrderNbr"])
            for o in self.orders(type=order_type)
            if o["Status"] in ("Open", "Back Order")
        }


@pytest.fixture
def sandbox_data(sandbox) -> SandboxData:
    return SandboxData(sandbox)


@pytest.fixture
def merchant_user(user_factory, merchant_factory):
    def make(merchant=None):
        return user_factory(Role.MERCHANT_USER, merchant=merchant or merchant_factory())

    return make


@pytest.fixture
def store_factory(store_factory):
    """As the suite-wide ``store_factory``, but stores start active (imports skip drafts)."""

    def make(sandbox, *, active: bool = True, **kwargs):
        return store_factory(sandbox, active=active, **kwargs)

    return make


# --- Fulfillments and the warehouse API ----------------------------------------------------------


@pytest.fixture
def shippable_order(sandbox, store_factory, run_import):
    """``shippable_order(store=None, lines=2)``: an imported ready order of a store on the
    sandbox whose every line has at least ``min_open`` open (a new store each time by
    default)."""
    from decimal import Decimal

    from fulfillment.models import Order, OrderStatus

    imported: set[int] = set()

    def make(store=None, *, lines: int = 2, min_open: int = 2):
        store = store or store_factory(sandbox)
        if store.pk not in imported:
            run_import(store)
            imported.add(store.pk)
        for order in Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk"):
            order_lines = list(order.lines.all())
            if len(order_lines) >= lines and all(
                line.open_quantity >= Decimal(min_open) for line in order_lines
            ):
                return order
        raise AssertionError(f"the sandbox has no ready order with {lines}+ lines")

    return make


@pytest.fixture
def api_token(db):
    """``api_token(*merchants, name=None)`` → (token, key); without merchants, a token made for
    every merchant (``all_merchants``)."""
    from fulfillment.api.tokens import api_token_create

    def make(*merchants, name: str | None = None):
        return api_token_create(
            name=name or f"token {next(_numbers)}",
            merchants=list(merchants),
            all_merchants=not merchants,
        )

    return make


@pytest.fixture
def api_client():
    """``api_client(key)``: a DRF test client that sends ``Authorization: Token <key>``."""
    from rest_framework.test import APIClient

    def make(key: str | None = None) -> APIClient:
        client = APIClient()
        if key:
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def fulfillment_body(order, *, key: str = "ship-1", quantity=1, tracking: str = "1Z999", **over):
    """A valid fulfillment request shipping ``quantity`` of each of the order's lines in one
    package."""
    body = {
        "idempotency_key": key,
        "shipped_at": "2025-06-01T12:00:00Z",
        "carrier": "UPS",
        "service": "Ground",
        "lines": [
            {"line_id": line.pk, "quantity": str(quantity)}
            for line in order.lines.order_by("line_nbr")
        ],
        "packages": [
            {"box_id": "SMALL", "weight": "2.5", "weight_unit": "lb", "tracking_number": tracking}
        ],
    }
    body.update(over)
    return body

"""Helpers for the entity-layer tests: a signed-in client that always signs out (the default
licence has two seats), endpoint URLs, and the data control endpoint."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from connector.sandbox.config import DEFAULT_ENDPOINT_VERSION
from connector.sandbox.server import SandboxServer

VERSION = DEFAULT_ENDPOINT_VERSION


class Client:
    """A cookie session against one endpoint version of a running sandbox."""

    def __init__(self, server: SandboxServer, version: str = VERSION):
        self.server = server
        self.version = version
        self.http = requests.Session()

    @property
    def endpoint(self) -> str:
        return f"{self.server.base_url}/entity/Default/{self.version}"

    def url(self, path: str) -> str:
        if path.startswith("/"):
            # A site-relative path (a `_links.self` or a `Location` header).
            return self.server.site_url + path
        return f"{self.endpoint}/{path}"

    def login(self) -> None:
        config = self.server.config
        reply = self.http.post(
            f"{self.server.base_url}/entity/auth/login",
            json={
                "name": config.username,
                "password": config.password,
                "tenant": config.default_tenant,
            },
            timeout=10,
        )
        assert reply.status_code == 204, reply.text

    def logout(self) -> None:
        self.http.post(f"{self.server.base_url}/entity/auth/logout", data=b"", timeout=10)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(self.url(path), params=params or None, timeout=30)

    def put(self, path: str, body: Any, headers: dict | None = None, **params: Any):
        return self.http.put(
            self.url(path), json=body, params=params or None, headers=headers, timeout=30
        )

    def post(self, path: str, body: Any) -> requests.Response:
        return self.http.post(self.url(path), json=body, timeout=30)

    def delete(self, path: str) -> requests.Response:
        return self.http.delete(self.url(path), timeout=30)

    def wait(self, location: str, timeout: float = 10.0) -> requests.Response:
        """Poll an action's status URL until it stops answering 202."""
        deadline = time.monotonic() + timeout
        while True:
            reply = self.get(location)
            if reply.status_code != 202 or time.monotonic() > deadline:
                return reply
            time.sleep(0.05)


@contextmanager
def signed_in(server: SandboxServer, version: str = VERSION) -> Iterator[Client]:
    client = Client(server, version)
    client.login()
    try:
        yield client
    finally:
        client.logout()


def data_control(server: SandboxServer, method: str, path: str, body: Any = None):
    return requests.request(
        method, f"{server.site_url}/_sandbox/data/{path}", json=body, timeout=60
    )


def value(obj: dict, name: str) -> Any:
    """The ``value`` inside a field wrapper (None for ``{}``)."""
    return obj[name].get("value")


def find_order(server: SandboxServer, **criteria: str) -> dict:
    """The first seeded order (data control summary form) matching status/type."""
    params = "&".join(f"{k}={v}" for k, v in criteria.items())
    orders = data_control(server, "GET", f"orders?{params}").json()
    assert orders, f"the seed has no order with {criteria}"
    return orders[0]


W = {"value": "Shipment"}


def wrap(**fields: Any) -> dict:
    """Contract fields from keyword arguments: ``wrap(BoxID="SMALL")``."""
    return {name: {"value": v} for name, v in fields.items()}


def open_order(client: Client, server: SandboxServer) -> tuple[dict, str, list[dict]]:
    """An Open SO order, one of its warehouses, and its lines in that warehouse."""
    summary = find_order(server, status="Open", type="SO")
    order = client.get(f"SalesOrder/SO/{summary['OrderNbr']}", **{"$expand": "Details"}).json()
    warehouse = value(order["Details"][0], "WarehouseID")
    lines = [d for d in order["Details"] if value(d, "WarehouseID") == warehouse]
    return order, warehouse, lines


def shipment_for(order: dict, warehouse: str, **extra: Any) -> dict:
    """A PUT Shipment body taking every line of ``order`` in ``warehouse``."""
    return {
        "Type": W,
        "CustomerID": order["CustomerID"],
        "WarehouseID": {"value": warehouse},
        "ShipmentDate": {"value": "2025-02-03"},
        "Details": [wrap(OrderType="SO", OrderNbr=value(order, "OrderNbr"))],
        **extra,
    }


def count_shipments(server: SandboxServer) -> int:
    return data_control(server, "GET", "summary").json()["counts"]["Shipment"]

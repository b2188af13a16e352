"""The connection test against the sandbox over real HTTP: the happy path, and every failure a
merchant can hit producing its own message and fix. After every run no Acumatica session may be
left open (each holds a licence seat) and no secret may appear in what was reported."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from connector.acumatica import EndpointInfo
from stores.connection_test import Check, ConnectionTestResult
from stores.connection_test.checks import STEPS
from stores.connection_test.checks_settings import closest_endpoint
from stores.models import StoreStatus
from stores.services import store_activate, store_connection_test

OTHER_GUID = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0"


def run(store, sandbox=None) -> ConnectionTestResult:
    result = store_connection_test(store=store)
    reported = json.dumps(result.to_dicts())
    if sandbox is not None:
        assert len(sandbox.sessions) == 0, "the connection test left an Acumatica session open"
        for secret in (sandbox.config.password, sandbox.config.client_secret):
            assert secret not in reported
    store.refresh_from_db()
    assert store.last_test_result == result.to_dicts()
    assert store.last_test_passed is result.passed
    return result


def check(result: ConnectionTestResult, key: str) -> Check:
    return next(c for c in result.checks if c.key == key)


def failing(result: ConnectionTestResult, key: str) -> Check:
    found = check(result, key)
    assert found.status == "fail", found
    return found


def statuses(result: ConnectionTestResult) -> dict[str, str]:
    return {c.key: c.status for c in result.checks}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def foreign_site(status: int, content_type: str, body: bytes) -> Iterator[dict]:
    """A loopback web server that is not Acumatica; yields its URL and the requests it got."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append(f"{self.command} {self.path}")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_address[1]}/AcumaticaERP", "seen": seen}
    finally:
        server.shutdown()
        server.server_close()


# --- passing --------------------------------------------------------------------------------------


def test_everything_passes_against_the_sandbox(sandbox, store_factory):
    store = store_factory(sandbox, default_warehouse="RETAIL", include_package_contents=True)

    result = run(store, sandbox)

    assert result.passed
    assert [c.key for c in result.checks] == [step.key for step in STEPS]
    assert set(statuses(result).values()) == {"pass"}, statuses(result)
    assert "Retail Warehouse" in check(result, "default_warehouse").message
    assert all(c.fix == "" for c in result.checks)
    assert result.checks[0].to_dict() == {
        "key": "client_id",
        "title": "Client ID",
        "status": "pass",
        "message": "The Client ID names tenant “Company”.",
        "fix": "",
    }


def test_optional_settings_left_off_are_skipped_saying_why(sandbox, store_factory):
    store = store_factory(sandbox)

    result = run(store, sandbox)

    assert result.passed
    assert check(result, "default_warehouse").status == "skip"
    assert "No default warehouse is set" in check(result, "default_warehouse").message
    assert check(result, "package_contents").status == "skip"
    assert "is off" in check(result, "package_contents").message


def test_a_passing_test_lets_the_store_be_activated(sandbox, store_factory):
    store = store_factory(sandbox)
    run(store, sandbox)

    store_activate(store=store)

    assert store.status == StoreStatus.ACTIVE


# --- before any request to Acumatica --------------------------------------------------------------


def test_client_id_without_its_tenant_suffix(sandbox, store_factory):
    guid = sandbox.config.client_id.split("@")[0]
    store = store_factory(sandbox, client_id=guid)

    result = run(store, sandbox)

    failed = failing(result, "client_id")
    assert "has no @Tenant suffix" in failed.message
    assert "SM303010" in failed.fix
    assert check(result, "sign_in").status == "skip"
    assert "“Client ID” did not pass" in check(result, "sign_in").message
    # The credentials were never sent.
    assert not [e for e in sandbox.request_log.entries() if "identity" in e.path]


def test_instance_url_refused_by_the_address_guard(sandbox, store_factory, settings):
    store = store_factory(sandbox)
    settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = False

    result = run(store, sandbox)

    failed = failing(result, "instance_url")
    assert "private, loopback or link-local address" in failed.message
    assert "https://erp.example.com/AcumaticaERP" in failed.fix
    assert check(result, "reachable").status == "skip"
    assert sandbox.request_log.entries() == []


# --- the host -------------------------------------------------------------------------------------


def test_host_refusing_connections(sandbox, store_factory):
    port = closed_port()
    store = store_factory(sandbox, instance_url=f"http://127.0.0.1:{port}/AcumaticaERP")

    result = run(store, sandbox)

    failed = failing(result, "reachable")
    assert f"refused the connection: nothing accepts connections on port {port}" in failed.message
    assert {c.status for c in result.checks[3:]} == {"skip"}
    assert "sends no more requests" in check(result, "sign_in").message


def test_host_name_that_does_not_resolve(sandbox, store_factory):
    store = store_factory(sandbox, instance_url="http://acumatica.example.invalid/AcumaticaERP")

    result = run(store, sandbox)

    failed = failing(result, "reachable")
    assert "acumatica.example.invalid does not resolve (DNS)" in failed.message
    assert "typos" in failed.fix


def test_host_that_never_answers(sandbox, store_factory, settings):
    settings.ACUMATICA_READ_TIMEOUT = 0.3
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections (the kernel does) but never answers
        port = silent.getsockname()[1]
        store = store_factory(sandbox, instance_url=f"http://127.0.0.1:{port}/AcumaticaERP")

        result = run(store, sandbox)

    failed = failing(result, "reachable")
    assert "accepted the connection but did not answer within 0.3 s" in failed.message
    assert "firewall" in failed.fix


@pytest.mark.parametrize(
    ("status", "content_type", "body", "phrase"),
    [
        (200, "text/html", b"<html><title>Welcome to nginx!</title></html>", "Welcome to nginx"),
        (404, "text/html", b"<html><body>Not Found</body></html>", "got text/html"),
        (200, "application/json", b'{"status": "ok"}', "did not list endpoints"),
    ],
    ids=["html-page", "html-404", "json-without-endpoints"],
)
def test_a_site_that_is_not_acumatica_gets_no_credentials(
    sandbox, store_factory, status, content_type, body, phrase
):
    with foreign_site(status, content_type, body) as site:
        store = store_factory(sandbox, instance_url=site["url"])
        result = run(store, sandbox)

    failed = failing(result, "reachable")
    assert "is not Acumatica's API" in failed.message
    assert phrase in failed.message
    assert "virtual directory" in failed.fix
    assert check(result, "sign_in").status == "skip"
    assert site["seen"] == ["GET /AcumaticaERP/entity"]


def test_instance_url_without_the_site_directory(sandbox, store_factory):
    store = store_factory(sandbox, instance_url=sandbox.site_url)  # no /AcumaticaERP

    result = run(store, sandbox)

    failed = failing(result, "reachable")
    assert "is not Acumatica's API" in failed.message and "404" in failed.message


def test_https_url_against_a_plain_http_port_is_a_tls_error(sandbox, store_factory):
    store = store_factory(sandbox, instance_url=sandbox.base_url.replace("http://", "https://"))

    result = run(store, sandbox)

    failed = failing(result, "reachable")
    assert "secure (TLS) connection" in failed.message
    assert "certificate" in failed.fix
    assert check(result, "sign_in").status == "skip"


# --- signing in -----------------------------------------------------------------------------------


def test_wrong_shared_secret_is_an_unknown_client(sandbox, store_factory):
    store = store_factory(sandbox, client_secret="not-the-secret")

    result = run(store, sandbox)

    failed = failing(result, "sign_in")
    assert "(invalid_client)" in failed.message
    assert "Shared Secret is wrong or has expired" in failed.message
    assert "Secrets tab" in failed.fix and "SM303010" in failed.fix
    assert check(result, "endpoint").status == "skip"


def test_unknown_client_id(sandbox, store_factory):
    store = store_factory(sandbox, client_id=f"{OTHER_GUID}@Company")

    result = run(store, sandbox)

    assert "(invalid_client)" in check(result, "sign_in").message
    assert OTHER_GUID in check(result, "sign_in").message


def test_wrong_password(sandbox, store_factory):
    store = store_factory(sandbox, password="not-the-password")

    result = run(store, sandbox)

    failed = failing(result, "sign_in")
    assert "rejected the username “admin” or its password" in failed.message
    assert "SM201010" in failed.fix


def test_password_change_forced(sandbox_factory, store_factory):
    sandbox = sandbox_factory(password_change_required=True)
    store = store_factory(sandbox)

    result = run(store, sandbox)

    failed = failing(result, "sign_in")
    assert "requires user “admin” to change its password" in failed.message
    assert "Sign in to Acumatica once in a browser" in failed.fix


def test_licence_api_login_limit_reached(sandbox_factory, store_factory):
    sandbox = sandbox_factory(max_sessions=1)
    holder = requests.Session()
    config = sandbox.config
    signed_in = holder.post(
        f"{sandbox.base_url}/entity/auth/login",
        json={"name": config.username, "password": config.password},
        timeout=10,
    )
    assert signed_in.status_code == 204
    store = store_factory(sandbox)

    result = run(store)  # the seat check comes below: one seat is the other integration's

    failed = failing(result, "sign_in")
    assert "“API Login Limit”" in failed.message
    assert "other integrations" in failed.message
    assert "wait up to 10 minutes" in failed.fix and "SM604000" in failed.fix
    assert len(sandbox.sessions) == 1  # the other integration's seat, not ours
    holder.post(f"{sandbox.base_url}/entity/auth/logout", data=b"", timeout=10)
    assert len(sandbox.sessions) == 0


def test_unknown_tenant(sandbox_factory, store_factory):
    sandbox = sandbox_factory(tenants=["Company", "Retail"])
    guid = sandbox.config.client_id.split("@")[0]
    store = store_factory(sandbox, client_id=f"{guid}@Nowhere")

    result = run(store, sandbox)

    failed = failing(result, "sign_in")
    assert "has no tenant “Nowhere”" in failed.message
    assert "SM203520" in failed.fix


# --- what the connector uses ----------------------------------------------------------------------


def test_endpoint_version_not_installed_lists_the_installed_ones(sandbox, store_factory):
    store = store_factory(sandbox, endpoint_version="25.200.001")

    result = run(store, sandbox)

    failed = failing(result, "endpoint")
    assert "Endpoint Default/25.200.001 is not installed" in failed.message
    assert "Default/24.200.001, Default/23.200.001, Default/22.200.001" in failed.message
    assert "Default / 24.200.001, the closest installed" in failed.fix
    assert "SM207060" in failed.fix
    assert {check(result, k).status for k in ("sales_orders", "order_type")} == {"skip"}


def test_endpoint_name_not_installed(sandbox, store_factory):
    store = store_factory(sandbox, endpoint_name="Fulfillment")

    result = run(store, sandbox)

    failed = check(result, "endpoint")
    assert "Endpoint Fulfillment/24.200.001 is not installed" in failed.message
    assert "Default / 24.200.001" in failed.fix


def test_closest_endpoint_prefers_the_same_name_then_the_nearest_version():
    installed = (
        EndpointInfo("Default", "22.200.001"),
        EndpointInfo("Default", "23.200.001"),
        EndpointInfo("Default", "25.200.001"),
        EndpointInfo("eCommerce", "24.200.001"),
    )

    assert closest_endpoint(installed, "Default", "24.200.001").version == "23.200.001"
    assert closest_endpoint(installed, "default", "25.100.001").version == "25.200.001"
    assert closest_endpoint(installed, "Custom", "24.200.001").name == "eCommerce"
    assert closest_endpoint((), "Default", "24.200.001") is None


@pytest.mark.parametrize(
    ("entity", "key", "screen"),
    [
        ("SalesOrder", "sales_orders", "SO301000"),
        ("Shipment", "shipments", "SO302000"),
        ("StockItem", "stock_items", "IN202500"),
    ],
)
def test_role_without_access_to_an_entity(sandbox_factory, store_factory, entity, key, screen):
    sandbox = sandbox_factory(denied_entities=[entity])
    store = store_factory(sandbox)

    result = run(store, sandbox)

    failed = check(result, key)
    assert failed.status == "fail"
    assert f"HTTP 403 on {entity}" in failed.message
    assert screen in failed.fix and "User Roles (SM201005)" in failed.fix
    others = {"sales_orders", "shipments", "stock_items"} - {key}
    assert {check(result, k).status for k in others} == {"pass"}
    assert check(result, "order_type").status == ("skip" if entity == "SalesOrder" else "pass")


def test_order_type_without_orders_is_a_warning(sandbox, store_factory):
    store = store_factory(sandbox, order_type="ZZ")

    result = run(store, sandbox)

    warned = check(result, "order_type")
    assert warned.status == "warn"
    assert "No sales order of type ZZ" in warned.message
    assert "does not exist in Acumatica, or it has no orders yet" in warned.message
    assert "Order Types (SO201000)" in warned.fix
    assert result.passed


def test_unknown_default_warehouse_lists_the_known_ones(sandbox, store_factory):
    store = store_factory(sandbox, default_warehouse="NOWHERE")

    result = run(store, sandbox)

    failed = failing(result, "default_warehouse")
    assert "Acumatica has no warehouse NOWHERE" in failed.message
    assert "Its warehouses: EAST, RETAIL, WHOLESALE." in failed.message
    assert "Warehouses (IN204000)" in failed.fix


def test_default_warehouse_unverifiable_without_access_is_a_warning(sandbox_factory, store_factory):
    sandbox = sandbox_factory(denied_entities=["Warehouse"])
    store = store_factory(sandbox, default_warehouse="RETAIL")

    result = run(store, sandbox)

    warned = check(result, "default_warehouse")
    assert warned.status == "warn"
    assert "could not be checked" in warned.message
    assert result.passed


def test_package_contents_not_exposed_while_the_toggle_is_on(sandbox_factory, store_factory):
    sandbox = sandbox_factory(package_contents_exposed=False)
    store = store_factory(sandbox, include_package_contents=True)

    result = run(store, sandbox)

    failed = failing(result, "package_contents")
    assert "does not expose the contents of shipment packages" in failed.message
    assert "Turn off “Include package contents”" in failed.fix
    assert not result.passed


# --- Acumatica throttling or failing --------------------------------------------------------------


def test_throttling_fails_the_check_and_stops_the_test(sandbox, store_factory):
    # Every try is refused: the client waits Retry-After (1 s) once, then the 429 reaches the
    # test. A short pause, because the limiter shared by the process remembers it.
    sandbox.faults.add(kind="error429", match="GET */Shipment", retry_after=1)
    store = store_factory(sandbox)

    result = run(store, sandbox)

    failed = failing(result, "shipments")
    assert "throttling API requests (HTTP 429)" in failed.message
    assert "Wait a minute" in failed.fix
    later = result.checks[[c.key for c in result.checks].index("shipments") + 1 :]
    assert {c.status for c in later} == {"skip"}
    assert all("sends no more requests" in c.message for c in later)


def test_internal_error_fails_the_check_and_stops_the_test(sandbox, store_factory):
    sandbox.faults.add(kind="error500", match="GET */StockItem")
    store = store_factory(sandbox)

    result = run(store, sandbox)

    failed = failing(result, "stock_items")
    assert "internal error (HTTP 500): Operation failed" in failed.message
    assert "temporary" in failed.fix
    assert check(result, "order_type").status == "skip"


def test_a_failing_test_puts_an_active_store_in_need_of_attention(sandbox, store_factory):
    store = store_factory(sandbox)
    run(store, sandbox)
    store_activate(store=store)
    sandbox.config.password = "rotated-in-acumatica"

    result = run(store, sandbox)

    assert not result.passed
    assert store.status == StoreStatus.NEEDS_ATTENTION
    assert store.status_reason == check(result, "sign_in").message

"""The connection test against the sandbox over real HTTP: the happy path, the checks made before
any request, the host, and Acumatica throttling or failing. Every failure a merchant can hit
produces its own message and fix; after every run no Acumatica session may be left open (each
holds a licence seat) and no secret may appear in what was reported (see
``connection_test_support.run``). Signing in is in ``test_connection_test_sign_in``, what the
connector uses in ``test_connection_test_settings``."""

from __future__ import annotations

import socket

import pytest

from stores.connection_test.checks import STEPS
from stores.models import StoreStatus
from stores.services import store_activate

from .connection_test_support import check, closed_port, failing, foreign_site, run, statuses

# --- passing --------------------------------------------------------------------------------------


def test_everything_passes_against_the_sandbox(sandbox, store_factory):
    store = store_factory(sandbox, default_warehouse="RETAIL", include_package_contents=True)

    result = run(store, sandbox)

    assert result.passed
    # The built-in checks, then the one the fulfillment app adds (not set up here: skipped).
    assert [c.key for c in result.checks] == [*(step.key for step in STEPS), "push"]
    found = statuses(result)
    assert found.pop("push") == "skip" and set(found.values()) == {"pass"}, found
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


# --- Acumatica throttling or failing --------------------------------------------------------------


def test_an_answer_that_drips_forever_fails_its_check_at_the_deadline(
    sandbox, store_factory, monkeypatch
):
    from stores.connection_test import checks_site

    monkeypatch.setattr(checks_site, "CALL_DEADLINE", 1.0)
    sandbox.faults.add(kind="drip", match="GET */Shipment", delay=0.2)
    store = store_factory(sandbox)

    result = run(store, sandbox)

    failed = failing(result, "shipments")
    assert "answer was still arriving after 1 s" in failed.message
    assert "proxy" in failed.fix
    later = result.checks[[c.key for c in result.checks].index("shipments") + 1 :]
    assert {c.status for c in later} == {"skip"}


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
    # Push notifications reads only the connector's own records, so it still reports.
    assert later[-1].key == "push" and "Not set up" in later[-1].message
    assert all("sends no more requests" in c.message for c in later[:-1])


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

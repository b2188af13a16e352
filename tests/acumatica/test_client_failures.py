"""Failures the network, IIS and Acumatica produce, through the sandbox's fault injection and
configuration, over real HTTP. After each flow no Acumatica session may be left open."""

from __future__ import annotations

import socket

import pytest

from connector.acumatica import (
    AcumaticaClient,
    CircuitOpen,
    ConnectionSettings,
    CookieCredentials,
    EndpointNotInstalled,
    Forbidden,
    InProcessLimiter,
    InstanceLimits,
    RateLimited,
    RequestTimeout,
    ServerError,
    TLSError,
    TransportError,
    UnexpectedResponse,
)

from .conftest import cookie_credentials, open_sessions, requests_to

ORDERS = "GET */SalesOrder"


@pytest.fixture(params=["oauth", "cookie"])
def auth_kind(request) -> str:
    return request.param


def test_injected_500_is_a_retryable_server_error(sandbox, make_client, auth_kind):
    sandbox.faults.add(kind="error500", match=ORDERS, times=1)
    with make_client(sandbox, auth_kind) as client, pytest.raises(ServerError) as info:
        client.list("SalesOrder", top=1)
    error = info.value
    assert error.retryable
    assert error.status_code == 500
    assert error.exception_type == "PX.Data.PXInvalidOperationException"
    assert error.exception_message == "Operation failed"
    assert open_sessions(sandbox) == 0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_html_error_page_is_unexpected_response(sandbox, make_client, auth_kind, status):
    sandbox.faults.add(kind="html", match=ORDERS, status=status, times=1)
    with make_client(sandbox, auth_kind) as client, pytest.raises(UnexpectedResponse) as info:
        client.list("SalesOrder", top=1)
    assert info.value.status_code == status
    assert info.value.retryable
    assert "text/html" in str(info.value)
    assert open_sessions(sandbox) == 0


def test_dropped_connection_on_a_get(sandbox, make_client, auth_kind):
    sandbox.faults.add(kind="drop", match=ORDERS, times=1)
    with make_client(sandbox, auth_kind) as client, pytest.raises(TransportError) as info:
        client.list("SalesOrder", top=1)
    assert type(info.value) is TransportError
    assert info.value.retryable
    # A GET is harmless to repeat whatever happened.
    assert info.value.outcome_unknown is False
    assert requests_to(sandbox, "/SalesOrder") == 1  # not retried by the client
    assert client.stats.by_status[None] == 1  # counted, though no answer came
    assert open_sessions(sandbox) == 0


def test_dropped_put_is_not_repeated_and_flagged_unknown(sandbox, make_client, auth_kind):
    sandbox.faults.add(kind="drop", match="PUT */Shipment", times=1)
    with make_client(sandbox, auth_kind) as client, pytest.raises(TransportError) as info:
        client.put("Shipment", {"ShipmentNbr": "000001", "Hold": False})
    # The client cannot tell a drop before processing from one after: the caller must re-read.
    assert info.value.outcome_unknown is True
    assert requests_to(sandbox, "/Shipment", "PUT") == 1
    assert open_sessions(sandbox) == 0


def test_429_on_a_get_is_waited_out_once(sandbox, make_client, auth_kind):
    sandbox.faults.add(kind="error429", match=ORDERS, retry_after=1, times=1)
    sleeps: list[float] = []
    with make_client(sandbox, auth_kind, sleep=sleeps.append) as client:
        client.list("SalesOrder", top=1)
        assert client.stats.retries_after_429 == 1
    assert sleeps == [1.0]
    assert open_sessions(sandbox) == 0


def test_429_beyond_the_cap_raises_rate_limited(sandbox, make_client, auth_kind):
    sandbox.faults.add(kind="error429", match=ORDERS, retry_after=30)
    with make_client(sandbox, auth_kind) as client, pytest.raises(RateLimited) as info:
        client.list("SalesOrder", top=1)
    assert info.value.retry_after == 30.0
    assert info.value.retryable
    assert requests_to(sandbox, "/SalesOrder") == 1
    assert open_sessions(sandbox) == 0


def test_429_on_a_write_is_not_retried(sandbox, make_client):
    sandbox.faults.add(kind="error429", match="PUT */Shipment", retry_after=1, times=1)
    with make_client(sandbox, "cookie") as client, pytest.raises(RateLimited):
        client.put("Shipment", {"ShipmentNbr": "000001"})
    assert requests_to(sandbox, "/Shipment", "PUT") == 1
    assert open_sessions(sandbox) == 0


def test_request_limit_per_minute_from_the_licence(sandbox_factory, make_client):
    server = sandbox_factory(max_requests_per_minute=2)
    with make_client(server, "cookie") as client, pytest.raises(RateLimited) as info:
        for _ in range(3):
            client.list("SalesOrder", top=1)
    assert info.value.retry_after and info.value.retry_after > 10
    assert open_sessions(server) == 0


def test_read_timeout(sandbox, make_client, auth_kind):
    sandbox.faults.add(kind="slow", match=ORDERS, delay=1.0, times=1)
    client = make_client(sandbox, auth_kind, settings={"read_timeout": 0.2})
    with client, pytest.raises(RequestTimeout) as info:
        client.list("SalesOrder", top=1)
    assert info.value.retryable
    assert open_sessions(sandbox) == 0


def test_forbidden_names_the_entity(sandbox_factory, make_client, auth_kind):
    server = sandbox_factory(denied_entities=["Shipment"])
    with make_client(server, auth_kind) as client, pytest.raises(Forbidden) as info:
        client.list("Shipment", top=1)
    assert info.value.entity == "Shipment"
    assert info.value.status_code == 403
    assert "Shipment" in str(info.value)
    assert not info.value.retryable
    assert open_sessions(server) == 0


def test_endpoint_not_installed_names_installed_versions(sandbox, make_client, auth_kind):
    client = make_client(sandbox, auth_kind, settings={"endpoint_version": "25.200.001"})
    with client:
        with pytest.raises(EndpointNotInstalled) as info:
            client.list("SalesOrder", top=1)
        assert info.value.installed == [
            "Default/24.200.001",
            "Default/23.200.001",
            "Default/22.200.001",
        ]
        assert "Default/25.200.001" in str(info.value)
        assert "Default/24.200.001" in str(info.value)
        assert info.value.status_code == 404
        with pytest.raises(EndpointNotInstalled):
            client.check_endpoint()
    assert open_sessions(sandbox) == 0


def test_check_endpoint_and_build_version(sandbox, make_client):
    with make_client(sandbox, "cookie") as client:
        info = client.check_endpoint()
    assert info.build_version == sandbox.config.build_version
    assert info.has_endpoint("Default", "24.200.001")
    assert open_sessions(sandbox) == 0


def test_anonymous_discovery_sends_no_credentials(sandbox, make_client, recorder):
    with make_client(sandbox, "oauth") as client:
        info = client.discover(anonymous=True)
        assert not client.signed_in
    assert info.has_endpoint("Default", "24.200.001")
    assert [e.url.rsplit("/", 1)[-1] for e in recorder.exchanges] == ["entity"]
    assert "Authorization" not in recorder.exchanges[0].request_headers
    assert open_sessions(sandbox) == 0


def test_anonymous_discovery_of_a_wrong_site_path_is_not_acumatica(sandbox):
    client = AcumaticaClient(
        ConnectionSettings(sandbox.site_url + "/NotTheSite"), cookie_credentials(sandbox)
    )
    with client, pytest.raises(UnexpectedResponse) as info:
        client.discover(anonymous=True)
    assert info.value.status_code == 404
    assert "html" in info.value.message.lower()


def test_wrong_site_path_is_not_acumatica(sandbox):
    # IIS answers an unknown virtual directory with its HTML 404 page.
    client = AcumaticaClient(
        ConnectionSettings(sandbox.site_url + "/NotTheSite"),
        cookie_credentials(sandbox),
    )
    with client, pytest.raises(UnexpectedResponse) as info:
        client.sign_in()
    assert info.value.status_code == 404
    assert not info.value.retryable


def test_connection_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = AcumaticaClient(
        ConnectionSettings(f"http://127.0.0.1:{port}/AcumaticaERP", connect_timeout=2),
        CookieCredentials(username="u", password="p"),
        limiter=InProcessLimiter(InstanceLimits(failure_threshold=None)),
    )
    with client, pytest.raises(TransportError) as info:
        client.sign_in()
    assert type(info.value) is TransportError
    assert info.value.outcome_unknown is False
    assert "connect" in str(info.value).lower()


def test_tls_error_is_its_own_class(sandbox):
    # https:// to a plain-HTTP server fails in the TLS handshake.
    client = AcumaticaClient(
        ConnectionSettings(sandbox.base_url.replace("http://", "https://"), connect_timeout=2),
        cookie_credentials(sandbox),
        limiter=InProcessLimiter(InstanceLimits(failure_threshold=None)),
    )
    with client, pytest.raises(TLSError) as info:
        client.sign_in()
    assert isinstance(info.value, TransportError)
    assert not info.value.retryable
    assert open_sessions(sandbox) == 0


def test_breaker_opens_after_repeated_transient_failures(sandbox, make_client):
    limiter = InProcessLimiter(InstanceLimits(failure_threshold=3, cooldown=60))
    sandbox.faults.add(kind="error500", match=ORDERS)
    with make_client(sandbox, "cookie", limiter=limiter) as client:
        for _ in range(3):
            with pytest.raises(ServerError):
                client.list("SalesOrder", top=1)
        with pytest.raises(CircuitOpen) as info:
            client.list("SalesOrder", top=1)
        assert info.value.retryable
    assert requests_to(sandbox, "/SalesOrder") == 3
    # Sign-out bypasses the limiter, so even an open breaker cannot strand a session.
    assert open_sessions(sandbox) == 0


def test_permanent_500s_do_not_trip_the_breaker(sandbox, make_client):
    limiter = InProcessLimiter(InstanceLimits(failure_threshold=2, cooldown=60))
    with make_client(sandbox, "cookie", limiter=limiter) as client:
        for _ in range(3):
            with pytest.raises(Exception) as info:
                client.get("SalesOrder", "SO", "NOPE-404")
            assert not isinstance(info.value, CircuitOpen)
    assert open_sessions(sandbox) == 0

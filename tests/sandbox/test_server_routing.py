"""Routing, discovery, HTTP framing and the checks before an entity call (API.md §2, §6)."""

from __future__ import annotations

import http.client
import json
import socket
import threading

import pytest
import requests

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer
from tests.sandbox.transport_support import echo_entities, entity_url, login


@pytest.fixture
def echo(sandbox):
    return echo_entities(sandbox)


def test_discovery_lists_installed_endpoints_with_absolute_hrefs(sandbox_factory):
    sandbox = sandbox_factory(
        endpoint_versions=["24.200.001", "23.200.001"], build_version="24.211.0015"
    )

    reply = requests.get(f"{sandbox.base_url}/entity", timeout=5)

    assert reply.status_code == 200
    assert reply.json() == {
        "version": {"acumaticaBuildVersion": "24.211.0015", "databaseVersion": "24.211.0015"},
        "endpoints": [
            {
                "name": "Default",
                "version": version,
                "href": f"{sandbox.base_url}/entity/Default/{version}/",
            }
            for version in ("24.200.001", "23.200.001")
        ],
    }
    assert requests.get(f"{sandbox.base_url}/entity/", timeout=5).status_code == 200


def test_site_at_the_web_root(sandbox_factory):
    sandbox = sandbox_factory(site="")
    echo = echo_entities(sandbox)
    client = login(sandbox)

    reply = client.get(f"{sandbox.site_url}/entity/Default/24.200.001/SalesOrder", timeout=5)

    assert sandbox.base_url == sandbox.site_url
    assert reply.status_code == 200
    assert echo.requests[0].endpoint_path == "/entity/Default/24.200.001/"


def test_entity_request_carries_decoded_path_query_body_and_session(sandbox, echo):
    client = login(sandbox)

    reply = client.put(
        entity_url(sandbox, "SalesOrder", "SO", "000%20123"),
        params={"$expand": "Details", "$filter": "Status eq 'Open'"},
        json={"OrderType": {"value": "SO"}},
        headers={"If-None-Match": "*"},
        timeout=5,
    )

    assert reply.status_code == 200
    received = echo.requests[0]
    assert received.method == "PUT"
    assert received.endpoint_name == "Default"
    assert received.version == "24.200.001"
    assert received.path == ["SalesOrder", "SO", "000 123"]
    assert received.query == {"$expand": "Details", "$filter": "Status eq 'Open'"}
    assert received.body == {"OrderType": {"value": "SO"}}
    assert received.headers["if-none-match"] == "*"
    assert received.session_id == client.cookies["ASP.NET_SessionId"]
    assert received.endpoint_path == "/AcumaticaERP/entity/Default/24.200.001/"


def test_endpoint_not_installed_is_404_after_the_session_check(sandbox, echo):
    anonymous = requests.get(entity_url(sandbox, "SalesOrder", version="99.200.001"), timeout=5)
    client = login(sandbox)
    url = f"{sandbox.base_url}/entity/Custom/24.200.001/SalesOrder"

    reply = client.get(url, timeout=5)

    assert anonymous.status_code == 401
    assert reply.status_code == 404
    assert reply.json() == {
        "message": f"No HTTP resource was found that matches the request URI '{url}'."
    }
    assert echo.requests == []


def test_denied_entity_is_403_naming_the_entity(sandbox_factory):
    sandbox = sandbox_factory(denied_entities=["Shipment"])
    echo = echo_entities(sandbox)
    client = login(sandbox)

    denied = client.get(entity_url(sandbox, "shipment", "000123"), timeout=5)
    allowed = client.get(entity_url(sandbox, "SalesOrder"), timeout=5)

    assert denied.status_code == 403
    assert denied.json()["message"] == (
        "The user has insufficient rights to access the Acumatica ERP form that corresponds to "
        "the API entity."
    )
    assert "(shipment)" in denied.json()["exceptionMessage"]
    assert allowed.status_code == 200
    assert [r.path[0] for r in echo.requests] == ["SalesOrder"]


def test_malformed_json_body_is_400_invalid_data(sandbox, echo):
    client = login(sandbox)

    reply = client.put(
        entity_url(sandbox, "SalesOrder"),
        data=b'{"OrderType": ',
        headers={"Content-Type": "application/json"},
        timeout=5,
    )

    assert reply.status_code == 400
    assert reply.json() == {"message": "The data specified in the request is invalid."}
    assert echo.requests == []


def test_non_json_entity_body_is_415(sandbox, echo):
    client = login(sandbox)

    reply = client.put(
        entity_url(sandbox, "SalesOrder"),
        data=b"<SalesOrder/>",
        headers={"Content-Type": "text/xml"},
        timeout=5,
    )

    assert reply.status_code == 415


def test_unknown_paths(sandbox):
    outside = requests.get(f"{sandbox.site_url}/favicon.ico", timeout=5)
    under_site = requests.get(f"{sandbox.base_url}/Main.aspx", timeout=5)
    under_entity = requests.get(f"{sandbox.base_url}/entity/Default", timeout=5)

    assert outside.status_code == 404
    assert outside.headers["Content-Type"].startswith("text/html")
    assert "404 - File or directory not found." in outside.text
    assert under_site.status_code == 404
    assert under_site.headers["Content-Type"].startswith("text/html")
    assert under_entity.status_code == 404
    assert under_entity.json()["message"].startswith("No HTTP resource was found")


def test_swagger_is_anonymous_with_company_and_needs_a_session_without_it(sandbox_factory):
    sandbox = sandbox_factory(tenants=["Company", "Sandbox"])
    echo_entities(sandbox)
    url = f"{sandbox.base_url}/entity/Default/24.200.001/swagger.json"

    with_company = requests.get(url, params={"company": "Sandbox"}, timeout=5)
    unknown_company = requests.get(url, params={"company": "Nope"}, timeout=5)
    anonymous = requests.get(url, timeout=5)
    signed_in = login(sandbox).get(url, timeout=5)
    not_installed = requests.get(
        url.replace("24.200", "99.200"), params={"company": "Sandbox"}, timeout=5
    )

    assert with_company.status_code == 200
    assert with_company.json()["servers"] == [{"url": sandbox.base_url}]
    assert unknown_company.status_code == 500
    assert unknown_company.json()["exceptionType"] == "PX.Data.PXUndefinedCompanyException"
    assert anonymous.status_code == 401
    assert signed_in.status_code == 200
    assert not_installed.status_code == 404


def test_keep_alive_serves_several_requests_on_one_connection(sandbox):
    connection = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    replies, sockets = [], []
    for _ in range(3):
        connection.request("GET", f"{sandbox.config.site}/entity")
        reply = connection.getresponse()
        body = reply.read()
        replies.append((reply.status, int(reply.getheader("Content-Length")), len(body)))
        sockets.append(connection.sock)

    assert sockets[0] is sockets[1] is sockets[2]  # never reconnected
    assert all(status == 200 and length == size for status, length, size in replies)
    assert json.loads(body)["endpoints"]


def test_204_reply_has_no_body_and_keeps_the_connection(sandbox):
    connection = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    body = json.dumps({"name": "admin", "password": "sandbox-password"})
    connection.request(
        "POST",
        f"{sandbox.config.site}/entity/auth/login",
        body,
        {"Content-Type": "application/json"},
    )
    reply = connection.getresponse()
    assert reply.status == 204
    assert reply.read() == b""
    sock = connection.sock

    connection.request("GET", f"{sandbox.config.site}/entity")

    assert connection.getresponse().status == 200
    assert connection.sock is sock


def test_chunked_request_body_is_read(sandbox, echo):
    client = login(sandbox)

    def chunks():
        yield b'{"OrderType": '
        yield b'{"value": "SO"}}'

    reply = client.put(
        entity_url(sandbox, "SalesOrder"),
        data=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=5,
    )

    assert reply.status_code == 200
    assert echo.requests[0].body == {"OrderType": {"value": "SO"}}


def test_server_lifecycle_closes_the_socket():
    with SandboxServer(SandboxConfig()) as server:
        port = server.port
        assert server.base_url == f"http://127.0.0.1:{port}/AcumaticaERP"
        assert requests.get(f"{server.base_url}/entity", timeout=5).status_code == 200

    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_stop_ends_idle_keep_alive_connections():
    server = SandboxServer().start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/AcumaticaERP/entity")
    connection.getresponse().read()

    server.stop()

    connection.sock.settimeout(2)
    assert connection.sock.recv(1) == b""  # the server closed its end


def test_foreground_serving_stops_from_another_thread():
    server = SandboxServer()
    foreground = threading.Thread(target=server.serve_forever)
    foreground.start()
    assert requests.get(f"{server.base_url}/entity", timeout=5).status_code == 200

    server.stop()
    foreground.join(timeout=5)

    assert not foreground.is_alive()
    server.stop()  # stopping twice is harmless

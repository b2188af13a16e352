"""The environment's proxy settings still apply although the transport reads them once, when it
is made, instead of requests reading the whole environment again for every request."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connector.acumatica import ConnectionSettings
from connector.acumatica.transport import Transport


class _Proxy(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):
        type(self).seen.append(self.path)
        body = b'{"via": "proxy"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy():
    _Proxy.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Proxy.seen
    server.shutdown()
    server.server_close()


def test_requests_go_through_the_environments_proxy(proxy, monkeypatch):
    address, seen = proxy
    monkeypatch.setenv("HTTP_PROXY", address)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    transport = Transport(
        ConnectionSettings("http://erp.example.invalid/AcumaticaERP"), limiter=None
    )
    # Read once: a change afterwards does not reach this transport.
    monkeypatch.delenv("HTTP_PROXY")

    response = transport.send("GET", "http://erp.example.invalid/AcumaticaERP/entity")

    assert response.json() == {"via": "proxy"}
    assert seen == ["http://erp.example.invalid/AcumaticaERP/entity"]


def test_no_proxy_sends_the_instance_direct(proxy, sandbox, monkeypatch):
    address, seen = proxy
    monkeypatch.setenv("HTTP_PROXY", address)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    transport = Transport(ConnectionSettings(sandbox.base_url), limiter=None)

    response = transport.send("GET", f"{sandbox.base_url}/entity", seated=False)

    assert response.status_code == 200 and seen == []

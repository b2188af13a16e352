"""What the connection test's tests share: run it the way a person does and check what every run
must leave (no open session, no secret in the report, the result kept on the store), and sites
that are not Acumatica."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from stores.connection_test import Check, ConnectionTestResult
from stores.services import store_connection_test

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

"""A warehouse's webhook receiver on a loopback port, for the events benchmark and the tests:
a threading HTTP server that records every request (headers, body, when) and answers what its
``answer`` function says: a status, headers, and seconds to wait first (longer than the
connector's timeout: a timeout)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds to wait before answering.
    delay: float = 0.0


@dataclass
class Received:
    number: int
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    reply: Reply | None = None


Answer = Callable[[Received], Reply]


class WebhookReceiver:
    def __init__(self, answer: Answer | None = None) -> None:
        self.answer: Answer = answer or (lambda received: Reply())
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() it first"
        return f"http://127.0.0.1:{self._server.server_port}/hooks"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Answer in one segment: Nagle would hold the body until the headers are acked.
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    received = Received(
                        number=len(receiver.received) + 1,
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                        at=time.time(),
                    )
                    receiver.received.append(received)
                reply = receiver.answer(received)
                received.reply = reply
                if reply.delay:
                    time.sleep(reply.delay)
                text = b"ok" if reply.status < 300 else b"no"
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)
                except OSError:
                    pass  # the connector gave up waiting (a timeout) and closed the connection

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

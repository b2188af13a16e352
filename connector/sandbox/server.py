"""The sandbox's HTTP server: sockets, HTTP/1.1 framing and keep-alive, wiring of the parts.

``SandboxServer(config).start()`` serves on a background thread (tests); ``serve_forever()``
serves in the foreground (``manage.py acumatica_sandbox``). Requests under ``config.site`` go to
routing.SiteRouter; ``/_sandbox/...`` at the host root goes to control.ControlApi.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import socketserver
import threading
import traceback
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import iis
from .auth import Authenticator
from .clock import SandboxClock
from .config import SandboxConfig
from .control import CONTROL_PREFIX, ControlApi
from .faults import FaultInjector
from .http import Reply, http_error
from .incoming import IncomingRequest
from .limits import RequestLimiter
from .oauth import OAuthServer
from .oauth_authorize import AuthorizationEndpoint
from .push import PushNotifier
from .request_log import RequestLog
from .routing import SiteRouter
from .sessions import SessionRegistry

logger = logging.getLogger(__name__)

_BODY_METHODS = ("POST", "PUT", "PATCH")


class SandboxServer:
    """A running Acumatica simulator. Attributes tests may inspect or steer: ``config`` (changes
    to run-time settings take effect on the next request), ``clock``, ``sessions``, ``oauth``,
    ``faults``, ``limits``, ``request_log``, ``data`` and ``entities`` (None until the entities
    layer is installed)."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        clock: SandboxClock | Callable[[], float] | None = None,
    ):
        self.config = config or SandboxConfig()
        if isinstance(clock, SandboxClock):
            self.clock = clock
        else:
            self.clock = SandboxClock(clock) if clock is not None else SandboxClock()
        self.request_log = RequestLog(self.config.request_log_size)
        self.faults = FaultInjector(seed=self.config.seed)
        self.limits = RequestLimiter(self.config, self.clock)
        self.data, self.entities = _entity_layer(self.config, self.clock)
        # Push notifications to the destinations set through /_sandbox/push (push.py).
        self.push = PushNotifier(self.data) if self.data is not None else None
        self.sessions = SessionRegistry(self.config, self.clock, on_close=self._session_closed)
        self.authorize = AuthorizationEndpoint(self.config, self.clock)
        self.oauth = OAuthServer(self.config, self.clock, self.sessions, self.authorize)
        self.auth = Authenticator(self.config, self.sessions, self.oauth)
        self.router = SiteRouter(self)
        self.control = ControlApi(self)
        # Bound now so .port and .base_url are known before start().
        self._httpd = _HttpServer((self.config.host, self.config.port), self)
        self._thread: threading.Thread | None = None
        self._serving_here = False
        self._closed = False

    # ------------------------------------------------------------------ addresses
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def site_url(self) -> str:
        # A wildcard bind is reachable on loopback; URLs need a concrete address.
        wildcard = self.config.host in ("", "0.0.0.0")  # noqa: S104
        host = "127.0.0.1" if wildcard else self.config.host
        return f"http://{host}:{self.port}"

    @property
    def site_path(self) -> str:
        """The virtual directory, e.g. ``/AcumaticaERP``, or ``""`` at the web root."""
        parts = [p for p in self.config.site.split("/") if p]
        return "/" + "/".join(parts) if parts else ""

    @property
    def base_url(self) -> str:
        """The instance URL clients are configured with (no trailing slash)."""
        return self.site_url + self.site_path

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SandboxServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.01},  # stop() waits up to one interval
                name=f"acumatica-sandbox:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until stop() (from another thread) or KeyboardInterrupt."""
        self._serving_here = True
        try:
            self._httpd.serve_forever(poll_interval=0.1)
        finally:
            self._serving_here = False
            self._close()

    def stop(self) -> None:
        # shutdown() blocks until a serve_forever loop notices, so only ask a running one.
        if self._thread is not None or self._serving_here:
            self._httpd.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.push is not None:
            self.push.stop()
        self._close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<SandboxServer {self.base_url}>"

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._httpd.close_connections()
            self._httpd.server_close()

    def _session_closed(self, session_id: str) -> None:
        forget = getattr(self.entities, "session_closed", None)
        if forget is not None:
            forget(session_id)


def _entity_layer(config: SandboxConfig, clock: SandboxClock) -> tuple[Any, Any]:
    """SandboxData and EntityApi, or (None, None) while those modules are not installed."""
    try:
        from .entity_api import EntityApi
        from .seed import seeded_data
    except ModuleNotFoundError as missing:
        if missing.name in (f"{__package__}.seed", f"{__package__}.entity_api"):
            return None, None
        raise
    # Sandbox time drives record timestamps too, so advancing the clock ages everything alike.
    data = seeded_data(config, clock=clock.now)
    return data, EntityApi(data, config)


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    # Bursts of parallel clients (limit tests) must queue in the kernel, not be refused.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer):
        self.sandbox = sandbox
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall on a bad resolver.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        """End idle keep-alive connections so their threads and sockets do not outlive stop()."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/10.0"
    # IIS closes idle keep-alive connections after 120 s (connectionTimeout).
    timeout = 120
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in separate writes; without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive reply.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        url = urlsplit(self.path)
        segments = [unquote(s) for s in url.path.split("/") if s]
        is_control = bool(segments) and segments[0] == CONTROL_PREFIX
        # The control endpoint is ours, not IIS's: it accepts a bodiless POST without a length.
        body = self._read_body(require_length=not is_control)
        if body is None:
            return
        request = IncomingRequest(
            method=self.command,
            path=url.path,
            segments=segments,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers=self._header_map(),
            body=body,
        )
        try:
            if is_control:
                reply = sandbox.control.handle(request)
            else:
                reply = sandbox.router.handle(request)
        except Exception as error:
            logger.exception("sandbox failed on %s %s", self.command, self.path)
            reply = http_error(
                500,
                f"The sandbox failed: {error}",
                "System.InvalidOperationException",
                stack_trace=traceback.format_exc(),
            )
        if reply is None:
            self._drop()
        else:
            self._write(reply)

    def _header_map(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name in {n.lower() for n in self.headers}:
            separator = "; " if name == "cookie" else ", "
            headers[name] = separator.join(self.headers.get_all(name) or [])
        return headers

    def _read_body(self, *, require_length: bool) -> bytes | None:
        """The request body; None when the request was already answered (411 or 400)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            if require_length and self.command in _BODY_METHODS:
                # IIS refuses a POST/PUT/PATCH with neither Content-Length nor chunked encoding
                # (API.md §1.2: a bodiless sign-out must send Content-Length: 0).
                self.close_connection = True
                self._write(iis.error_page(411))
                return None
            return b""
        try:
            size = int(length)
            if size < 0:
                raise ValueError(length)
        except ValueError:
            self.close_connection = True
            self._write(iis.error_page(400))
            return None
        return self.rfile.read(size)

    def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _write(self, reply: Reply) -> None:
        if isinstance(reply.body, Iterator):
            self._stream(reply)
            return
        payload = _encode(reply.body)
        has_body = reply.status >= 200 and reply.status not in (204, 304)
        try:
            self.send_response(reply.status)
            self.send_header("X-Powered-By", "ASP.NET")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            for cookie in reply.cookies:
                self.send_header("Set-Cookie", cookie)
            if has_body:
                if payload:
                    self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(payload)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if has_body and payload and self.command != "HEAD":
                self.wfile.write(payload)
            self.wfile.flush()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _stream(self, reply: Reply) -> None:
        """A body of unknown length, written as it comes and ended by closing the connection
        (the ``drip`` fault); stops when the client goes away."""
        self.close_connection = True
        try:
            self.send_response(reply.status)
            self.send_header("X-Powered-By", "ASP.NET")
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Connection", "close")
            self.end_headers()
            for chunk in reply.body:
                self.wfile.write(chunk)
                self.wfile.flush()
        except (ConnectionError, TimeoutError, OSError):
            pass

    def _drop(self) -> None:
        """Close the connection without a byte of reply: the client sees the connection end."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _encode(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, ensure_ascii=False).encode("utf-8")

"""The one place that sends HTTP to Acumatica.

Every request, sign-in included, goes through :meth:`Transport.send`, which applies the timeouts,
the limiter, the request counter and the recorder, and turns ``requests`` exceptions into
:class:`TransportError` subclasses. It never retries: what to do with a failure is decided
above it (the client re-authenticates once on 401; everything else goes to the caller).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from typing import Any

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from .classify import classify, parse_retry_after
from .config import ConnectionSettings
from .errors import (
    AcumaticaError,
    AnswerTooLarge,
    AnswerTooSlow,
    RequestTimeout,
    TLSError,
    TransportError,
)
from .limiter import Limiter, Outcome
from .odata import encode_query
from .recording import Exchange, Recorder, redact_body, redact_headers
from .seats import Seat

logger = logging.getLogger("connector.acumatica")


@dataclass
class RequestStats:
    """What a client sent. ``requests`` counts every HTTP request that left (or tried to leave)
    this process, sign-in and sign-out included: the figure an import run records as
    "Acumatica requests made". Like the client, meant for one thread."""

    requests: int = 0
    token_requests: int = 0
    logins: int = 0
    logouts: int = 0
    reauthentications: int = 0
    retries_after_429: int = 0
    # Status code → count; None counts requests that got no answer (transport errors).
    by_status: dict[int | None, int] = field(default_factory=dict)

    def count(self, status: int | None) -> None:
        self.requests += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Transport:
    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        limiter: Limiter | None,
        recorder: Recorder | None = None,
        session: requests.Session | None = None,
        seat: Seat | None = None,
    ) -> None:
        self.settings = settings
        self.limiter = limiter
        self.seat = seat
        self.recorder = recorder
        if session is None:
            session = requests.Session()
            # One HTTP request per call, always: urllib3's own retries would repeat writes.
            adapter = HTTPAdapter(max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        else:
            # A caller's session keeps its adapters (e.g. one that vets every address it
            # connects to), but never its retries.
            for adapter in session.adapters.values():
                if isinstance(adapter, HTTPAdapter):
                    adapter.max_retries = Retry(0, read=False)
        self.session = session
        self.session.headers["User-Agent"] = settings.user_agent
        self.session.headers["Accept"] = "application/json"
        self.session.verify = settings.verify_tls
        # The environment's proxies and CA bundle, read once: with trust_env on, requests reads
        # the whole environment again for every request (a few per cent of a worker's CPU).
        # Every request goes to this one instance, so its no_proxy answer holds for all.
        environment = self.session.merge_environment_settings(
            settings.instance_url, {}, None, self.session.verify, None
        )
        self.session.trust_env = False
        self.session.proxies.update(environment["proxies"])
        self.session.verify = environment["verify"]
        self.stats = RequestStats()

    def close(self) -> None:
        """Release the connections, and let a recorder that batches save what it holds."""
        self.session.close()
        flush = getattr(self.recorder, "flush", None)
        if flush is not None:
            try:
                flush()
            except Exception:
                logger.exception("Acumatica request recorder failed")

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        limited: bool = True,
        seated: bool = True,
    ) -> requests.Response:
        """Send one request and return whatever status came back.

        ``limited=False`` skips the limiter; only sign-out uses it, because Acumatica processes
        sign-out outside its request queue and a session must be released even while the
        instance is throttled or the breaker is open. Every other request first holds the
        client's licence seat, when it has one (waiting for it the first time); ``seated=False``
        is for a request sent without signing in (anonymous discovery), which opens no session.
        """
        if params:
            url = f"{url}?{encode_query(params)}"
        if limited and seated and self.seat is not None:
            self.seat.hold()
        key = self.settings.instance_key
        slot = self.limiter.acquire(key) if (limited and self.limiter) else nullcontext()
        started = time.monotonic()
        with slot:
            response = None
            # The deadline counts from here: a wait for the limiter's slot is not the answer's.
            sent_at = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    json=json,
                    data=data,
                    headers=dict(headers or {}),
                    timeout=self.settings.timeout,
                    allow_redirects=False,
                    stream=True,
                )
                _read_answer(response, self.settings, sent_at, method=method, url=url)
            except (requests.RequestException, AcumaticaError) as exc:
                error = (
                    exc
                    if isinstance(exc, AcumaticaError)
                    else _transport_error(exc, method=method, url=url)
                )
                self.stats.count(getattr(error, "status_code", None))
                self._report(Outcome.FAILURE)
                sent = response.request if response is not None else getattr(exc, "request", None)
                self._record(sent, None, started, error)
                logger.warning("Acumatica %s %s failed: %s", method, url, error.message)
                raise error from None
        self.stats.count(response.status_code)
        self._report(*_outcome(response))
        self._record(response.request, response, started, None)
        logger.debug(
            "Acumatica %s %s -> %s in %.3fs",
            method,
            url,
            response.status_code,
            time.monotonic() - started,
        )
        return response

    def _report(self, outcome: Outcome, retry_after: float | None = None) -> None:
        if self.limiter:
            self.limiter.report(self.settings.instance_key, outcome, retry_after=retry_after)

    def _record(
        self,
        request: requests.PreparedRequest | None,
        response: requests.Response | None,
        started: float,
        error: AcumaticaError | None,
    ) -> None:
        if not self.recorder or request is None:
            return
        request_type = request.headers.get("Content-Type", "")
        response_type = response.headers.get("Content-Type", "") if response is not None else ""
        exchange = Exchange(
            method=request.method or "",
            url=request.url or "",
            request_headers=redact_headers(request.headers),
            request_body=redact_body(request.body, request_type),
            status=response.status_code if response is not None else None,
            response_headers=redact_headers(response.headers) if response is not None else {},
            response_body=(
                redact_body(response.content, response_type) if response is not None else None
            ),
            duration=time.monotonic() - started,
            error=str(error) if error else None,
        )
        try:
            self.recorder.record(exchange)
        except Exception:
            # A broken recorder must not turn a successful Acumatica call into a failure.
            logger.exception("Acumatica request recorder failed")


# Read what has arrived, up to this much at a time: one read per packet, so the deadline is
# looked at between them.
_CHUNK = 64 * 1024


def _read_answer(
    response: requests.Response,
    settings: ConnectionSettings,
    sent_at: float,
    *,
    method: str,
    url: str,
) -> None:
    """Read the body of a streamed ``response`` into it, within the settings' deadline (counted
    from ``sent_at``) and size cap; raise AnswerTooSlow or AnswerTooLarge (the connection
    dropped) otherwise."""
    deadline = sent_at + settings.deadline
    cap = settings.max_answer_bytes
    declared = response.headers.get("Content-Length", "")
    chunks: list[bytes] = []
    size = 0
    try:
        if declared.isdigit() and int(declared) > cap:
            raise _too_large(response, cap, method=method, url=url)
        while True:
            if time.monotonic() > deadline:
                raise AnswerTooSlow(
                    f"Acumatica's answer was still arriving after {settings.deadline:g}s; "
                    "gave up waiting for the rest",
                    outcome_unknown=method.upper() != "GET",
                    method=method,
                    url=url,
                )
            chunk = response.raw.read1(_CHUNK, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > cap:
                raise _too_large(response, cap, method=method, url=url)
            chunks.append(chunk)
    except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
        response.close()
        raise requests.exceptions.ReadTimeout(exc, request=response.request) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        response.close()
        raise requests.exceptions.ConnectionError(exc, request=response.request) from None
    except AcumaticaError:
        response.close()
        raise
    response._content = b"".join(chunks)
    response._content_consumed = True
    response.raw.release_conn()


def _too_large(response: requests.Response, cap: int, *, method: str, url: str) -> AnswerTooLarge:
    return AnswerTooLarge(
        f"Acumatica's answer was larger than {cap // (1024 * 1024)} MiB; it was not read",
        status_code=response.status_code,
        method=method,
        url=url,
    )


def _outcome(response: requests.Response) -> tuple[Outcome, float | None]:
    status = response.status_code
    if status == 429:
        return Outcome.RATE_LIMITED, parse_retry_after(response.headers.get("Retry-After"))
    if status < 500:
        return Outcome.OK, None
    # Many 500s are permanent answers from a healthy instance (bad password, missing record):
    # only transient ones should trip the breaker.
    error = classify(status_code=status, content=response.content, headers=response.headers)
    return (Outcome.FAILURE if error.retryable else Outcome.OK), None


def _transport_error(exc: requests.RequestException, *, method: str, url: str) -> TransportError:
    common: dict[str, Any] = {"method": method, "url": url}
    if isinstance(exc, requests.exceptions.SSLError):
        return TLSError(f"TLS/SSL error talking to Acumatica: {_reason(exc)}", **common)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return RequestTimeout("Timed out connecting to Acumatica", **common)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return RequestTimeout(
            "Acumatica did not answer in time; the request may still have been applied",
            outcome_unknown=method.upper() != "GET",
            **common,
        )
    if isinstance(exc, requests.exceptions.ConnectionError) and _never_sent(exc):
        return TransportError(f"Could not connect to Acumatica: {_reason(exc)}", **common)
    return TransportError(
        f"Connection to Acumatica lost before its answer arrived: {_reason(exc)}",
        outcome_unknown=method.upper() != "GET",
        **common,
    )


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the failure happened while connecting (DNS, refused), so nothing reached the
    server and even a write can be sent again safely."""
    reason: Any = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(
        reason,
        urllib3.exceptions.NewConnectionError
        | urllib3.exceptions.NameResolutionError
        | urllib3.exceptions.ConnectTimeoutError,
    )


def _reason(exc: BaseException) -> str:
    reason: Any = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)
    text = str(reason)
    # urllib3 prefixes messages with the object repr ("<urllib3.connection...>: Failed ...").
    if text.startswith("<") and ">: " in text:
        text = text.split(">: ", 1)[1]
    return text[:200]

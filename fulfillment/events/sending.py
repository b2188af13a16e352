"""One POST to a subscriber and what its answer means. Talks HTTP through the SSRF-guarded
session (every connection's address is checked as it opens); never follows a redirect; reads
at most the start of the answer. Turns every way it can end into one ``Answer``."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests

from stores.url_safety import guarded_session

USER_AGENT = "acumatica-3pl-connector-webhooks/1"
EXCERPT_BYTES = 300
ERROR_MAX = 500

DELIVERED = "delivered"
RETRY = "retry"
FAILED = "failed"

_local = threading.local()


@dataclass(frozen=True)
class Answer:
    outcome: str  # DELIVERED, RETRY or FAILED
    status_code: int | None = None
    duration_ms: int = 0
    error: str = ""
    excerpt: str = ""
    # Seconds a 429 asked us to wait.
    retry_after: float | None = None


def _session() -> requests.Session:
    # One per thread: keeps connections to a receiver open between deliveries.
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = guarded_session()
    return session


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After in seconds (HTTP dates are not sent by the receivers we know of: ignored)."""
    try:
        seconds = float((value or "").strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def outcome_for_status(code: int) -> str:
    """2xx delivered; 429 and 5xx retried; anything else (4xx, 3xx: redirects are not
    followed) failed at once: sending it again would get the same answer."""
    if 200 <= code < 300:
        return DELIVERED
    if code == 429 or code >= 500:
        return RETRY
    return FAILED


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        response = _session().post(
            url,
            data=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
            timeout=(timeout, timeout),
            allow_redirects=False,
            stream=True,
        )
        try:
            excerpt = response.raw.read(EXCERPT_BYTES, decode_content=True) or b""
        except Exception:  # the status line is what counts; the excerpt is a courtesy
            excerpt = b""
        finally:
            response.close()
    except requests.Timeout:
        return Answer(RETRY, duration_ms=took(), error=f"No answer within {timeout:g} s.")
    except requests.ConnectionError as exc:
        text = str(exc)
        if "not a public address" in text:
            return Answer(
                FAILED,
                duration_ms=took(),
                error="Refused: the address resolves to a private or loopback address.",
            )
        return Answer(RETRY, duration_ms=took(), error=f"Connection failed: {text}"[:ERROR_MAX])
    except requests.RequestException as exc:
        return Answer(FAILED, duration_ms=took(), error=f"Could not send: {exc}"[:ERROR_MAX])
    code = response.status_code
    outcome = outcome_for_status(code)
    error = ""
    if outcome != DELIVERED:
        error = f"HTTP {code} {response.reason or ''}".strip()
        if 300 <= code < 400:
            error += " (redirects are not followed: give the final address)"
    return Answer(
        outcome,
        status_code=code,
        duration_ms=took(),
        error=error[:ERROR_MAX],
        excerpt=excerpt.decode("utf-8", "replace")[:EXCERPT_BYTES],
        retry_after=retry_after_seconds(response.headers.get("Retry-After"))
        if code == 429
        else None,
    )

"""How an attempt ended, as an intent (OCA queue_job style): done, retry later, failed for good,
or held until a person acts — and which Acumatica error means which.

* Transient (no answer, timeouts, 429, 5xx, a long-running action whose end was not seen, the
  licence's login limit) → retry after a back-off; a write whose answer was lost also blocks
  the fulfillment until it can no longer be running (see :mod:`.outbox`).
* 422 → failed at once with Acumatica's field messages; other 4xx (400, 412, 404) → failed: the
  same request would be refused again.
* Refused credentials or rights, an endpoint that is not installed, an Instance URL that is not
  allowed → the store needs attention and the fulfillment is held until the store is active again.
* A 500 with the same message several attempts in a row is a refusal (Acumatica answers
  business rules such as "cannot be confirmed" with 500 PXException) → failed with the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from connector.acumatica import (
    ActionFailed,
    AcumaticaError,
    AuthenticationError,
    CircuitOpen,
    EndpointNotInstalled,
    Forbidden,
    LoginLimitReached,
    RateLimited,
    ServerError,
    SetupNotEntered,
    Throttled,
    ValidationFailed,
)
from connector.acumatica.seats import seat_retry_after

SUCCEEDED = "succeeded"
RETRY = "retry"
FAILED = "failed"
HELD = "held"
LEASE_LOST = "lease_lost"
# Starts the message of an attempt the limiter kept from being sent; such attempts do not count
# toward the retry limit (Acumatica never saw them).
HELD_BACK = "Not sent (calls to this Acumatica instance are paused): "

# 500s that say "not now" rather than "no": never counted as a refusal.
_TRANSIENT_500 = re.compile(
    r"previous operation has not been completed|another process has updated|deadlock|"
    r"timeout expired|try again later",
    re.I,
)
# Texts that name no rule (PXInvalidOperationException's default): retried up to the limit.
_GENERIC_500 = frozenset({"operation failed", "an error has occurred"})


@dataclass
class Outcome:
    kind: str
    message: str = ""
    fields: list[dict[str, str]] = field(default_factory=list)
    retry_after: float | None = None
    # A write's answer was lost: it is looked for at once, and nothing new is written for this
    # fulfillment until it cannot be running.
    lost_write: bool = False
    # Not found, and that lost write may still be running: retry once it cannot be.
    writes_blocked: bool = False
    # Refused credentials/rights: the store is marked "needs attention" with this reason.
    needs_attention: str = ""
    # A 500 that may be a business refusal: repeated, it fails the fulfillment.
    refusal: bool = False
    # Nothing was sent: this process's limiter held the call back (breaker open, throttled).
    held_back: bool = False

    @classmethod
    def done(cls) -> Outcome:
        return cls(SUCCEEDED)

    @classmethod
    def failed(cls, message: str, fields: list[dict[str, str]] | None = None) -> Outcome:
        return cls(FAILED, message, fields=fields or [])

    @classmethod
    def held(cls, message: str, *, needs_attention: str = "") -> Outcome:
        return cls(HELD, message, needs_attention=needs_attention)

    @classmethod
    def retry(cls, message: str, **extra: Any) -> Outcome:
        return cls(RETRY, message, **extra)


def describe(exc: AcumaticaError) -> str:
    """Stable text (no URL), so that the same refusal reads the same on every attempt."""
    status = f" (HTTP {exc.status_code})" if exc.status_code else ""
    return f"{exc.message}{status}"


def outcome_for_error(exc: AcumaticaError) -> Outcome:
    text = describe(exc)
    if isinstance(exc, ValidationFailed):
        fields = [{"path": e.path, "message": e.message} for e in exc.field_errors]
        return Outcome.failed(f"Acumatica refused the Shipment: {exc.message}", fields)
    if isinstance(exc, Forbidden | EndpointNotInstalled | SetupNotEntered) or (
        isinstance(exc, AuthenticationError) and not exc.retryable
    ):
        reason = f"Acumatica refused the store's write-back: {exc.message}"
        return Outcome.held(
            f"{reason}. The write-back resumes when the store is active again.",
            needs_attention=reason,
        )
    if isinstance(exc, LoginLimitReached):
        # Nothing was written (no session): tried again within seconds, when a seat is back.
        return Outcome.retry(
            f"{HELD_BACK}{exc.message}",
            retry_after=getattr(exc, "retry_after", None) or seat_retry_after(),
            held_back=True,
        )
    if isinstance(exc, Throttled | CircuitOpen):
        return Outcome.retry(
            f"{HELD_BACK}{exc.message}", retry_after=exc.retry_after, held_back=True
        )
    if isinstance(exc, RateLimited):
        return Outcome.retry(text, retry_after=exc.retry_after)
    if isinstance(exc, ServerError) and exc.retryable:
        said = (exc.exception_message or "").strip().rstrip(".")
        refusal = (
            bool(said) and said.lower() not in _GENERIC_500 and not _TRANSIENT_500.search(said)
        )
        return Outcome.retry(text, refusal=refusal)
    if isinstance(exc, ActionFailed):
        return Outcome.failed(f"Acumatica could not confirm the Shipment: {exc.message}")
    if exc.retryable:  # no answer, timeouts, an action whose end was not seen, login limit
        return Outcome.retry(text)
    return Outcome.failed(f"Acumatica refused the write-back: {text}")

"""Every way a call to Acumatica can fail, as one small typed tree (API.md §1, §6).

Callers branch on the class for *what* happened and on ``retryable`` for *what to do*:
``True`` = the same request may succeed later (back off and retry), ``False`` = it will fail the
same way until someone changes data, credentials or configuration. Acumatica answers many
permanent failures with HTTP 500 (bad password, missing record, missing setup), so the status
code alone never decides.

Messages are short, meant for an operator, and never contain secrets: they are built from the
status, Acumatica's ``exceptionType``/``exceptionMessage`` and the entity, never from request
bodies or headers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .values import FieldError


class AcumaticaError(Exception):
    """Base of every error the client raises."""

    retryable: bool = False
    summary: str = "Acumatica request failed"

    def __init__(
        self,
        message: str | None = None,
        *,
        status_code: int | None = None,
        exception_type: str | None = None,
        exception_message: str | None = None,
        method: str | None = None,
        url: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        self.message = message or self.summary
        self.status_code = status_code
        self.exception_type = exception_type
        self.exception_message = exception_message
        self.method = method
        self.url = url
        if retryable is not None:
            self.retryable = retryable
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method and self.url else ""
        status = f"HTTP {self.status_code}: " if self.status_code else ""
        return f"{status}{self.message}{where}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r})"


# --- sign-in ---------------------------------------------------------------------------------


class AuthenticationError(AcumaticaError):
    summary = "Signing in to Acumatica failed"


class InvalidCredentials(AuthenticationError):
    summary = "Acumatica rejected the username or password"


class AccountLocked(AuthenticationError):
    summary = "The Acumatica user is locked out or disabled"


class PasswordChangeRequired(AuthenticationError):
    summary = (
        "Acumatica requires the integration user to change its password: sign in once in a "
        "browser and set a new one"
    )


class UnknownTenant(AuthenticationError):
    summary = "The tenant is not known to this Acumatica instance"


class LoginLimitReached(AuthenticationError):
    """Every API user seat of the licence is taken ("API Login Limit"). Seats free up when other
    sessions sign out or time out (10 minutes), so this is worth retrying later."""

    retryable = True
    summary = "Acumatica's API login limit is reached: every licensed API session is in use"


class OAuthError(AuthenticationError):
    """The token endpoint answered with an RFC 6749 error code."""

    summary = "Acumatica's token endpoint refused the request"

    def __init__(
        self, message: str | None = None, *, error: str = "", description: str = "", **kwargs: Any
    ) -> None:
        self.error = error
        self.description = description
        super().__init__(message, **kwargs)


class InvalidClient(OAuthError):
    summary = (
        "Acumatica does not know this client: check the Client ID (<GUID>@<Tenant>) and the "
        "shared secret of the connected application"
    )


class InvalidGrant(OAuthError, InvalidCredentials):
    """``invalid_grant``: wrong username/password on the password grant, or an expired, revoked or
    already-rotated refresh token on the refresh grant."""

    summary = "Acumatica rejected the grant: wrong username/password or an expired refresh token"


class UnsupportedGrantType(OAuthError):
    summary = "Acumatica does not support this OAuth grant type"


class InvalidScope(OAuthError):
    summary = "The connected application is not allowed the requested OAuth scope"


class NotLoggedIn(AuthenticationError):
    """HTTP 401 on a data call, raised after the one automatic re-authentication failed too."""

    summary = "Acumatica says the user is not logged in"


Unauthorized = NotLoggedIn


# --- the request itself ----------------------------------------------------------------------


class Forbidden(AcumaticaError):
    summary = "The integration user's role has no access to this entity"

    def __init__(
        self, message: str | None = None, *, entity: str | None = None, **kwargs: Any
    ) -> None:
        self.entity = entity
        if message is None and entity:
            message = (
                f"The integration user's role has no access to {entity} "
                f"(grant access to its form in Acumatica)"
            )
        super().__init__(message, **kwargs)


class EndpointNotInstalled(AcumaticaError):
    """The configured endpoint name/version is not on the instance; ``installed`` lists what is,
    as ``"Name/Version"`` strings, from ``GET /entity``."""

    summary = "The web service endpoint is not installed on this Acumatica instance"

    def __init__(self, *, endpoint: str, installed: Iterable[str], **kwargs: Any) -> None:
        self.endpoint = endpoint
        self.installed = list(installed)
        choices = ", ".join(self.installed) or "none"
        super().__init__(
            f"Endpoint {endpoint} is not installed on this Acumatica instance; "
            f"installed: {choices}",
            **kwargs,
        )


class NotFound(AcumaticaError):
    """No record matches the keys (a 500 NoEntitySatisfiesTheConditionException), or 404."""

    summary = "No Acumatica record matches"


class BadRequest(AcumaticaError):
    summary = "Acumatica says the data in the request is invalid"


class ValidationFailed(AcumaticaError):
    """422: Acumatica refused the record; ``field_errors`` has one entry per ``error`` it set,
    e.g. ``FieldError("Packages[0].BoxID", "'Box ID' cannot be found in the system.")``."""

    summary = "Acumatica refused the record"

    def __init__(
        self,
        message: str | None = None,
        *,
        field_errors: Iterable[FieldError] = (),
        body: Any = None,
        **kwargs: Any,
    ) -> None:
        self.field_errors = list(field_errors)
        self.body = body
        if message is None:
            specific = [e for e in self.field_errors if e.path] or self.field_errors
            message = "; ".join(str(e) for e in specific) or self.summary
        super().__init__(message, **kwargs)


class PreconditionFailed(AcumaticaError):
    """412: ``If-None-Match: *`` and the record exists, or ``If-Match: *`` and it does not."""

    summary = "The record's existence did not match If-Match/If-None-Match"


class RateLimited(AcumaticaError):
    """429, or the local limiter could not get a slot in time. ``retry_after`` is in seconds
    (None when the server gave no hint)."""

    retryable = True
    summary = "Acumatica is throttling requests (licence request limit)"

    def __init__(
        self, message: str | None = None, *, retry_after: float | None = None, **kwargs: Any
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class Throttled(RateLimited):
    """Raised by the local limiter before anything was sent: no slot within its wait budget."""

    summary = "Too many requests queued for this Acumatica instance in this process"


class CircuitOpen(AcumaticaError):
    """The instance failed repeatedly; calls are held back until ``retry_after`` seconds pass."""

    retryable = True
    summary = "Acumatica instance is failing repeatedly; calls are paused"

    def __init__(
        self, message: str | None = None, *, retry_after: float | None = None, **kwargs: Any
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(AcumaticaError):
    """A 5xx that may pass (overload, deadlock, restart). Permanent 5xx have their own classes."""

    retryable = True
    summary = "Acumatica had an internal error"


class SetupNotEntered(ServerError):
    """500 PXSetupNotEnteredException: a preferences form was never filled in on the instance."""

    retryable = False
    summary = "Acumatica is missing required configuration"


class OptimizationFailed(ServerError):
    """500 "Optimization cannot be performed" / CannotOptimizeException: the list query names a
    field or entity that cannot be fetched in bulk; drop it from $expand/$select."""

    retryable = False
    summary = "Acumatica cannot run this list query"


class UnexpectedResponse(AcumaticaError):
    """Not what an Acumatica API sends: HTML (an IIS error page, a login page, a site that isn't
    Acumatica), a redirect, or JSON of the wrong shape."""

    summary = "The server's answer is not an Acumatica API response"


class AnswerTooLarge(UnexpectedResponse):
    """The answer ran past the size the client reads (``max_answer_bytes``); the rest was not
    read. A page of records this large calls for a smaller page size."""

    summary = "Acumatica's answer was larger than the connector reads"


class TransportError(AcumaticaError):
    """No HTTP answer: refused, reset, DNS, timeout. ``outcome_unknown`` is True when the request
    may have reached Acumatica (the reply was lost): re-read before repeating a write."""

    retryable = True
    summary = "Could not reach Acumatica"

    def __init__(
        self, message: str | None = None, *, outcome_unknown: bool = False, **kwargs: Any
    ) -> None:
        self.outcome_unknown = outcome_unknown
        super().__init__(message, **kwargs)


class TLSError(TransportError):
    """Certificate or TLS handshake failure. Retrying will not help until the certificate (or the
    URL's scheme/host) is fixed."""

    retryable = False
    summary = "TLS/SSL error talking to Acumatica (certificate or handshake)"


class RequestTimeout(TransportError):
    summary = "Acumatica did not answer in time"


class AnswerTooSlow(RequestTimeout):
    """The answer started but was still arriving at the call's deadline (a byte now and then
    never trips the read timeout): the rest was not waited for."""

    summary = "Acumatica's answer did not finish arriving in time"


class ActionFailed(AcumaticaError):
    """The long-running operation ran and failed: its status URL answered with an error (e.g.
    "cannot be confirmed because no quantity is shipped"). Re-running it fails the same way
    until the record changes."""

    summary = "Acumatica action failed"

    def __init__(self, message: str | None = None, *, action: str = "", **kwargs: Any) -> None:
        self.action = action
        super().__init__(message, **kwargs)


class ActionOutcomeUnknown(AcumaticaError):
    """The client cannot tell whether a long-running action finished or how. It may still
    finish: re-read the record before invoking it again."""

    retryable = True
    summary = "Acumatica action outcome unknown"

    def __init__(
        self,
        message: str | None = None,
        *,
        action: str = "",
        location: str = "",
        waited: float = 0.0,
        **kwargs: Any,
    ) -> None:
        self.action = action
        self.location = location
        self.waited = waited
        super().__init__(message, **kwargs)


class ActionTimeout(ActionOutcomeUnknown):
    """The action still answered 202 when the wait ran out."""

    summary = "Acumatica action did not finish in time"

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

import email.utils
import json
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

from .values import FieldError, collect_field_errors


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


class ActionTimeout(AcumaticaError):
    """A long-running action still answered 202 when the wait ran out. It may still finish:
    re-read the record before invoking it again."""

    retryable = True
    summary = "Acumatica action did not finish in time"

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


# --- classification --------------------------------------------------------------------------

_OAUTH_ERRORS: dict[str, type[OAuthError]] = {
    "invalid_client": InvalidClient,
    "unauthorized_client": InvalidClient,
    "invalid_grant": InvalidGrant,
    "unsupported_grant_type": UnsupportedGrantType,
    "invalid_scope": InvalidScope,
}
# Matched against exceptionMessage / error_description / raw text, case-insensitively.
_TEXT_RULES: tuple[tuple[re.Pattern[str], type[AcumaticaError]], ...] = (
    (re.compile(r"api login limit", re.I), LoginLimitReached),
    (re.compile(r"change your password", re.I), PasswordChangeRequired),
    (re.compile(r"invalid credentials", re.I), InvalidCredentials),
    (re.compile(r"locked out|account is disabled", re.I), AccountLocked),
    (re.compile(r"proper company id cannot be determined", re.I), UnknownTenant),
)
_TYPE_RULES: dict[str, type[AcumaticaError]] = {
    "PXUndefinedCompanyException": UnknownTenant,
    "NoEntitySatisfiesTheConditionException": NotFound,
    "PXSetupNotEnteredException": SetupNotEntered,
    "CannotOptimizeException": OptimizationFailed,
}
_OPTIMIZATION_TEXT = re.compile(r"optimization cannot be performed", re.I)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _json_body(content: bytes | str | None, content_type: str) -> tuple[Any, bool]:
    """(parsed body, whether it was JSON). HTML or other text gives (None, False)."""
    if not content:
        return None, False
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    stripped = text.lstrip()
    if "json" not in content_type.lower() and not stripped.startswith(("{", "[")):
        return None, False
    try:
        return json.loads(text), True
    except ValueError:
        return None, False


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_from_response(
    response: Any,
    *,
    entity: str | None = None,
    during: str | None = None,
) -> AcumaticaError:
    """Classify a failed ``requests.Response`` (anything with ``status_code``, ``content``,
    ``headers`` and ``request``) into the tree above.

    ``entity`` names the entity for 403/404 messages; ``during`` ("login", "token", "logout",
    "action status", …) is added to generic messages. 404 becomes :class:`NotFound` here; the
    client turns it into :class:`EndpointNotInstalled` after checking ``GET /entity``.
    """
    request = getattr(response, "request", None)
    return classify(
        status_code=response.status_code,
        content=response.content,
        headers=response.headers,
        method=getattr(request, "method", None),
        url=getattr(request, "url", None) or getattr(response, "url", None),
        entity=entity,
        during=during,
    )


def classify(
    *,
    status_code: int,
    content: bytes | str | None,
    headers: Mapping[str, str] | None = None,
    method: str | None = None,
    url: str | None = None,
    entity: str | None = None,
    during: str | None = None,
) -> AcumaticaError:
    """The body of :func:`error_from_response`, on plain values (handy for tests)."""
    headers = headers or {}
    content_type = headers.get("Content-Type") or headers.get("content-type") or ""
    body, is_json = _json_body(content, content_type)
    common: dict[str, Any] = {"status_code": status_code, "method": method, "url": url}
    what = f" ({during})" if during else ""

    if status_code == 429:
        text = _body_text(body, content)
        if _LOGIN_LIMIT.search(text):
            return LoginLimitReached(**common, exception_message=_short(text) or None)
        return RateLimited(retry_after=parse_retry_after(headers.get("Retry-After")), **common)

    if not is_json or not isinstance(body, Mapping | list):
        snippet = _short(_body_text(None, content), 120)
        return UnexpectedResponse(
            f"Expected a JSON answer from Acumatica{what}, got "
            f"{content_type or 'no content type'}" + (f": {snippet}" if snippet else ""),
            retryable=status_code >= 500 or status_code == 408,
            **common,
        )

    if (
        isinstance(body, Mapping)
        and isinstance(body.get("error"), str)
        and (body["error"] in _OAUTH_ERRORS or "error_description" in body)
    ):
        return _oauth_error(body, common)

    exception_type = body.get("exceptionType") if isinstance(body, Mapping) else None
    exception_message = body.get("exceptionMessage") if isinstance(body, Mapping) else None
    message = body.get("message") if isinstance(body, Mapping) else None
    common["exception_type"] = exception_type
    common["exception_message"] = exception_message
    text = " ".join(str(t) for t in (exception_message, message) if t)

    for pattern, cls in _TEXT_RULES:
        if pattern.search(text):
            return cls(**common)
    short_type = (exception_type or "").rsplit(".", 1)[-1]
    if short_type in _TYPE_RULES:
        cls = _TYPE_RULES[short_type]
        if cls is NotFound and entity:
            return NotFound(f"No {entity} record matches the keys or filter", **common)
        return cls(_short(exception_message or "") or None, **common)
    if _OPTIMIZATION_TEXT.search(text):
        return OptimizationFailed(_short(text), **common)

    detail = _short(exception_message or message or "") or None
    if status_code == 401:
        return NotLoggedIn(detail, **common)
    if status_code == 403:
        return Forbidden(None if entity else detail, entity=entity, **common)
    if status_code == 404:
        return NotFound(
            f"{entity} not found{what}" if entity else (detail or NotFound.summary), **common
        )
    if status_code == 412:
        return PreconditionFailed(detail, **common)
    if status_code == 422:
        return ValidationFailed(field_errors=collect_field_errors(body), body=body, **common)
    if status_code == 400:
        return BadRequest(detail, **common)
    if status_code >= 500:
        return ServerError(detail, **common)
    return UnexpectedResponse(
        f"Unexpected HTTP {status_code} from Acumatica{what}" + (f": {detail}" if detail else ""),
        **common,
    )


_LOGIN_LIMIT = _TEXT_RULES[0][0]


def _body_text(body: Any, content: bytes | str | None) -> str:
    if isinstance(body, Mapping):
        return " ".join(str(v) for v in body.values() if isinstance(v, str))
    if isinstance(content, bytes):
        return content.decode("utf-8", "replace")
    return content or ""


def _oauth_error(body: Mapping[str, Any], common: dict[str, Any]) -> AcumaticaError:
    code = body["error"]
    description = str(body.get("error_description") or "")
    for pattern, cls in _TEXT_RULES:
        if pattern.search(description):
            return cls(exception_message=description or None, **common)
    cls = _OAUTH_ERRORS.get(code, OAuthError)
    message = f"{cls.summary} ({code}" + (f": {_short(description)}" if description else "") + ")"
    return cls(message, error=code, description=description, **common)

"""Turning an HTTP answer from Acumatica into the right error of :mod:`.errors`.

Acumatica says what went wrong in the body more than in the status: a bad password, a missing
record and a missing setup are all HTTP 500, told apart by ``exceptionType`` and
``exceptionMessage``; seat exhaustion is "API Login Limit" under 500, 429 or an OAuth error;
the token endpoint speaks RFC 6749 (``{"error": "invalid_grant"}``). Text rules come first,
then exception types, then the status.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping
from typing import Any

from . import errors
from .responses import loads
from .values import collect_field_errors

_OAUTH_ERRORS: dict[str, type[errors.OAuthError]] = {
    "invalid_client": errors.InvalidClient,
    "unauthorized_client": errors.InvalidClient,
    "invalid_grant": errors.InvalidGrant,
    "unsupported_grant_type": errors.UnsupportedGrantType,
    "invalid_scope": errors.InvalidScope,
}
# Matched against exceptionMessage / error_description / raw text, case-insensitively.
_TEXT_RULES: tuple[tuple[re.Pattern[str], type[errors.AcumaticaError]], ...] = (
    (re.compile(r"api login limit", re.I), errors.LoginLimitReached),
    (re.compile(r"change your password", re.I), errors.PasswordChangeRequired),
    (re.compile(r"invalid credentials", re.I), errors.InvalidCredentials),
    (re.compile(r"locked out|account is disabled", re.I), errors.AccountLocked),
    (re.compile(r"proper company id cannot be determined", re.I), errors.UnknownTenant),
)
_TYPE_RULES: dict[str, type[errors.AcumaticaError]] = {
    "PXUndefinedCompanyException": errors.UnknownTenant,
    "NoEntitySatisfiesTheConditionException": errors.NotFound,
    "PXSetupNotEnteredException": errors.SetupNotEntered,
    "CannotOptimizeException": errors.OptimizationFailed,
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
        return loads(text), True
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
) -> errors.AcumaticaError:
    """Classify a failed ``requests.Response`` (anything with ``status_code``, ``content``,
    ``headers`` and ``request``) into the tree above.

    ``entity`` names the entity for 403/404 messages; ``during`` ("login", "token", "logout",
    "action status", …) is added to generic messages. 404 becomes :class:`errors.NotFound` here; the
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
) -> errors.AcumaticaError:
    """The body of :func:`error_from_response`, on plain values (handy for tests)."""
    headers = headers or {}
    content_type = headers.get("Content-Type") or headers.get("content-type") or ""
    body, is_json = _json_body(content, content_type)
    common: dict[str, Any] = {"status_code": status_code, "method": method, "url": url}
    what = f" ({during})" if during else ""

    if status_code == 429:
        text = _body_text(body, content)
        if _LOGIN_LIMIT.search(text):
            return errors.LoginLimitReached(**common, exception_message=_short(text) or None)
        return errors.RateLimited(
            retry_after=parse_retry_after(headers.get("Retry-After")), **common
        )

    if not is_json or not isinstance(body, Mapping | list):
        snippet = _short(_body_text(None, content), 120)
        return errors.UnexpectedResponse(
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
        if cls is errors.NotFound and entity:
            return errors.NotFound(f"No {entity} record matches the keys or filter", **common)
        return cls(_short(exception_message or "") or None, **common)
    if _OPTIMIZATION_TEXT.search(text):
        return errors.OptimizationFailed(_short(text), **common)

    detail = _short(exception_message or message or "") or None
    if status_code == 401:
        return errors.NotLoggedIn(detail, **common)
    if status_code == 403:
        return errors.Forbidden(None if entity else detail, entity=entity, **common)
    if status_code == 404:
        return errors.NotFound(
            f"{entity} not found{what}" if entity else (detail or errors.NotFound.summary), **common
        )
    if status_code == 412:
        return errors.PreconditionFailed(detail, **common)
    if status_code == 422:
        return errors.ValidationFailed(field_errors=collect_field_errors(body), body=body, **common)
    if status_code == 400:
        return errors.BadRequest(detail, **common)
    if status_code >= 500:
        return errors.ServerError(detail, **common)
    return errors.UnexpectedResponse(
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


def _oauth_error(body: Mapping[str, Any], common: dict[str, Any]) -> errors.AcumaticaError:
    code = body["error"]
    description = str(body.get("error_description") or "")
    for pattern, cls in _TEXT_RULES:
        if pattern.search(description):
            return cls(exception_message=description or None, **common)
    cls = _OAUTH_ERRORS.get(code, errors.OAuthError)
    message = f"{cls.summary} ({code}" + (f": {_short(description)}" if description else "") + ")"
    return cls(message, error=code, description=description, **common)

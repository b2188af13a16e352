"""Reading Acumatica's successful answers: JSON, and one record. A body that is not what was
asked for raises :class:`UnexpectedResponse` (an HTML error page behind a 200, a proxy's
answer), never a ``ValueError`` from deep inside."""

from __future__ import annotations

import json
from typing import Any

import requests

from .errors import UnexpectedResponse

# Deeper than any Acumatica answer nests (record → detail → linked → value is about 6): a body
# nested deeper is hostile, and walking it (redacting, classifying) would exhaust the stack.
MAX_JSON_DEPTH = 64


def loads(content: bytes | str) -> Any:
    """Parse JSON that came from the network: ValueError for anything that is not JSON, and
    for JSON nested deeper than ``MAX_JSON_DEPTH`` (never a RecursionError)."""
    try:
        value = json.loads(content)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def json_body(response: requests.Response) -> Any:
    try:
        return loads(response.content)
    except ValueError as exc:
        content_type = response.headers.get("Content-Type") or "no content type"
        if "json" in content_type.lower():
            message = (
                f"Acumatica's answer says it is JSON ({content_type}) but cannot be read as "
                f"JSON: {exc}"
            )
        else:
            message = f"Expected JSON from Acumatica, got {content_type}"
        raise UnexpectedResponse(
            message,
            status_code=response.status_code,
            method=response.request.method,
            url=response.url,
        ) from None


def record_body(response: requests.Response, entity: str) -> dict[str, Any]:
    body = json_body(response)
    if not isinstance(body, dict):
        raise UnexpectedResponse(
            f"Expected a {entity} record (JSON object)", status_code=response.status_code
        )
    return body

"""Reading Acumatica's successful answers: JSON, and one record. A body that is not what was
asked for raises :class:`UnexpectedResponse` (an HTML error page behind a 200, a proxy's
answer), never a ``ValueError`` from deep inside."""

from __future__ import annotations

from typing import Any

import requests

from .errors import UnexpectedResponse


def json_body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        content_type = response.headers.get("Content-Type", "no content type")
        raise UnexpectedResponse(
            f"Expected JSON from Acumatica, got {content_type}",
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

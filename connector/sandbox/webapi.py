"""Replies produced by the hosting stack (ASP.NET Web API, IIS) before Acumatica's own code runs.

The JSON texts are ASP.NET Web API's stock messages, which is what an Acumatica site answers for
requests its controllers never see (no route, wrong verb, unsupported media type).
"""

from __future__ import annotations

from .http import Reply, plain_message

INVALID_DATA = "The data specified in the request is invalid."
NOT_LOGGED_IN = "The user is not logged in to the system."
# An IIS site whose application sets status 429 without a body answers with this text/plain
# message (seen on a real sign-in refused by the licence; API.md §1.1). No other 429 body is known.
IIS_UNKNOWN_ERROR = "The custom error module does not recognize this error."


def no_resource(request_url: str) -> Reply:
    return plain_message(
        404, f"No HTTP resource was found that matches the request URI '{request_url}'."
    )


def method_not_allowed(method: str, allowed: str) -> Reply:
    reply = plain_message(405, f"The requested resource does not support http method '{method}'.")
    reply.headers["Allow"] = allowed
    return reply


def unsupported_media_type(media_type: str) -> Reply:
    return plain_message(
        415, f"The request entity's media type '{media_type}' is not supported for this resource."
    )


def invalid_data() -> Reply:
    return plain_message(400, INVALID_DATA)


def not_logged_in() -> Reply:
    return plain_message(401, NOT_LOGGED_IN)


def too_many_requests(retry_after: int) -> Reply:
    return Reply(
        429,
        IIS_UNKNOWN_ERROR,
        headers={"Retry-After": str(max(1, int(retry_after)))},
        content_type="text/plain; charset=utf-8",
    )

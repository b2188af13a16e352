"""One shape for every error the API answers:

    {"detail": "what went wrong", "code": "invalid", "errors": {"lines[0].quantity": ["…"]}}

``errors`` (validation only) maps each field path — the field names joined with ``.``, list
positions in ``[n]`` — to its messages; ``non_field_errors`` is about the body as a whole.
The fulfillment services' refusals become 400 (invalid) and 409 (conflict, not shippable, not
in the queue)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from ..fulfillments import (
    FulfillmentConflict,
    FulfillmentError,
    FulfillmentInvalid,
    OrderNotInQueue,
    OrderNotShippable,
)
from .parsers import PayloadTooLarge

INVALID_DETAIL = "The request has errors; each field's messages are in `errors`."


def exception_handler(exc, context):
    if isinstance(exc, FulfillmentError):
        return _service_error(exc)
    if isinstance(exc, RequestDataTooBig):
        # DRF reads JSON bodies through request.body, where Django refuses anything over
        # DATA_UPLOAD_MAX_MEMORY_SIZE before reading it; smaller ones meet our parser's limit.
        exc = PayloadTooLarge("The request body is too large.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": INVALID_DETAIL,
            "code": "invalid",
            "errors": flatten_errors(exc.detail),
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "detail": str(exc.detail),
            "code": codes if isinstance(codes, str) else "error",
        }
    return response


def _service_error(exc: FulfillmentError) -> Response:
    body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
    if isinstance(exc, FulfillmentInvalid):
        return Response({**body, "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, FulfillmentConflict):
        body["fulfillment_id"] = exc.existing.pk
    elif isinstance(exc, OrderNotShippable | OrderNotInQueue):
        body["order_status"] = exc.status
    return Response(body, status=status.HTTP_409_CONFLICT)


def flatten_errors(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail → {field path: [messages]}."""
    flat: dict[str, list[str]] = {}

    def add(where: str, message: Any) -> None:
        flat.setdefault(where or api_settings.NON_FIELD_ERRORS_KEY, []).append(str(message))

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == api_settings.NON_FIELD_ERRORS_KEY:
                    walk(value, where)
                elif isinstance(key, int):
                    # DRF keys a list's errors by position.
                    walk(value, f"{where}[{key}]")
                else:
                    walk(value, f"{where}.{key}" if where else str(key))
        elif isinstance(node, list):
            if all(not isinstance(item, dict | list) for item in node):
                for message in node:
                    add(where, message)
            else:
                for index, item in enumerate(node):
                    # Positions without errors come as empty dicts.
                    walk(item, f"{where}[{index}]")
        else:
            add(where, node)

    walk(detail, path)
    return flat

"""JSON bodies with a size limit and no way to make the parser itself fail with a 500."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


class BoundedJSONParser(JSONParser):
    """DRF reads the body from the request stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE;
    this one reads at most the limit. Deeply nested arrays raise RecursionError inside json,
    which DRF's parser would let through as a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = getattr(settings, "FULFILLMENT_API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(body.decode(encoding), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(f"The body is not valid {encoding} text.") from None
        except ValueError as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None
        except RecursionError:
            raise ParseError("The body is not valid JSON: nested too deeply.") from None
        try:
            # JSON lets "\ud800" through as a lone surrogate, which is no text: it could be
            # neither stored nor echoed back in an error message.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (UnicodeEncodeError, RecursionError):
            raise ParseError(
                "The body is not valid JSON text: it holds an unpaired surrogate escape "
                "(\\udXXX) or is nested too deeply."
            ) from None
        return data

"""How the fulfillment admin shows what is not a plain column: stored JSON, and the messages of
a refused action."""

from __future__ import annotations

import json

from django.utils.html import format_html


def pretty_json(value) -> str:
    """A JSON value as an escaped, indented <pre> block."""
    text = json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False)
    return format_html('<pre style="white-space: pre-wrap; max-width: 60rem">{}</pre>', text)


def error_text(exc: Exception) -> str:
    """What a service's ValidationError (or PermissionDenied) says, on one line."""
    return " ".join(getattr(exc, "messages", None) or [str(exc)])

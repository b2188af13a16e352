"""A fulfillment request in one canonical spelling: what its idempotency hash is taken of, and
the reference a new fulfillment travels under in Acumatica. Pure."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from decimal import Decimal
from typing import Any

from django.utils import timezone


def canonical_request(data: dict[str, Any]) -> dict[str, Any]:
    """The request with every optional value filled in and every value in one spelling
    (decimals without trailing zeros, times in UTC): two requests that mean the same thing
    have the same canonical form, hence the same hash."""

    def items(values) -> list[dict[str, Any]]:
        return [
            {"line_id": int(item["line_id"]), "quantity": decimal_text(item["quantity"])}
            for item in values or []
        ]

    return {
        "shipped_at": utc_text(data["shipped_at"]),
        "carrier": text_of(data.get("carrier")),
        "service": text_of(data.get("service")),
        "lines": items(data.get("lines")),
        "packages": [
            {
                "box_id": text_of(package.get("box_id")).upper(),
                "weight": decimal_text(package["weight"]),
                "weight_unit": text_of(package.get("weight_unit")).lower(),
                "length": decimal_text(package.get("length")),
                "width": decimal_text(package.get("width")),
                "height": decimal_text(package.get("height")),
                "dimension_unit": text_of(package.get("dimension_unit")).lower(),
                "tracking_number": text_of(package.get("tracking_number")),
                "contents": items(package.get("contents")),
            }
            for package in data.get("packages") or []
        ],
    }


def request_hash(canonical: dict[str, Any]) -> str:
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def new_reference() -> str:
    """``F`` + 16 base32 characters (A-Z, 2-7): fits Acumatica's CustomRefNbr1 (30) and is
    unguessable, so it can be searched for in Acumatica without matching anything else."""
    return "F" + base64.b32encode(secrets.token_bytes(10)).decode()


def text_of(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def decimal_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    # normalize() alone writes 100 as 1E+2; "f" keeps it plain.
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def decimal_or_none(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def utc_text(moment: dt.datetime) -> str:
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()

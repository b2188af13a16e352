"""Field values between JSON and storage: what a ``{"value": ...}`` may hold for each value type,
and how stored values come back out.

Stored values: ``str``; ``Decimal`` for every number type (ints for Int/Short/Long/Byte); ``bool``;
timezone-aware ``datetime`` (instants; date-only fields are midnight at the sandbox's offset);
GUIDs as lower-case ``str``. ``None`` means "no value" and renders as ``{}``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from .schema import INTEGER_TYPES, NUMERIC_TYPES

_GUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
# ISO 8601 as Json.NET reads it into DateTime/DateTimeOffset: date, optional time with up to
# seven fraction digits, optional Z or ±HH:MM.
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?"
    r"(Z|[+-]\d{2}:\d{2})?$"
)


def parse_offset(text: str) -> timezone:
    """``"+03:00"`` → a fixed-offset tzinfo (config.timezone_offset)."""
    match = _OFFSET.match(text.strip() or "+00:00")
    if not match:
        raise ValueError(f"not a UTC offset: {text!r}")
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-delta if sign == "-" else delta)


def truncate_ms(moment: datetime) -> datetime:
    """Keep millisecond precision, like SQL Server's datetime columns behind LastModified: a
    client that filters ``gt`` the value it read must not get the same record back."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def parse_iso(text: str, tz: timezone) -> datetime | None:
    """An ISO 8601 date/date-time; without an offset it is local time at ``tz``. None if the text
    is not one."""
    match = _ISO.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0").ljust(7, "0")[:6])
    if offset is None:
        zone = tz
    elif offset == "Z":
        zone = UTC
    else:
        zone = parse_offset(offset)
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=zone,
        )
    except ValueError:
        return None


def format_datetime(moment: datetime, tz: timezone) -> str:
    """Json.NET's DateTimeOffset form: fraction digits only as needed, offset always."""
    local = moment.astimezone(tz)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if local.microsecond:
        text += "." + f"{local.microsecond:06d}".rstrip("0")
    offset = local.strftime("%z")
    return f"{text}{offset[:3]}:{offset[3:]}"


def coerce(type_name: str, raw: Any, tz: timezone) -> Any:
    """The stored form of a wrapped value, converting like Json.NET does (``"5"`` is a fine
    decimal, ``5`` a fine string). ValueError when Json.NET would refuse it (→ 400)."""
    if raw is None:
        return None
    if type_name == "StringValue":
        if isinstance(raw, (dict, list)):
            raise ValueError("expected a string")
        if isinstance(raw, bool):
            return "True" if raw else "False"
        return str(raw)
    if type_name in NUMERIC_TYPES:
        if isinstance(raw, (bool, dict, list)):
            raise ValueError("expected a number")
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation as exc:
            raise ValueError("expected a number") from exc
        if not number.is_finite():
            raise ValueError("expected a number")
        if type_name in INTEGER_TYPES:
            if number != number.to_integral_value():
                raise ValueError("expected an integer")
            return int(number)
        return number
    if type_name == "BooleanValue":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        if isinstance(raw, int):
            return raw != 0
        raise ValueError("expected a boolean")
    if type_name == "DateTimeValue":
        if not isinstance(raw, str):
            raise ValueError("expected a date")
        moment = parse_iso(raw, tz)
        if moment is None:
            raise ValueError("expected a date")
        return moment
    if type_name == "GuidValue":
        text = str(raw).strip().strip("{}").lower()
        if not _GUID.fullmatch(text):
            raise ValueError("expected a GUID")
        return text
    raise ValueError(f"unknown value type {type_name}")


def render_value(type_name: str, value: Any, tz: timezone) -> Any:
    """The JSON form of a stored value."""
    if isinstance(value, datetime):
        return format_datetime(value, tz)
    if type_name in INTEGER_TYPES:
        return int(value)
    if type_name in NUMERIC_TYPES:
        return float(value)
    return value


def json_type_name(type_name: str) -> str:
    """Json.NET's name for the model type, used in 400 conversion messages."""
    return f"PX.Api.ContractBased.Models.{type_name}"

"""The few HTTP shapes shared by every part of the sandbox: a reply and Acumatica's error bodies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    """What a handler answers. ``body`` is JSON-serialisable (dict/list), ``bytes``/``str``
    sent as is, or None for no body (e.g. 204)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    # One ``Set-Cookie`` value per cookie: a dict of headers cannot repeat a name.
    cookies: list[str] = field(default_factory=list)


class SandboxHttpError(Exception):
    """Raise anywhere in a handler to answer with this reply instead."""

    def __init__(self, reply: Reply):
        super().__init__(f"{reply.status}: {reply.body!r}")
        self.reply = reply


def http_error(
    status: int,
    exception_message: str,
    exception_type: str = "PX.Data.PXException",
    message: str = "An error has occurred.",
    stack_trace: str | None = None,
) -> Reply:
    """Acumatica's ``HttpError`` envelope (API.md §6), e.g. the 500 "Invalid credentials"."""
    body: dict[str, Any] = {
        "message": message,
        "exceptionMessage": exception_message,
        "exceptionType": exception_type,
    }
    if stack_trace is not None:
        body["stackTrace"] = stack_trace
    return Reply(status, body)


def plain_message(status: int, message: str) -> Reply:
    """The short ``{"message": ...}`` HttpError used for 400/401/403/404 (API.md §6)."""
    return Reply(status, {"message": message})


@dataclass
class EntityRequest:
    """One authenticated request under ``<site>/entity/<endpoint>/<version>/``, after the server
    has checked the session, the endpoint and the user's rights.

    ``path`` holds the decoded segments after the version, e.g. ``["SalesOrder"]``,
    ``["SalesOrder", "SO", "000123"]``, ``["Shipment", "ConfirmShipment"]`` or
    ``["Shipment", "ConfirmShipment", "status", "<guid>"]``.
    """

    method: str
    endpoint_name: str
    version: str
    path: list[str]
    query: dict[str, str]
    body: Any
    headers: dict[str, str]  # lower-cased names
    session_id: str
    # Site-relative prefix of this endpoint, used in _links and Location,
    # e.g. "/AcumaticaERP/entity/Default/24.200.001/".
    endpoint_path: str

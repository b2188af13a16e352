"""Acumatica contract-based REST API client: plain Python on ``requests`` (no Django, no Celery).

Usage::

    from connector.acumatica import AcumaticaClient, ConnectionSettings, OAuthCredentials, odata

    settings = ConnectionSettings("https://erp.example.com/AcumaticaERP")
    creds = OAuthCredentials(client_id="<GUID>@Company", client_secret=secret,
                             username="integration", password=password)
    with AcumaticaClient(settings, creds, token_state=stored, on_token_change=save) as client:
        since = odata.gt("LastModified", cursor) & odata.eq("Status", "Open")
        for page in client.iter_pages("SalesOrder", filter=since, expand="Details", page_size=200):
            upsert(page)
        client.invoke_action("Shipment", "ConfirmShipment", {"ShipmentNbr": "000123"})
    print(client.request_count)

Every failure is an :class:`AcumaticaError` subclass with ``retryable`` telling whether trying
again later can help (see :mod:`.errors`). Secrets never appear in reprs, logs or errors.
"""

from . import odata, values
from .actions import ActionResult
from .auth import CookieCredentials, OAuthCredentials, TokenState
from .classify import error_from_response
from .client import AcumaticaClient
from .config import ConnectionSettings
from .discovery import EndpointInfo, InstanceInfo
from .errors import (
    AccountLocked,
    ActionFailed,
    ActionOutcomeUnknown,
    ActionTimeout,
    AcumaticaError,
    AnswerTooLarge,
    AnswerTooSlow,
    AuthenticationError,
    BadRequest,
    CircuitOpen,
    EndpointNotInstalled,
    Forbidden,
    InvalidClient,
    InvalidCredentials,
    InvalidGrant,
    InvalidScope,
    LoginLimitReached,
    NotFound,
    NotLoggedIn,
    OAuthError,
    OptimizationFailed,
    PasswordChangeRequired,
    PreconditionFailed,
    RateLimited,
    RequestTimeout,
    ServerError,
    SetupNotEntered,
    Throttled,
    TLSError,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
    UnknownTenant,
    UnsupportedGrantType,
    ValidationFailed,
)
from .limiter import InProcessLimiter, InstanceLimits, Limiter, Outcome, default_limiter
from .recording import CallbackRecorder, Exchange, MemoryRecorder, Recorder
from .seats import SEAT_LEASE_MARGIN, Seat, SeatPool, SeatsBusy
from .transport import RequestStats
from .values import FieldError

__all__ = [
    "SEAT_LEASE_MARGIN",
    "AccountLocked",
    "ActionFailed",
    "ActionOutcomeUnknown",
    "ActionResult",
    "ActionTimeout",
    "AcumaticaClient",
    "AcumaticaError",
    "AnswerTooLarge",
    "AnswerTooSlow",
    "AuthenticationError",
    "BadRequest",
    "CallbackRecorder",
    "CircuitOpen",
    "ConnectionSettings",
    "CookieCredentials",
    "EndpointInfo",
    "EndpointNotInstalled",
    "Exchange",
    "FieldError",
    "Forbidden",
    "InProcessLimiter",
    "InstanceInfo",
    "InstanceLimits",
    "InvalidClient",
    "InvalidCredentials",
    "InvalidGrant",
    "InvalidScope",
    "Limiter",
    "LoginLimitReached",
    "MemoryRecorder",
    "NotFound",
    "NotLoggedIn",
    "OAuthCredentials",
    "OAuthError",
    "OptimizationFailed",
    "Outcome",
    "PasswordChangeRequired",
    "PreconditionFailed",
    "RateLimited",
    "Recorder",
    "RequestStats",
    "RequestTimeout",
    "Seat",
    "SeatPool",
    "SeatsBusy",
    "ServerError",
    "SetupNotEntered",
    "TLSError",
    "Throttled",
    "TokenState",
    "TransportError",
    "Unauthorized",
    "UnexpectedResponse",
    "UnknownTenant",
    "UnsupportedGrantType",
    "ValidationFailed",
    "default_limiter",
    "error_from_response",
    "odata",
    "values",
]

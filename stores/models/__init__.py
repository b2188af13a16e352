"""The stores app's models, one module per concern."""

from .audit import AuditEntry
from .calls import AcumaticaCall
from .connection_tests import ConnectionTestRun, ConnectionTestRunStatus
from .connections import (
    AuthMethod,
    Merchant,
    Role,
    StoreConnection,
    StoreSecrets,
    StoreStatus,
    UserProfile,
)
from .handoff import CredentialHandoff

__all__ = [
    "AcumaticaCall",
    "AuditEntry",
    "AuthMethod",
    "ConnectionTestRun",
    "ConnectionTestRunStatus",
    "CredentialHandoff",
    "Merchant",
    "Role",
    "StoreConnection",
    "StoreSecrets",
    "StoreStatus",
    "UserProfile",
]

"""One-time credentials links: a 3PL person sends the merchant a link to a draft store's
Acumatica sign-in form; the merchant, without an account here, enters it, tests it and submits.

The link is random (256 bits), stored only as its SHA-256, works once, expires
(``CONNECTOR_HANDOFF_LINK_HOURS``) and can be revoked; an unknown, used, expired or revoked
link, or one whose store is no longer a draft, is answered the same neutral way."""

from .selectors import (
    handoff_last_provided,
    handoff_open_for_token,
    handoff_open_of_store,
    handoffs_of_store,
)
from .services import (
    LINK_FIELDS,
    HandoffSent,
    handoff_complete,
    handoff_connection_test_start,
    handoff_create,
    handoff_credentials_save,
    handoff_revoke,
)

__all__ = [
    "LINK_FIELDS",
    "HandoffSent",
    "handoff_complete",
    "handoff_connection_test_start",
    "handoff_create",
    "handoff_credentials_save",
    "handoff_last_provided",
    "handoff_open_for_token",
    "handoff_open_of_store",
    "handoff_revoke",
    "handoffs_of_store",
]

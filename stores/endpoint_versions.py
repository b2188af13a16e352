"""Which Default endpoint versions a store's instance has installed (``GET /entity``), and which
one the connector proposes: the newest it supports (``connector.acumatica.endpoints``).

The wizard's settings step proposes it; the connection test names an installed version the
connector does not support; the upgrade cut-over check (``fulfillment.cutover``) compares the
store's version with the newest one installed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from connector.acumatica import AcumaticaError, EndpointInfo, NotLoggedIn
from connector.acumatica.config import DEFAULT_ENDPOINT_NAME, DEFAULT_ENDPOINT_VERSION
from connector.acumatica.endpoints import SUPPORTED_VERSIONS, is_supported, version_key

from .credentials import acumatica_client_for
from .errors import StoreClientUnavailable
from .models import StoreConnection

logger = logging.getLogger("connector.stores")


def supported_text() -> str:
    """``20.200.001, 22.200.001, … 26.200.001`` for messages."""
    return ", ".join(SUPPORTED_VERSIONS)


@dataclass(frozen=True)
class EndpointProposal:
    """The versions of the store's endpoint name the instance has, newest first, and the newest
    of them the connector supports (None when it supports none of them)."""

    name: str
    installed: tuple[str, ...]
    proposed: str | None

    @property
    def unsupported(self) -> tuple[str, ...]:
        return tuple(v for v in self.installed if not is_supported(v))

    def newer_than(self, version: str) -> bool:
        return self.proposed is not None and version_key(self.proposed) > version_key(version)


def proposal_from(endpoints: tuple[EndpointInfo, ...], *, name: str) -> EndpointProposal:
    versions = sorted(
        {e.version for e in endpoints if e.name.lower() == name.lower()},
        key=version_key,
        reverse=True,
    )
    proposed = next((v for v in versions if is_supported(v)), None)
    return EndpointProposal(name=name, installed=tuple(versions), proposed=proposed)


def endpoint_proposal(*, store: StoreConnection) -> EndpointProposal | None:
    """Ask the store's instance (``GET /entity``, anonymously first, signed in if it wants a
    session; signed out again). None when it cannot be asked: the caller proposes nothing."""
    name = store.endpoint_name or DEFAULT_ENDPOINT_NAME
    try:
        with acumatica_client_for(
            store, keep_tokens=False, sign_out_on_close=True, purpose="endpoint versions"
        ) as client:
            try:
                info = client.discover(anonymous=True)
            except NotLoggedIn:
                info = client.discover(refresh=True)
    except (AcumaticaError, StoreClientUnavailable) as exc:
        logger.info("store %s: installed endpoints not read (%s)", store.pk, type(exc).__name__)
        return None
    return proposal_from(info.endpoints, name=name)


def wizard_version(store: StoreConnection, proposal: EndpointProposal | None) -> str | None:
    """The version the wizard's settings step should show instead of the store's: the proposal,
    when the store still has the connector's default or a version the instance lacks (a
    version someone chose and that is installed stays as chosen)."""
    if proposal is None or proposal.proposed is None:
        return None
    current = store.endpoint_version or DEFAULT_ENDPOINT_VERSION
    if current == proposal.proposed:
        return None
    if current == DEFAULT_ENDPOINT_VERSION or current not in proposal.installed:
        return proposal.proposed
    return None

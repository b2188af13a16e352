"""What the control endpoint and the site router need of the running sandbox: its parts. The
server (``server.SandboxServer``) has them; the two take it by this shape rather than by
importing the server, which builds them."""

from __future__ import annotations

from typing import Any, Protocol

from .config import SandboxConfig


class SandboxHost(Protocol):
    config: SandboxConfig
    clock: Any  # clock.SandboxClock
    data: Any  # data.SandboxData, or None without the entity layer
    entities: Any  # entity_api.EntityApi, or None
    faults: Any  # faults.FaultInjector
    limits: Any  # limits.RequestLimiter
    oauth: Any  # oauth.OAuthServer
    push: Any  # push.PushNotifier, or None without the entity layer
    authorize: Any  # oauth_authorize.AuthorizationEndpoint
    auth: Any  # auth.Authenticator
    request_log: Any  # request_log.RequestLog
    sessions: Any  # sessions.SessionRegistry

    @property
    def site_path(self) -> str: ...

    @property
    def base_url(self) -> str: ...

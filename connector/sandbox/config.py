"""Everything the sandbox accepts and how it behaves, in one dataclass.

Defaults give a single-tenant 24.200.001 instance with a trial-like licence (2 API users) and no
request limits. Every value is settable from ``manage.py acumatica_sandbox`` options, from tests,
and (where it makes sense at run time) through the control endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_CLIENT_ID = "B5D1E5A2-7C1F-4E36-9A0B-1F2E3D4C5B6A@Company"
# The newest Default endpoint the sandbox installs, and what it serves when none is configured.
# Its own constant, not the client's: the sandbox imitates Acumatica and knows nothing of the
# client.
DEFAULT_ENDPOINT_VERSION = "24.200.001"
ENDPOINT_VERSIONS = (DEFAULT_ENDPOINT_VERSION, "23.200.001", "22.200.001")
# Every Default endpoint version the sandbox can serve (schema_fields.py), oldest first. There
# is no Default/21.200.001: Acumatica's 2021 releases kept 20.200.001 (README.md).
SERVABLE_VERSIONS = (
    "20.200.001",
    "22.200.001",
    "23.200.001",
    "24.200.001",
    "25.200.001",
    "26.200.001",
)


@dataclass
class SandboxConfig:
    # Where it listens. port=0 picks a free port (tests); the chosen one is on SandboxServer.
    host: str = "127.0.0.1"
    port: int = 0
    # Virtual directory of the site, e.g. "/AcumaticaERP"; "" serves at the web root.
    site: str = "/AcumaticaERP"

    # Who may sign in. `tenants` lists every tenant login name; the first is the default
    # tenant used when a cookie login omits it. A single-tenant instance accepts any tenant value
    # (API.md §1.1, OBSERVED kborovik).
    tenants: list[str] = field(default_factory=lambda: ["Company"])
    username: str = "admin"
    password: str = "sandbox-password"
    # Connected Application (SM303010). Its id carries the tenant after '@'.
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = "sandbox-client-secret"
    # Redirect URIs registered for the client (authorization-code flow); empty accepts any
    # absolute http(s) URI.
    redirect_uris: list[str] = field(default_factory=list)
    # When true, the integration user must change its password first (login and token fail).
    password_change_required: bool = False

    # Licence (API.md §7): concurrent API users (sessions), and request limits (0 = unlimited).
    max_sessions: int = 2
    # Status of an "API Login Limit" refusal on cookie login: 500 HttpError (C# client) or 429.
    login_limit_status: int = 500
    max_concurrent_requests: int = 0
    max_requests_per_minute: int = 0
    session_idle_timeout: float = 600.0
    access_token_lifetime: int = 3600
    refresh_token_lifetime: int = 30 * 24 * 3600

    # Installed endpoints (GET /entity). The first is what `acumatica_sandbox` prints.
    endpoint_versions: list[str] = field(default_factory=lambda: list(ENDPOINT_VERSIONS))
    endpoint_name: str = "Default"
    build_version: str = "24.211.0015"
    # Entities the integration user's role cannot open: each answers 403.
    denied_entities: list[str] = field(default_factory=list)
    # Whether ShipmentPackage.PackageContents is exposed by the served endpoint.
    package_contents_exposed: bool = True
    # Contract Version 5 drop-downs (26.200.001): {"value": {"ID", "Description"}} as the
    # official C# client names the members ("pascal"), or {"id", "description"} as a summary of
    # the 2026 R2 guide writes them ("lower"). Requests bind either way.
    single_select_casing: str = "pascal"

    # Data. `orders` sales orders are seeded deterministically from `seed`.
    seed: int = 1
    orders: int = 40
    # "Hold Shipments on Entry" (SO101000): new shipments start On Hold when true, else Open.
    hold_shipments_on_entry: bool = True
    # Offset every DateTime value is rendered with ("+00:00" = UTC).
    timezone_offset: str = "+00:00"
    # How long a long-running action (202 + Location) keeps answering 202.
    action_duration: float = 0.3
    # Detail/linked object ids valid only in the session that read them (API.md §2); false
    # gives every object one stable id (handy when reading the data by eye).
    session_scoped_ids: bool = True

    # Sandbox-only: requests kept in the request log, and the token the control endpoint
    # (/_sandbox/...) requires in X-Sandbox-Token ("" = open, for loopback use).
    request_log_size: int = 1000
    control_token: str = ""

    @property
    def default_tenant(self) -> str:
        return self.tenants[0]

    @property
    def multi_tenant(self) -> bool:
        return len(self.tenants) > 1

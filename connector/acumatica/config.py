"""Where an Acumatica instance is and how to talk to it: everything but the secrets."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_ENDPOINT_NAME = "Default"
DEFAULT_ENDPOINT_VERSION = "24.200.001"
DEFAULT_USER_AGENT = "acumatica-3pl-connector/0.1 (+python-requests)"


@dataclass(frozen=True)
class ConnectionSettings:
    """One Acumatica instance and endpoint.

    ``instance_url`` is the site's URL including its virtual directory when it has one
    (``https://erp.example.com/AcumaticaERP``); a trailing slash is ignored.
    ``tenant`` is used by cookie sign-in when the credentials name none (OAuth carries the tenant
    in the client id). Timeouts are seconds: ``connect_timeout`` to open the connection,
    ``read_timeout`` between bytes of the answer (a long list page needs a generous one),
    ``deadline`` for the whole answer (a server that drips a byte now and then never trips the
    read timeout). An answer longer than ``max_answer_bytes`` is not read.
    """

    instance_url: str
    endpoint_name: str = DEFAULT_ENDPOINT_NAME
    endpoint_version: str = DEFAULT_ENDPOINT_VERSION
    tenant: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    deadline: float = 300.0
    max_answer_bytes: int = 64 * 1024 * 1024
    user_agent: str = DEFAULT_USER_AGENT
    # True, False (only for a lab instance), or a path to a CA bundle.
    verify_tls: bool | str = True
    # Long-running actions (202 + Location): how often to poll and for how long at most.
    action_poll_interval: float = 1.0
    action_timeout: float = 300.0

    def __post_init__(self) -> None:
        url = self.instance_url.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"instance URL must be http(s)://host[/site], got {self.instance_url!r}"
            )
        if parts.query or parts.fragment:
            raise ValueError("instance URL must not carry a query or fragment")
        if parts.username or parts.password:
            raise ValueError("instance URL must not carry credentials")
        if not self.endpoint_name or "/" in self.endpoint_name:
            raise ValueError(f"bad endpoint name {self.endpoint_name!r}")
        if not self.endpoint_version or "/" in self.endpoint_version:
            raise ValueError(f"bad endpoint version {self.endpoint_version!r}")
        object.__setattr__(self, "instance_url", url)

    @property
    def site_root(self) -> str:
        """Scheme and host only: what ``Location`` and ``_links`` paths are joined to, because
        they already start with the site's virtual directory."""
        parts = urlsplit(self.instance_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def endpoint(self) -> str:
        """``Default/24.200.001``."""
        return f"{self.endpoint_name}/{self.endpoint_version}"

    @property
    def endpoint_url(self) -> str:
        return f"{self.instance_url}/entity/{self.endpoint}"

    @property
    def instance_key(self) -> str:
        """Identifies the instance (and so its licence) for the limiter: scheme, host and site,
        host lower-cased."""
        parts = urlsplit(self.instance_url)
        return f"{parts.scheme}://{parts.netloc.lower()}{parts.path}"

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    def absolute(self, link: str) -> str:
        """Resolve a ``Location`` or ``_links`` value. Site-relative paths (``/Site/entity/...``)
        join to scheme + host, never to ``instance_url`` (that would double the site segment);
        absolute URLs must point at this same host."""
        if link.startswith(("http://", "https://")):
            if urlsplit(link).netloc.lower() != urlsplit(self.instance_url).netloc.lower():
                raise ValueError("link points at another host than the instance")
            return link
        if not link.startswith("/"):
            raise ValueError(f"not a site-relative path: {link!r}")
        return self.site_root + link

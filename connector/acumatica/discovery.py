"""``GET <instance>/entity``: the build version and the endpoints installed (API.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .classify import error_from_response
from .config import ConnectionSettings
from .errors import EndpointNotInstalled, UnexpectedResponse
from .responses import json_body, loads


@dataclass(frozen=True)
class EndpointInfo:
    name: str
    version: str
    href: str | None = None

    def __str__(self) -> str:
        return f"{self.name}/{self.version}"


@dataclass(frozen=True)
class InstanceInfo:
    """What ``GET <instance>/entity`` says: the build and the installed endpoints."""

    build_version: str | None
    database_version: str | None
    endpoints: tuple[EndpointInfo, ...]

    @property
    def installed(self) -> list[str]:
        return [str(e) for e in self.endpoints]

    def has_endpoint(self, name: str, version: str) -> bool:
        return any(e.name == name and e.version == version for e in self.endpoints)


def parse_instance_info(
    body: Any, *, status_code: int | None = None, url: str | None = None
) -> InstanceInfo:
    """Read the discovery answer; anything without an endpoint list is not Acumatica's."""
    endpoints_raw = body.get("endpoints") if isinstance(body, dict) else body
    version = body.get("version") if isinstance(body, dict) else None
    if not isinstance(endpoints_raw, list):
        raise UnexpectedResponse(
            "GET /entity did not list endpoints: is this an Acumatica instance URL?",
            status_code=status_code,
            url=url,
        )
    endpoints = tuple(
        EndpointInfo(str(e.get("name")), str(e.get("version")), e.get("href"))
        for e in endpoints_raw
        if isinstance(e, dict) and e.get("name") and e.get("version")
    )
    version = version if isinstance(version, dict) else {}
    return InstanceInfo(
        build_version=version.get("acumaticaBuildVersion"),
        database_version=version.get("databaseVersion"),
        endpoints=endpoints,
    )


class DiscoveryMixin:
    """The discovery methods of :class:`~connector.acumatica.client.AcumaticaClient`, which
    provides the attributes declared here."""

    settings: ConnectionSettings
    _instance_info: InstanceInfo | None
    _transport: Any

    def _check_open(self) -> None:
        raise NotImplementedError

    def _request(self, method: str, url: str, **options: Any) -> Any:
        raise NotImplementedError

    def _error(self, response: Any, *, entity: str | None, during: str | None) -> Exception:
        raise NotImplementedError

    def discover(self, *, refresh: bool = False, anonymous: bool = False) -> InstanceInfo:
        """``GET <instance>/entity``: build version and installed endpoints (cached).

        ``anonymous`` sends it without signing in (as Acumatica's C# client does), so that a
        URL can be shown to be an Acumatica site before any credentials are sent to it. An
        instance that wants a session for it answers 401 (:class:`NotLoggedIn`); tenant-specific
        endpoints may only be listed to a signed-in user, so the anonymous answer is not cached.
        """
        url = f"{self.settings.instance_url}/entity"
        if anonymous:
            self._check_open()
            response = self._transport.send("GET", url, seated=False)
            if response.status_code != 200:
                raise self._error(response, entity=None, during="discovery")
            try:
                body = loads(response.content)
            except ValueError:
                # Classified like an error, the answer is quoted: it often names the server.
                raise error_from_response(response, during="discovery") from None
            return parse_instance_info(body, status_code=response.status_code, url=response.url)
        if self._instance_info is None or refresh:
            response = self._request("GET", url)
            body = json_body(response)
            self._instance_info = parse_instance_info(
                body, status_code=response.status_code, url=response.url
            )
        return self._instance_info

    def check_endpoint(self) -> InstanceInfo:
        """Raise :class:`EndpointNotInstalled` (naming what is installed) unless the configured
        endpoint name/version is on the instance."""
        info = self.discover(refresh=True)
        if not info.has_endpoint(self.settings.endpoint_name, self.settings.endpoint_version):
            raise EndpointNotInstalled(endpoint=self.settings.endpoint, installed=info.installed)
        return info

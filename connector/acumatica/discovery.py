"""``GET <instance>/entity``: the build version and the endpoints installed (API.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import UnexpectedResponse


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

"""Helpers for the sandbox transport tests (auth, routing, limits, faults, control).

``EchoEntities`` stands in for the entities layer where a test is about the transport and not
about entity behaviour: it answers every entity call with the EntityRequest it was given, and
counts writes, so a test can see exactly what reached the entity layer.
"""

from __future__ import annotations

import dataclasses
import threading

import requests

from connector.sandbox.http import EntityRequest, Reply
from connector.sandbox.server import SandboxServer

VERSION = "24.200.001"


class EchoEntities:
    def __init__(self) -> None:
        self.requests: list[EntityRequest] = []
        self.closed_sessions: list[str] = []
        self._lock = threading.Lock()

    def handle(self, request: EntityRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
        echoed = dataclasses.asdict(request)
        echoed.pop("headers")
        return Reply(200, echoed)

    def swagger(self, endpoint_name: str, version: str, server_url: str) -> dict:
        return {
            "openapi": "3.0.1",
            "info": {"title": f"{endpoint_name}/{version}"},
            "servers": [{"url": server_url}],
        }

    def session_closed(self, session_id: str) -> None:
        self.closed_sessions.append(session_id)

    @property
    def writes(self) -> list[EntityRequest]:
        return [r for r in self.requests if r.method in ("PUT", "POST", "PATCH", "DELETE")]


def echo_entities(server: SandboxServer) -> EchoEntities:
    server.entities = EchoEntities()
    return server.entities


def entity_url(server: SandboxServer, *path: str, version: str = VERSION) -> str:
    return "/".join([f"{server.base_url}/entity/Default/{version}", *path])


def login(
    server: SandboxServer, client: requests.Session | None = None, **fields
) -> requests.Session:
    """Sign in with the configured user (overridable) and return the cookie-carrying client."""
    client = client or requests.Session()
    body = {"name": server.config.username, "password": server.config.password, **fields}
    reply = client.post(f"{server.base_url}/entity/auth/login", json=body, timeout=5)
    assert reply.status_code == 204, reply.text
    return client


def token_request(server: SandboxServer, **form) -> requests.Response:
    return requests.post(f"{server.base_url}/identity/connect/token", data=form, timeout=5)


def password_grant(
    server: SandboxServer, scope: str = "api offline_access", **form
) -> requests.Response:
    fields = {
        "grant_type": "password",
        "client_id": server.config.client_id,
        "client_secret": server.config.client_secret,
        "username": server.config.username,
        "password": server.config.password,
        "scope": scope,
        **form,
    }
    return token_request(server, **fields)


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def control(server: SandboxServer, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{server.site_url}/_sandbox/{path}", timeout=5, **kwargs)

"""Everything under the site: which handler answers a request, and the pipeline around it.

Pipeline per request: expire idle sessions, take a licence slot (limits.py; sign-out and
``/identity`` bypass it), apply an injected fault if one fires (faults.py), dispatch, log.
Entity calls are checked in Acumatica's order: session (401), endpoint installed (404),
the user's rights on the entity (403), body (415/400), then handed to ``EntityApi.handle``.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field

from . import iis, px_errors, webapi
from .clock import iso
from .faults import ANSWERING_KINDS
from .host import SandboxHost
from .http import EntityRequest, Reply, SandboxHttpError, plain_message
from .incoming import IncomingRequest

_JSON_TYPES = ("", "application/json", "text/json")
# Route kinds -> fault scope; kinds not listed are only hit by scope "all".
_FAULT_SCOPES = {
    "entity": "entity",
    "login": "auth",
    "logout": "auth",
    "token": "auth",
    "authorize": "auth",
}
# Route kinds that go through the licence's request queue (all API requests but sign-out).
_LIMITED = ("entity", "login", "discovery", "swagger")


@dataclass
class Route:
    kind: str
    relative_path: str  # decoded path after the site, e.g. "/entity/Default/24.200.001/Shipment"
    endpoint_name: str = ""
    version: str = ""
    rest: list[str] = field(default_factory=list)


class SiteRouter:
    def __init__(self, server: SandboxHost):
        self._server = server
        self._config = server.config

    def handle(self, request: IncomingRequest) -> Reply | None:
        """The reply to send, or None to close the connection without one."""
        started = time.perf_counter()
        server = self._server
        route = self.route(request)
        fault = None
        reply: Reply | None
        try:
            server.sessions.expire_idle()
            with server.limits.slot() if route.kind in _LIMITED else nullcontext():
                scope = _FAULT_SCOPES.get(route.kind, "other")
                fault = server.faults.pick(request.method, route.relative_path, scope)
                if fault is not None and fault.kind == "drop":
                    reply = None
                elif fault is not None and fault.kind in ANSWERING_KINDS:
                    reply = fault.reply()
                else:
                    if fault is not None and fault.kind == "slow":
                        time.sleep(fault.delay)
                    reply = self._dispatch(route, request)
                    if fault is not None and fault.kind == "lost_reply":
                        reply = None
        except SandboxHttpError as refused:
            reply = refused.reply
        self._log(request, reply, fault.kind if fault else None, started)
        return reply

    def route(self, request: IncomingRequest) -> Route:
        site = [s for s in self._config.site.split("/") if s]
        segments = request.segments
        if [s.lower() for s in segments[: len(site)]] != [s.lower() for s in site]:
            return Route("iis_404", request.path)
        parts = segments[len(site) :]
        relative = "/" + "/".join(parts)
        lowered = [p.lower() for p in parts]
        if lowered == ["entity"]:
            return Route("discovery", relative)
        if lowered in (["entity", "auth", "login"], ["entity", "auth", "logout"]):
            return Route(lowered[2], relative)
        if lowered[:1] == ["entity"] and len(parts) >= 4:
            name, version, rest = parts[1], parts[2], parts[3:]
            kind = "swagger" if [r.lower() for r in rest] == ["swagger.json"] else "entity"
            return Route(kind, relative, name, version, rest)
        if lowered[:1] == ["entity"]:
            return Route("api_404", relative)
        if lowered == ["identity", "connect", "token"]:
            return Route("token", relative)
        if lowered == ["identity", "connect", "authorize"]:
            return Route("authorize", relative)
        if lowered == ["identity", ".well-known", "openid-configuration"]:
            return Route("openid", relative)
        return Route("iis_404", relative)

    # ------------------------------------------------------------------ dispatch
    def _dispatch(self, route: Route, request: IncomingRequest) -> Reply:
        server = self._server
        method = request.method
        if route.kind == "entity":
            return self._entity_call(route, request)
        if route.kind in ("login", "logout"):
            if method != "POST":
                return webapi.method_not_allowed(method, "POST")
            return (
                server.auth.login(request) if route.kind == "login" else server.auth.logout(request)
            )
        if route.kind == "discovery":
            if method != "GET":
                return webapi.method_not_allowed(method, "GET")
            return self._discovery(request)
        if route.kind == "swagger":
            if method != "GET":
                return webapi.method_not_allowed(method, "GET")
            return self._swagger(route, request)
        if route.kind == "token":
            if method != "POST":
                return Reply(405, None, headers={"Allow": "POST"})
            return server.oauth.token(request)
        if route.kind == "authorize":
            if method not in ("GET", "POST"):
                return Reply(405, None, headers={"Allow": "GET, POST"})
            return server.authorize.handle(request)
        if route.kind == "openid":
            return server.authorize.openid_configuration(request)
        if route.kind == "api_404":
            return webapi.no_resource(request.host_url + request.path)
        return iis.error_page(404)

    def _entity_call(self, route: Route, request: IncomingRequest) -> Reply:
        caller = self._server.auth.identify(request)
        if caller is None:
            return webapi.not_logged_in()
        if not self._installed(route):
            return webapi.no_resource(request.host_url + request.path)
        entity = route.rest[0]
        if entity.lower() in {e.lower() for e in self._config.denied_entities}:
            return px_errors.insufficient_rights(entity)
        body = None
        if request.body.strip():
            if request.media_type not in _JSON_TYPES:
                return webapi.unsupported_media_type(request.media_type)
            try:
                body = request.json_body()
            except ValueError:
                return webapi.invalid_data()
        entities = self._server.entities
        if entities is None:
            return plain_message(501, "The sandbox's entity layer is not installed.")
        endpoint_path = (
            f"{self._server.site_path}/entity/{self._config.endpoint_name}/{route.version}/"
        )
        reply = entities.handle(
            EntityRequest(
                method=request.method,
                endpoint_name=self._config.endpoint_name,
                version=route.version,
                path=route.rest,
                query=request.query,
                body=body,
                headers=request.headers,
                session_id=caller.session.id,
                endpoint_path=endpoint_path,
            )
        )
        reply.cookies.extend(caller.set_cookies)
        return reply

    def _discovery(self, request: IncomingRequest) -> Reply:
        base = request.host_url + self._server.site_path
        name = self._config.endpoint_name
        return Reply(
            200,
            {
                "version": {
                    "acumaticaBuildVersion": self._config.build_version,
                    "databaseVersion": self._config.build_version,
                },
                "endpoints": [
                    {"name": name, "version": v, "href": f"{base}/entity/{name}/{v}/"}
                    for v in self._config.endpoint_versions
                ],
            },
        )

    def _swagger(self, route: Route, request: IncomingRequest) -> Reply:
        """Anonymous with ``?company=<tenant>`` (API.md §2); without it the tenant is the signed-in
        user's, so a session is needed, except on a single-tenant site where there is no choice."""
        if not self._installed(route):
            return webapi.no_resource(request.host_url + request.path)
        company = request.query.get("company", "").strip()
        if company:
            known = [t.lower() for t in self._config.tenants]
            if self._config.multi_tenant and company.lower() not in known:
                return px_errors.undefined_company()
        elif self._config.multi_tenant and self._server.auth.identify(request) is None:
            return webapi.not_logged_in()
        if self._server.entities is None:
            return plain_message(501, "The sandbox's entity layer is not installed.")
        document = self._server.entities.swagger(
            self._config.endpoint_name, route.version, request.host_url + self._server.site_path
        )
        return Reply(200, document)

    def _installed(self, route: Route) -> bool:
        return (
            route.endpoint_name.lower() == self._config.endpoint_name.lower()
            and route.version in self._config.endpoint_versions
        )

    def _log(
        self, request: IncomingRequest, reply: Reply | None, fault: str | None, started: float
    ) -> None:
        caller = request.notes.get("caller")
        self._server.request_log.record(
            time=iso(self._server.clock.now()),
            method=request.method,
            path=request.path,
            query=dict(request.query),
            status=reply.status if reply is not None else None,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
            auth=caller.auth_kind if caller else "anonymous",
            session_id=caller.session.id if caller else None,
            user=caller.session.user if caller else None,
            fault=fault,
        )

"""The sandbox's own control endpoint, ``/_sandbox/...`` at the host root (never under the site).

JSON in and out. It lets tests and people inspect and steer the simulator at run time: sessions,
the request log, faults, the clock, run-time settings, and (delegated to the entities layer) data.
It bypasses limits, faults and the request log. Answers never contain passwords, secrets or
tokens. With ``config.control_token`` set, every call needs it in ``X-Sandbox-Token``.
"""

from __future__ import annotations

import dataclasses
import hmac
from typing import Any

from .clock import iso
from .config import SandboxConfig
from .faults import FaultRule
from .host import SandboxHost
from .http import Reply, SandboxHttpError
from .incoming import IncomingRequest
from .push import PushDestination

CONTROL_PREFIX = "_sandbox"
TOKEN_HEADER = "X-Sandbox-Token"
# Settings that may change while the sandbox runs. Listening address, site, seed and order
# count are fixed at start (restart, or reseed through /_sandbox/data).
RUNTIME_SETTINGS = (
    "tenants",
    "username",
    "password",
    "client_id",
    "client_secret",
    "redirect_uris",
    "password_change_required",
    "max_sessions",
    "login_limit_status",
    "max_concurrent_requests",
    "max_requests_per_minute",
    "session_idle_timeout",
    "access_token_lifetime",
    "refresh_token_lifetime",
    "endpoint_versions",
    "endpoint_name",
    "build_version",
    "denied_entities",
    "package_contents_exposed",
    "hold_shipments_on_entry",
    "timezone_offset",
    "action_duration",
    "single_select_casing",
)
_SECRET_SETTINGS = ("password", "client_secret", "control_token")


class ControlApi:
    def __init__(self, server: SandboxHost):
        self._server = server

    def handle(self, request: IncomingRequest) -> Reply:
        expected = self._server.config.control_token
        if expected and not hmac.compare_digest(
            request.header(TOKEN_HEADER).encode(), expected.encode()
        ):
            return _error(401, f"the control endpoint needs the {TOKEN_HEADER} header")
        try:
            body = request.json_body()
        except ValueError:
            return _error(400, "the body is not valid JSON")
        path = request.segments[1:]
        try:
            return self._dispatch(request.method, path, request.query, body)
        except SandboxHttpError as refused:
            return refused.reply
        except (ValueError, TypeError) as invalid:
            return _error(400, str(invalid))

    def _dispatch(self, method: str, path: list[str], query: dict[str, str], body: Any) -> Reply:
        server = self._server
        head = path[0] if path else ""
        route = (method, head, len(path))
        if route == ("GET", "state", 1):
            return Reply(200, self.state())
        if route == ("GET", "sessions", 1):
            return Reply(200, self.sessions())
        if route == ("POST", "sessions", 2) and path[1] == "expire":
            return Reply(200, self.expire_sessions(body))
        if route == ("GET", "requests", 1):
            limit = int(query["limit"]) if query.get("limit") else None
            entries = server.request_log.as_json(limit)
            return Reply(200, {"count": len(entries), "requests": entries})
        if route == ("DELETE", "requests", 1):
            return Reply(200, {"cleared": server.request_log.clear()})
        if head == "faults":
            return self._faults(method, path[1:], body)
        if route == ("PATCH", "config", 1):
            return Reply(200, {"config": self.patch_config(body)})
        if route == ("GET", "config", 1):
            return Reply(200, {"config": public_settings(server.config)})
        if route == ("GET", "clock", 1):
            return Reply(200, self.clock())
        if route == ("POST", "clock", 2) and path[1] == "advance":
            if not isinstance(body, dict) or not isinstance(body.get("seconds"), int | float):
                raise ValueError('send {"seconds": <number>}')
            server.clock.advance(float(body["seconds"]))
            return Reply(200, self.clock())
        if head == "data":
            return self._data(method, path[1:], query, body)
        if head == "push":
            return self._push(method, path[1:], body)
        return _error(404, f"no control call {method} /{CONTROL_PREFIX}/{'/'.join(path)}")

    # ------------------------------------------------------------------ calls
    def state(self) -> dict:
        server = self._server
        sessions = server.sessions.open_sessions()
        return {
            "base_url": server.base_url,
            "config": public_settings(server.config),
            "sessions": {
                "open": len(sessions),
                "max": server.config.max_sessions,
                "peak": server.sessions.peak_open,
                "refused": server.sessions.refused,
            },
            "oauth": server.oauth.summary(),
            "requests": {"logged": len(server.request_log), **server.limits.summary()},
            "faults": len(server.faults.rules()),
            "clock": self.clock(),
            "entities_installed": server.entities is not None,
        }

    def sessions(self) -> dict:
        now = self._server.clock.now()
        sessions = self._server.sessions.open_sessions()
        return {"count": len(sessions), "sessions": [s.summary(now) for s in sessions]}

    def expire_sessions(self, body: Any) -> dict:
        """``{}`` closes every session; ``{"idle_only": true}`` only those past the idle timeout
        (what Acumatica does on its own); ``{"session_id": "..."}`` one session."""
        body = body or {}
        if not isinstance(body, dict):
            raise ValueError("send a JSON object")
        registry = self._server.sessions
        if body.get("session_id"):
            expired = int(registry.close(str(body["session_id"])))
        elif body.get("idle_only"):
            expired = registry.expire_idle()
        else:
            expired = registry.close_all()
        return {"expired": expired, "open": len(registry)}

    def patch_config(self, body: Any) -> dict:
        if not isinstance(body, dict) or not body:
            raise ValueError("send a JSON object of settings to change")
        config = self._server.config
        changes = {}
        for name, value in body.items():
            if name not in RUNTIME_SETTINGS:
                raise ValueError(f"{name!r} cannot change at run time")
            changes[name] = _checked(name, value, getattr(config, name))
        for name, value in changes.items():
            setattr(config, name, value)
        return public_settings(config)

    def clock(self) -> dict:
        clock = self._server.clock
        return {"now": iso(clock.now()), "offset_seconds": clock.offset}

    def _faults(self, method: str, rest: list[str], body: Any) -> Reply:
        faults = self._server.faults
        if method == "GET" and not rest:
            return Reply(200, {"faults": [r.to_json() for r in faults.rules()]})
        if method == "POST" and not rest:
            rules = body if isinstance(body, list) else [body]
            added = [faults.add(FaultRule.from_json(rule)) for rule in rules]
            return Reply(201, {"faults": [r.to_json() for r in added]})
        if method == "DELETE" and not rest:
            faults.clear()
            return Reply(200, {"faults": []})
        if method == "DELETE" and len(rest) == 1 and rest[0].isdigit():
            if faults.remove(int(rest[0])):
                return Reply(200, {"removed": int(rest[0])})
            return _error(404, f"no fault {rest[0]}")
        return _error(404, "faults: GET, POST or DELETE /_sandbox/faults[/<id>]")

    def _push(self, method: str, rest: list[str], body: Any) -> Reply:
        """Push notification destinations (push.py): GET lists them with what was sent, POST
        adds one (``{"address": …, "header_name": …, "header_value": …, "entity": "SalesOrder"
        | "Shipment", "delay", "drop_rate", "duplicate_rate", …}``), DELETE /<id> removes one."""
        push = self._server.push
        if push is None:
            return _error(501, "the sandbox's entity layer is not installed")
        if method == "GET" and not rest:
            return Reply(
                200,
                {
                    "destinations": [d.public() for d in push.destinations()],
                    "stats": dataclasses.asdict(push.stats),
                },
            )
        if method == "POST" and not rest:
            if not isinstance(body, dict):
                raise ValueError("send a destination object")
            try:
                destination = PushDestination(**body)
            except TypeError as exc:
                raise ValueError(f"unknown destination field: {exc}") from None
            return Reply(201, push.add(destination).public())
        if method == "DELETE" and len(rest) == 1 and rest[0].isdigit():
            if push.remove(int(rest[0])):
                return Reply(200, {"removed": int(rest[0])})
            return _error(404, f"no push destination {rest[0]}")
        return _error(404, "push: GET or POST /_sandbox/push, DELETE /_sandbox/push/<id>")

    def _data(self, method: str, rest: list[str], query: dict[str, str], body: Any) -> Reply:
        if self._server.data is None:
            return _error(501, "the sandbox's entity layer is not installed")
        from .data_control import handle_data_control

        return handle_data_control(self._server.data, method, rest, query, body)


def public_settings(config: SandboxConfig) -> dict:
    """The config without its secrets."""
    return {
        name: value
        for name, value in dataclasses.asdict(config).items()
        if name not in _SECRET_SETTINGS
    }


def _checked(name: str, value: Any, current: Any) -> Any:
    if isinstance(current, bool):
        valid = isinstance(value, bool)
    elif isinstance(current, int):
        valid = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    elif isinstance(current, float):
        valid = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    elif isinstance(current, list):
        valid = isinstance(value, list) and all(isinstance(v, str) for v in value)
    else:
        valid = isinstance(value, str)
    if not valid:
        raise ValueError(f"{name} must be like {current!r}")
    if name == "tenants" and not value:
        raise ValueError("tenants cannot be empty")
    if name == "login_limit_status" and value not in (429, 500):
        raise ValueError("login_limit_status must be 429 or 500")
    return float(value) if isinstance(current, float) else value


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"error": message})

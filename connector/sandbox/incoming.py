"""One HTTP request as the sandbox's handlers see it, already read off the socket."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class IncomingRequest:
    method: str
    # The path as sent (percent-encoded, without the query string) and its decoded segments.
    path: str
    segments: list[str]
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes = b""
    # Values the handlers attach on the way (who called, which fault fired) for the request log.
    notes: dict[str, Any] = field(default_factory=dict)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    @property
    def host_url(self) -> str:
        """Scheme and authority the client used, e.g. ``http://127.0.0.1:8123``."""
        return "http://" + (self.header("host") or "localhost")

    @property
    def media_type(self) -> str:
        return self.header("content-type").split(";", 1)[0].strip().lower()

    @cached_property
    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        for chunk in self.header("cookie").split(";"):
            try:
                jar.load(chunk.strip())
            except CookieError:
                # One malformed cookie must not hide the others (browsers behave the same way).
                continue
        return {name: morsel.value for name, morsel in jar.items()}

    @property
    def bearer_token(self) -> str | None:
        scheme, _, token = self.header("authorization").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        return None

    def json_body(self) -> Any:
        """The decoded JSON body, None when empty; ValueError when it is not valid JSON."""
        if not self.body.strip():
            return None
        return json.loads(self.body.decode("utf-8-sig"))

    def form_body(self) -> dict[str, str]:
        text = self.body.decode("utf-8", errors="replace")
        return dict(parse_qsl(text, keep_blank_values=True))

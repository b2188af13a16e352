"""Injected failures: what a real Acumatica, its IIS and the network do to a client on a bad day.

A rule matches a method and a path pattern (``fnmatch``, case-insensitive, against the path after
the site, e.g. ``/entity/Default/24.200.001/Shipment``), so ``PUT */Shipment`` hits shipment
writes and ``POST */ConfirmShipment`` the confirm action. Kinds:

* ``error500``: Acumatica's HttpError 500 (default "Operation failed", PXInvalidOperationException);
* ``error429``: the licence's 429 with ``Retry-After``;
* ``slow``: wait ``delay`` seconds, then answer normally (holds a request slot meanwhile);
* ``drop``: close the connection before processing: nothing happened, no reply;
* ``lost_reply``: process the request (the write is applied), then close without replying;
* ``html``: an IIS/http.sys HTML error page with ``status`` 500, 502 or 503;
* ``drip``: a hostile or broken server: 200 ``application/json`` (no Content-Length), then a
  body that never stops (``size`` 0) or stops after ``size`` bytes, a byte every ``delay``
  seconds (``delay`` 0: as fast as it goes, 64 KiB at a time). Not processed;
* ``raw``: answer ``status`` with ``body`` exactly as given, as ``content_type``: a broken
  proxy, unparsable or hostile JSON. Not processed.

When it fires: ``every`` Nth match, then with ``probability`` (a RNG seeded from config.seed, so
runs repeat), at most ``times`` times. Scope ``entity`` (default) covers calls under
``/entity/<endpoint>/<version>/``; ``auth`` covers sign-in, sign-out and ``/identity/``; ``all``
covers both plus discovery.
"""

from __future__ import annotations

import fnmatch
import itertools
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields

from . import iis, webapi
from .http import Reply, http_error

FAULT_KINDS = ("error500", "error429", "slow", "drop", "lost_reply", "html", "drip", "raw")
# What the sandbox answers without processing the request.
ANSWERING_KINDS = ("error500", "error429", "html", "drip", "raw")
FAULT_SCOPES = ("entity", "auth", "all")
_HTML_STATUSES = (500, 502, 503)
_ids = itertools.count(1)


@dataclass
class FaultRule:
    kind: str
    method: str = "*"
    path: str = "*"
    scope: str = "entity"
    times: int | None = None
    probability: float | None = None
    every: int | None = None
    delay: float = 1.0
    status: int = 500
    retry_after: int = 1
    size: int = 0
    body: str = ""
    content_type: str = "application/json; charset=utf-8"
    exception_message: str = "Operation failed"
    exception_type: str = "PX.Data.PXInvalidOperationException"
    id: int = field(default_factory=lambda: next(_ids))
    matched: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        if self.scope not in FAULT_SCOPES:
            raise ValueError(f"scope must be one of {', '.join(FAULT_SCOPES)}")
        if self.kind == "html" and self.status not in _HTML_STATUSES:
            raise ValueError("an html fault's status must be 500, 502 or 503")
        if self.kind == "raw" and not 100 <= self.status <= 599:
            raise ValueError("a raw fault's status must be an HTTP status (100-599)")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1")
        if self.every is not None and self.every < 1:
            raise ValueError("every must be at least 1")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise ValueError("probability must be between 0 and 1")
        if self.delay < 0 or self.retry_after < 0 or self.size < 0:
            raise ValueError("delay, retry_after and size cannot be negative")

    @classmethod
    def from_json(cls, body: object) -> FaultRule:
        """Build a rule from control-endpoint JSON; ``"match": "PUT */Shipment"`` is shorthand for
        method + path. Raises ValueError with a message for the caller."""
        if not isinstance(body, dict):
            raise ValueError("a fault is a JSON object")
        body = dict(body)
        if "match" in body:
            method, _, path = str(body.pop("match")).strip().partition(" ")
            body.setdefault("method", method if path else "*")
            body.setdefault("path", path.strip() if path else method)
        settable = {f.name for f in fields(cls)} - {"id", "matched", "fired"}
        unknown = set(body) - settable
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        try:
            return cls(**body)
        except TypeError as error:
            raise ValueError(str(error)) from None

    def matches(self, method: str, path: str, scope: str) -> bool:
        if self.scope != "all" and self.scope != scope:
            return False
        if self.method not in ("*", method.upper()):
            return False
        return fnmatch.fnmatchcase(path.lower(), self.path.lower())

    def reply(self) -> Reply:
        """What an answering fault (error500, error429, html, drip) sends."""
        if self.kind == "drip":
            return Reply(200, body=_drip(self.size, self.delay))
        if self.kind == "raw":
            return Reply(self.status, body=self.body.encode(), content_type=self.content_type)
        if self.kind == "error429":
            return webapi.too_many_requests(self.retry_after)
        if self.kind == "html":
            return iis.error_page(self.status)
        return http_error(500, self.exception_message, self.exception_type)

    def to_json(self) -> dict:
        return asdict(self)


class FaultInjector:
    def __init__(self, seed: int = 0):
        self._rules: list[FaultRule] = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def add(self, rule: FaultRule | None = None, /, **settings) -> FaultRule:
        """``add(FaultRule(...))`` or ``add(kind="drop", match="POST */Shipment", times=1)``."""
        if rule is None:
            rule = FaultRule.from_json(settings)
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            kept = [r for r in self._rules if r.id != rule_id]
            removed = len(kept) != len(self._rules)
            self._rules = kept
        return removed

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def pick(self, method: str, path: str, scope: str) -> FaultRule | None:
        """The first rule that fires for this request (counting matches on every rule)."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path, scope):
                    continue
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                rule.matched += 1
                if rule.every is not None and rule.matched % rule.every:
                    continue
                if rule.probability is not None and self._random.random() >= rule.probability:
                    continue
                rule.fired += 1
                return rule
        return None


def _drip(size: int, delay: float) -> Iterator[bytes]:
    """A JSON array that opens and never closes: ``[`` then spaces (valid JSON so far)."""
    step = 1 if delay > 0 else 64 * 1024
    sent = 0
    yield b"["
    while not size or sent < size:
        chunk = min(step, size - sent) if size else step
        if delay > 0:
            time.sleep(delay)
        yield b" " * chunk
        sent += chunk

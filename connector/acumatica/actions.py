"""Actions: ``POST <endpoint>/<Entity>/<Action>`` and the long-running-operation protocol
(API.md §5): 204 = done; 202 + ``Location`` = running, poll that URL with GET in the same session
until 204. ``Location`` is site-relative and already holds the virtual directory, so it is joined
to scheme + host (``ConnectionSettings.absolute``), never to the instance URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from . import dialect
from .config import ConnectionSettings
from .endpoints import EndpointVersion
from .errors import (
    ActionFailed,
    ActionOutcomeUnknown,
    ActionTimeout,
    NotFound,
    ServerError,
    UnexpectedResponse,
)
from .transport import RequestStats
from .values import wrap


@dataclass(frozen=True)
class ActionResult:
    """How an action ended: ``polls`` status requests over ``elapsed`` seconds. ``location`` is
    the URL Acumatica gave on the final 204, if any (the processed record)."""

    completed: bool
    status_url: str | None = None
    location: str | None = None
    polls: int = 0
    elapsed: float = 0.0


class ActionsMixin:
    """The action methods of :class:`~connector.acumatica.client.AcumaticaClient`, which
    provides the attributes declared here."""

    settings: ConnectionSettings
    version: EndpointVersion
    stats: RequestStats
    _sleep: Callable[[float], None]

    def _url(self, entity: str, *names: str) -> str:
        raise NotImplementedError

    def _request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        entity: str | None = None,
        ok: tuple[int, ...] = (200,),
        during: str | None = None,
    ) -> requests.Response:
        raise NotImplementedError

    def invoke_action(
        self,
        entity: str,
        action: str,
        record: Mapping[str, Any],
        parameters: Mapping[str, Any] | None = None,
        *,
        wait: bool = True,
        poll_interval: float | None = None,
        timeout: float | None = None,
    ) -> ActionResult:
        """``POST <endpoint>/<Entity>/<Action>`` with ``{"entity": record, "parameters": …}``.

        ``record`` identifies the record (``{"id": …}`` or its key fields). 204 means done; 202
        means running: its ``Location`` is polled in this same session every ``poll_interval``
        seconds until 204, or :class:`ActionTimeout` after ``timeout`` seconds (the action may
        still finish: re-read the record). Never re-sent automatically except after a 401.
        """
        body: dict[str, Any] = {"entity": dialect.body(self.version, entity, wrap(record))}
        if parameters:
            body["parameters"] = wrap(parameters)
        url = self._url(entity, action)
        started = time.monotonic()
        try:
            response = self._request(
                "POST", url, json=body, entity=entity, ok=(200, 202, 204), during=f"action {action}"
            )
        except NotFound as error:
            if error.status_code != 404:
                raise  # 500 NoEntitySatisfiesTheCondition: the record, not the action
            raise NotFound(
                f"{entity} has no action {action} in endpoint {self.settings.endpoint}",
                status_code=404,
                method="POST",
                url=url,
            ) from error
        if response.status_code != 202:
            return ActionResult(True, location=response.headers.get("Location"))
        status_path = response.headers.get("Location")
        if not status_path:
            raise UnexpectedResponse(
                f"Action {action} answered 202 without a Location to poll", status_code=202
            )
        status_url = self.settings.absolute(status_path)
        if not wait:
            return ActionResult(False, status_url=status_url)
        return self.wait_for_action(
            status_url,
            action=f"{entity}/{action}",
            poll_interval=poll_interval,
            timeout=timeout,
            started=started,
        )

    def wait_for_action(
        self,
        status_url: str,
        *,
        action: str = "action",
        poll_interval: float | None = None,
        timeout: float | None = None,
        started: float | None = None,
    ) -> ActionResult:
        """Poll a long-running action's status URL (absolute or site-relative) until 204."""
        interval = self.settings.action_poll_interval if poll_interval is None else poll_interval
        limit = self.settings.action_timeout if timeout is None else timeout
        started = time.monotonic() if started is None else started
        url = self.settings.absolute(status_url)
        polls = 0
        sessions_before = self.stats.reauthentications
        while True:
            # Sleep first: the POST has just answered 202, so an immediate poll would only
            # spend a request (and licence budget) to hear 202 again.
            elapsed = time.monotonic() - started
            self._sleep(min(interval, max(limit - elapsed, 0.0)))
            try:
                response = self._request(
                    "GET", url, ok=(200, 202, 204), during=f"status of {action}"
                )
            except ServerError as error:
                if error.status_code != 500 or not error.exception_type:
                    raise
                # Acumatica's own error body on the status URL: the operation ran and failed.
                raise ActionFailed(
                    f"{action} failed: {error.exception_message or error.message}",
                    action=action,
                    status_code=error.status_code,
                    exception_type=error.exception_type,
                    exception_message=error.exception_message,
                    method="GET",
                    url=url,
                ) from error
            polls += 1
            elapsed = time.monotonic() - started
            if self.stats.reauthentications != sessions_before:
                # The status URL lives in the session that started the action; a new session
                # is told 204 ("completed or was not created") whatever really happened.
                raise ActionOutcomeUnknown(
                    f"{action}: the session was renewed while polling, so its status is lost",
                    action=action,
                    location=url,
                    waited=elapsed,
                )
            if response.status_code != 202:
                return ActionResult(
                    True,
                    status_url=url,
                    location=response.headers.get("Location"),
                    polls=polls,
                    elapsed=elapsed,
                )
            if elapsed >= limit:
                raise ActionTimeout(
                    f"{action} still running after {elapsed:.1f}s ({polls} status checks)",
                    action=action,
                    location=url,
                    waited=elapsed,
                )

"""``AcumaticaClient``: the contract-based REST API of one instance, endpoint and user.

Records come back as Acumatica sends them (wrapped values, ``id``, ``_links``...), in the
connector's vocabulary whatever the endpoint version: 24.200.001's field names and Contract
Version 4's values (:mod:`.dialect` translates, from the facts in :mod:`.endpoints`); read them
with :mod:`connector.acumatica.values`. Bodies given to :meth:`AcumaticaClient.put` and to
actions may be plain or wrapped; they go through :func:`values.wrap`, then the same translation
the other way. Filters, ``$expand`` and ``$select`` use the same vocabulary.

A client is meant for one job on one thread (it holds one HTTP session, and with cookie sign-in
one Acumatica session); the limiter behind it is shared by every client in the process.

Retries: the only automatic retry is one re-authentication after a 401 (Acumatica rejected the
request before running it, so even a write is safe to repeat). A GET answered 429 with a
``Retry-After`` of at most ``max_retry_after`` seconds is sent again up to ``rate_limit_retries``
times; nothing else is repeated. A write whose answer was lost raises :class:`TransportError`
with ``outcome_unknown=True``: the caller re-reads before deciding to send it again.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

import requests

from . import dialect, endpoints
from .actions import ActionsMixin
from .auth import (
    Authenticator,
    CookieCredentials,
    OAuthCredentials,
    TokenState,
    authenticator_for,
)
from .classify import error_from_response, parse_retry_after
from .config import ConnectionSettings
from .discovery import DiscoveryMixin, InstanceInfo
from .errors import AcumaticaError, EndpointNotInstalled, UnexpectedResponse
from .limiter import Limiter, default_limiter
from .odata import Filter, query_params
from .recording import Recorder
from .responses import json_body, record_body
from .seats import Seat
from .transport import RequestStats, Transport
from .values import wrap

logger = logging.getLogger("connector.acumatica")

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULT_PAGE_SIZE = 500

Names = str | Iterable[str] | None


def _name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(f"not an Acumatica entity or action name: {value!r}")
    return value


def _names(value: Names) -> list[str] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item and item.strip()]


def _key_path(keys: Iterable[Any]) -> str:
    parts = [str(k) for k in keys]
    if not parts or any(p == "" for p in parts):
        raise ValueError("key values must be non-empty")
    # Each key is one path segment: a "/" inside a key must not split it.
    return "/".join(quote(p, safe="") for p in parts)


class AcumaticaClient(DiscoveryMixin, ActionsMixin):
    """One Acumatica instance + endpoint + integration user.

    ``sign_out_on_close``: cookie sessions are always signed out on close (each holds a licence
    seat). OAuth signs out on close when the caller does not keep the tokens (no
    ``on_token_change``) or the scope has ``api:concurrent_access``; when the tokens are kept, the
    ``api offline_access`` session belongs to the grant and the next job reuses it with the stored
    token, so close leaves it open. Pass True where the session must be released whatever
    happens next (a connection test), or call :meth:`sign_out`.

    ``seat``: the licence seat this client's session counts against (``seats.Seat``). Its first
    request waits for a free seat; close always signs out, then gives the seat back, so the
    next job of any store on the instance can sign in. A sign-out that fails keeps the seat
    until its lease runs out, when Acumatica has closed the idle session itself.
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        credentials: OAuthCredentials | CookieCredentials,
        *,
        token_state: TokenState | None = None,
        on_token_change: Callable[[TokenState], None] | None = None,
        limiter: Limiter | None = None,
        recorder: Recorder | None = None,
        sign_out_on_close: bool | None = None,
        rate_limit_retries: int = 1,
        max_retry_after: float = 10.0,
        session: requests.Session | None = None,
        seat: Seat | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        # What the store's endpoint version names and wraps differently (endpoints.py).
        self.version = endpoints.version_of(settings.endpoint_version)
        self._transport = Transport(
            settings,
            limiter=limiter or default_limiter(),
            recorder=recorder,
            session=session,
            seat=seat,
        )
        self._seat = seat
        self._auth: Authenticator = authenticator_for(
            credentials, settings, token_state=token_state, on_token_change=on_token_change
        )
        if isinstance(credentials, CookieCredentials) and sign_out_on_close is False:
            raise ValueError("a cookie session is always signed out on close")
        self._sign_out_on_close = seat is not None or (
            self._auth.sign_out_on_close if sign_out_on_close is None else sign_out_on_close
        )
        self._rate_limit_retries = rate_limit_retries
        self._max_retry_after = max_retry_after
        self._sleep = sleep
        self._instance_info: InstanceInfo | None = None
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"AcumaticaClient({self.settings.instance_url!r}, {self.settings.endpoint!r}, "
            f"auth={type(self._auth).__name__})"
        )

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> AcumaticaClient:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.close()

    def close(self) -> None:
        """Sign out (per ``sign_out_on_close``) and release the HTTP connections. Never raises:
        a failed sign-out is logged (the session then idles out after 10 minutes) so that it
        cannot hide the error that ended the ``with`` block or fail work that succeeded."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._sign_out_on_close and self._auth.holds_session:
                self._auth.sign_out(self._transport)
            if self._seat is not None:
                self._seat.give_back()
        except AcumaticaError as exc:
            logger.warning("Acumatica sign-out failed: %s", exc)
        finally:
            self._transport.close()

    def sign_in(self) -> None:
        """Sign in now (otherwise the first request does)."""
        self._check_open()
        self._auth.ensure(self._transport)

    def sign_out(self) -> None:
        """Close the Acumatica session now; raises if Acumatica refuses."""
        self._auth.sign_out(self._transport)

    @property
    def signed_in(self) -> bool:
        return self._auth.signed_in

    @property
    def stats(self) -> RequestStats:
        return self._transport.stats

    @property
    def request_count(self) -> int:
        """HTTP requests sent by this client so far, sign-in and sign-out included."""
        return self._transport.stats.requests

    @property
    def token_state(self) -> TokenState | None:
        """Current OAuth tokens (to persist encrypted), None for a cookie session."""
        return getattr(self._auth, "tokens", None)

    # --- records -----------------------------------------------------------------------------

    def list(
        self,
        entity: str,
        *,
        filter: Filter | str | None = None,
        expand: Names = None,
        select: Names = None,
        custom: Names = None,
        top: int | None = None,
        skip: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """One ``GET <endpoint>/<Entity>`` (a single page). Without ``top`` Acumatica returns
        every match: prefer :meth:`iter_pages` for anything that can grow."""
        params = self._params(
            entity, filter=filter, expand=expand, select=select, custom=custom, top=top, skip=skip
        )
        response = self._request(
            "GET", self._url(entity), params=params, headers=headers, entity=entity
        )
        body = json_body(response)
        if not isinstance(body, list):
            raise UnexpectedResponse(
                f"Expected a JSON array of {entity} records", status_code=response.status_code
            )
        return [dialect.record(self.version, entity, item) for item in body]

    def iter_pages(
        self,
        entity: str,
        *,
        filter: Filter | str | None = None,
        expand: Names = None,
        select: Names = None,
        custom: Names = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        start: int = 0,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield pages of up to ``page_size`` records (``$top``/``$skip``), one request each,
        holding only the current page. Stops after the first short page, so N records cost
        ``N // page_size + 1`` requests. Acumatica documents no page order and has no
        ``$orderby``: page on a stable filter and de-duplicate by key."""
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        skip = start
        while True:
            page = self.list(
                entity,
                filter=filter,
                expand=expand,
                select=select,
                custom=custom,
                top=page_size,
                skip=skip or None,
                headers=headers,
            )
            if len(page) > page_size:
                # The server ignored $top: paging on would repeat records.
                raise UnexpectedResponse(
                    f"Acumatica returned {len(page)} {entity} records for $top={page_size}"
                )
            if page:
                yield page
            if len(page) < page_size:
                return
            skip += page_size

    def iter_records(self, entity: str, **options: Any) -> Iterator[dict[str, Any]]:
        """Every record of :meth:`iter_pages`, one at a time."""
        for page in self.iter_pages(entity, **options):
            yield from page

    def get(
        self,
        entity: str,
        *keys: Any,
        expand: Names = None,
        select: Names = None,
        custom: Names = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """``GET <endpoint>/<Entity>/<key1>/<key2>`` (keys in the form's key order, e.g.
        ``get("SalesOrder", "SO", "000123")``). A missing record raises :class:`NotFound`."""
        params = self._params(entity, expand=expand, select=select, custom=custom)
        url = f"{self._url(entity)}/{_key_path(keys)}"
        response = self._request("GET", url, params=params, headers=headers, entity=entity)
        return dialect.record(self.version, entity, record_body(response, entity))

    def get_by_id(self, entity: str, record_id: str, **options: Any) -> dict[str, Any]:
        """``GET <endpoint>/<Entity>/<id>``; the id is the record's ``id`` (its NoteID)."""
        return self.get(entity, record_id, **options)

    def put(
        self,
        entity: str,
        body: Mapping[str, Any],
        *,
        expand: Names = None,
        select: Names = None,
        custom: Names = None,
        create_only: bool = False,
        update_only: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """``PUT <endpoint>/<Entity>``: insert or update (found by key fields or ``id``).

        ``create_only`` sends ``If-None-Match: *`` and ``update_only`` ``If-Match: *``; either
        raises :class:`PreconditionFailed` when the record's existence is not as required. List
        every nested entity you need back in ``expand``. Not retried on anything but a 401.
        """
        if create_only and update_only:
            raise ValueError("create_only and update_only exclude each other")
        extra = dict(headers or {})
        if create_only:
            extra["If-None-Match"] = "*"
        if update_only:
            extra["If-Match"] = "*"
        params = self._params(entity, expand=expand, select=select, custom=custom)
        sent = dialect.body(self.version, entity, wrap(body))
        response = self._request(
            "PUT", self._url(entity), params=params, json=sent, headers=extra, entity=entity
        )
        return dialect.record(self.version, entity, record_body(response, entity))

    def delete(self, entity: str, *keys: Any) -> None:
        """``DELETE <endpoint>/<Entity>/<keys>`` (or an id). Detail lines are removed with a PUT
        carrying ``"delete": true`` instead."""
        url = f"{self._url(entity)}/{_key_path(keys)}"
        self._request("DELETE", url, entity=entity, ok=(200, 204))

    def get_link(self, link: str, **options: Any) -> Any:
        """GET a ``_links`` value (site-relative, e.g. ``/Site/entity/Default/…/<id>``)."""
        params = query_params(**options) if options else None
        response = self._request("GET", self.settings.absolute(link), params=params)
        return json_body(response)

    # --- plumbing ----------------------------------------------------------------------------

    def _params(
        self,
        entity: str,
        *,
        filter: Filter | str | None = None,
        expand: Names = None,
        select: Names = None,
        custom: Names = None,
        top: int | None = None,
        skip: int | None = None,
    ) -> dict[str, str]:
        """The ``$``-options in this endpoint version's terms (:func:`dialect.query`)."""
        translated = dialect.query(
            self.version, entity, filter=filter, expand=_names(expand), select=_names(select)
        )
        return {**translated, **query_params(custom=custom, top=top, skip=skip)}

    def _url(self, entity: str, *names: str) -> str:
        """``<endpoint>/<Entity>[/<Action>]``, names checked so none can add path segments."""
        parts = [_name(entity), *(_name(n) for n in names)]
        return "/".join([self.settings.endpoint_url, *parts])

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this AcumaticaClient is closed")

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        entity: str | None = None,
        ok: tuple[int, ...] = (200,),
        during: str | None = None,
    ) -> requests.Response:
        self._check_open()
        reauthenticated = False
        rate_retries = 0
        while True:
            self._auth.ensure(self._transport)
            response = self._transport.send(
                method,
                url,
                params=params,
                json=json,
                headers={**self._auth.headers(), **(headers or {})},
            )
            status = response.status_code
            if status in ok:
                return response
            if status == 401 and not reauthenticated:
                reauthenticated = True
                self._transport.stats.reauthentications += 1
                logger.info("Acumatica answered 401; signing in again once")
                self._auth.reauthenticate(self._transport)
                continue
            if status == 429 and method == "GET" and rate_retries < self._rate_limit_retries:
                wait = parse_retry_after(response.headers.get("Retry-After"))
                if wait is not None and wait <= self._max_retry_after:
                    rate_retries += 1
                    self._transport.stats.retries_after_429 += 1
                    self._sleep(wait)
                    continue
            raise self._error(response, entity=entity, during=during)

    def _error(
        self, response: requests.Response, *, entity: str | None, during: str | None
    ) -> AcumaticaError:
        error = error_from_response(response, entity=entity, during=during)
        if response.status_code == 404 and response.url.startswith(self.settings.endpoint_url):
            # Acumatica answers 404 for an unknown endpoint/version too; only GET /entity can
            # tell that apart from a missing action or record.
            try:
                info = self.discover(refresh=True)
            except AcumaticaError:
                return error
            if not info.has_endpoint(self.settings.endpoint_name, self.settings.endpoint_version):
                return EndpointNotInstalled(
                    endpoint=self.settings.endpoint,
                    installed=info.installed,
                    status_code=404,
                    method=response.request.method,
                    url=response.url,
                )
        return error

"""Failures any network check can meet — the host, TLS, throttling, Acumatica's own errors —
as an outcome that names the cause and the fix. Each check handles what is specific to it
(403 on its entity, a missing record) and hands the rest here."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from connector.acumatica import (
    AcumaticaError,
    AnswerTooSlow,
    CircuitOpen,
    EndpointNotInstalled,
    Forbidden,
    NotLoggedIn,
    RateLimited,
    RequestTimeout,
    ServerError,
    SetupNotEntered,
    Throttled,
    TLSError,
    TransportError,
    UnexpectedResponse,
)

from .outcome import Context, Outcome, fail

_DNS = re.compile(r"resolve|name or service not known|nodename nor servname|getaddrinfo", re.I)
_REFUSED = re.compile(r"refused|actively refused", re.I)
_GUARD = re.compile(r"not a public address", re.I)
RETRY_LATER = "Test again in a few minutes."


def halts(error: AcumaticaError) -> bool:
    """Whether the checks after this one should not run: the instance is unreachable, failing
    or throttling, and more requests would only add to its load."""
    if isinstance(error, SetupNotEntered):
        return False
    if isinstance(error, UnexpectedResponse):
        return (error.status_code or 0) >= 500
    return isinstance(error, TransportError | RateLimited | CircuitOpen | ServerError)


def host_of(ctx: Context) -> str:
    return urlsplit(ctx.store.instance_url).netloc or ctx.store.instance_url


def detail(error: AcumaticaError) -> str:
    """The reason inside a transport error's message, without the client's own prefix."""
    text = error.message
    for prefix in (
        "TLS/SSL error talking to Acumatica: ",
        "Could not connect to Acumatica: ",
        "Connection to Acumatica lost before its answer arrived: ",
    ):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def describe(error: AcumaticaError, ctx: Context) -> Outcome:
    host = host_of(ctx)
    if isinstance(error, TLSError):
        return fail(
            f"A secure (TLS) connection to {host} could not be set up: {detail(error)}.",
            "Use the exact https:// address of the site, with the host name its certificate is "
            "issued for. The certificate must be valid, unexpired and from a public certificate "
            "authority (self-signed and internal-CA certificates are refused). If the port only "
            "serves plain http, the address is wrong: Acumatica requires https for OAuth.",
        )
    if isinstance(error, AnswerTooSlow):
        return fail(
            f"{host} started answering but its answer was still arriving after "
            f"{ctx.acumatica.settings.deadline:g} s.",
            "Something between this server and Acumatica (a proxy, a firewall inspecting "
            "traffic) is holding the answer back, or the site is overloaded. Test again; if it "
            "persists, check the path to the site.",
        )
    if isinstance(error, RequestTimeout):
        connecting = "connecting" in error.message
        settings = ctx.acumatica.settings
        return fail(
            f"{host} did not accept a connection within {settings.connect_timeout:g} s."
            if connecting
            else f"{host} accepted the connection but did not answer within "
            f"{settings.read_timeout:g} s.",
            "Check the host and port of the Instance URL and that this server may reach the site "
            "(firewall, VPN, or an IP allow-list on the Acumatica side). If the site is only "
            "slow right now, test again.",
        )
    if isinstance(error, TransportError):
        return _unreachable(error, ctx)
    if isinstance(error, CircuitOpen):
        return fail(
            f"Calls to {host} are paused for {error.retry_after or 30:.0f} s because it failed "
            "several times in a row.",
            "Wait, then test again. If it keeps failing, check that the Acumatica site is up.",
        )
    if isinstance(error, Throttled):
        return fail(
            f"The connector is already sending as many requests to {host} as it allows itself.",
            RETRY_LATER,
        )
    if isinstance(error, RateLimited):
        return fail(
            "Acumatica is throttling API requests (HTTP 429): the licence's limit of concurrent "
            "requests or requests per minute is reached.",
            "Wait a minute and test again. If it persists, other integrations are using the "
            "instance's API budget: the License Monitoring Console (SM604000) shows the limits.",
        )
    if isinstance(error, SetupNotEntered):
        return fail(
            f"Acumatica is missing required configuration: {error.message}",
            "Ask the Acumatica administrator to complete the form the message names, then test "
            "again.",
        )
    if isinstance(error, ServerError):
        said = f": {error.message}" if error.message != error.summary else ""
        return fail(
            f"Acumatica failed with an internal error (HTTP {error.status_code}){said}.",
            f"This is usually temporary. {RETRY_LATER} If it keeps failing, ask the Acumatica "
            "administrator to look at the site's trace.",
        )
    if isinstance(error, UnexpectedResponse) and (error.status_code or 0) >= 500:
        return fail(
            f"{host} answered HTTP {error.status_code} with an error page instead of the API: the "
            "site is down, restarting, or behind a proxy that cannot reach it.",
            f"{RETRY_LATER} If it keeps failing, ask the Acumatica administrator to check the "
            "site.",
        )
    if isinstance(error, UnexpectedResponse):
        # No body text here: after sign-in a page that echoes the request could hold the token.
        return fail(
            f"{host} answered something that is not Acumatica's API (HTTP {error.status_code}).",
            "Check that the Instance URL is the Acumatica site itself, including its virtual "
            "directory (e.g. https://erp.example.com/AcumaticaERP), not a proxy or login page.",
        )
    if isinstance(error, EndpointNotInstalled):
        return fail(
            error.message,
            "Choose an installed endpoint version, or install this one on Web Service "
            "Endpoints (SM207060).",
        )
    if isinstance(error, Forbidden):
        return fail(
            error.message,
            "In User Roles (SM201005), give the integration user's role access to the form of "
            "that entity.",
        )
    if isinstance(error, NotLoggedIn):
        return fail(
            "Acumatica ended the session during the test (HTTP 401, also after signing in again).",
            f"{RETRY_LATER} If it repeats, check the access token lifetime of the connected "
            "application on Connected Applications (SM303010).",
        )
    return fail(f"{error.summary}: {error.message}", RETRY_LATER)


def _unreachable(error: TransportError, ctx: Context) -> Outcome:
    host = host_of(ctx)
    parts = urlsplit(ctx.store.instance_url)
    reason = detail(error)
    if _GUARD.search(reason):
        return fail(
            f"{parts.hostname} resolves to a private or local address, which the connector does "
            "not call.",
            "Use the public address of the Acumatica site.",
        )
    if _DNS.search(reason):
        return fail(
            f"The host name {parts.hostname} does not resolve (DNS): there is no such host.",
            "Check the Instance URL for typos: it is the address you open Acumatica at in a "
            "browser, e.g. https://erp.example.com/AcumaticaERP.",
        )
    if _REFUSED.search(reason):
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return fail(
            f"{host} refused the connection: nothing accepts connections on port {port}.",
            "Check the port in the Instance URL (https normally uses 443, with no port written) "
            "and that the Acumatica site is running.",
        )
    return fail(
        f"Could not reach {host}: {reason}.",
        "Check the Instance URL and that the site is up and reachable from this server.",
    )

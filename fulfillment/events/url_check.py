"""A subscriber URL is user input the connector will POST to: the same address rules as the
Instance URL (stores.url_safety): http(s) only, no credentials in it, and only public addresses
unless CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS (demo and tests) allows private ones. Delivery then
goes through ``guarded_session``, which checks the address of every connection it opens, so a
DNS answer that changes after this check still cannot reach a private address."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from stores.url_safety import is_public_address, private_addresses_allowed

MAX_URL_LENGTH = 2000


def subscriber_url_check(url: str, *, resolve: bool = True) -> str:
    """The URL, stripped, or ValidationError({"url": ...}) with a message a person can act on."""
    url = (url or "").strip()

    def refuse(message: str) -> ValidationError:
        return ValidationError({"url": message})

    if not url:
        raise refuse("Give the address events are POSTed to, e.g. https://wms.example.com/hooks.")
    if len(url) > MAX_URL_LENGTH:
        raise refuse(f"The address is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refuse("The address is not a valid URL (check its port).") from None
    if parts.scheme not in ("http", "https"):
        raise refuse("The address must start with https:// (or http://).")
    if not parts.hostname:
        raise refuse("The address has no host name.")
    if parts.username or parts.password:
        raise refuse(
            "The address must not contain a user name or password: every request is signed "
            "with the subscription's secret instead."
        )
    if parts.fragment:
        raise refuse("The address must not have a #fragment.")
    if not resolve or private_addresses_allowed():
        return url
    try:
        infos = socket.getaddrinfo(
            parts.hostname,
            port or (443 if parts.scheme == "https" else 80),
            type=socket.SOCK_STREAM,
        )
    except (socket.gaierror, UnicodeError):
        raise refuse(f"The host name {parts.hostname!r} does not resolve.") from None
    refused = sorted({info[4][0] for info in infos if not is_public_address(info[4][0])})
    if refused:
        raise refuse(
            f"{parts.hostname} resolves to a private, loopback or link-local address "
            f"({', '.join(refused)}). Events are only sent to public addresses."
        )
    return url

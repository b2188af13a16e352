"""The Instance URL is user input: only ever call public http(s) addresses.

Two layers, because a name can resolve differently between a check and a connection (DNS
rebinding): ``check_instance_url`` gives the user a clear message up front, and
``guarded_session`` re-checks the address of every connection actually opened, so neither a
redirect (the client never follows one anyway) nor a changed DNS answer reaches a private
address. Both are relaxed only by ``CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS`` (demo and tests).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .errors import StoreClientUnavailable


class UnsafeInstanceURL(StoreClientUnavailable, ValueError):
    """The URL is malformed or points somewhere the server must not call."""


def private_addresses_allowed() -> bool:
    return bool(settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS)


# IPv6 prefixes that carry an IPv4 address in their low 32 bits: the well-known NAT64 prefix
# (RFC 6052) reaches that IPv4 address through a translator.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Never public whatever they embed: local-use NAT64 (RFC 8215) and IPv4-compatible addresses
# (deprecated, RFC 4291).
_NEVER_PUBLIC = (ipaddress.ip_network("64:ff9b:1::/48"), ipaddress.ip_network("::/96"))


def is_public_address(address: str) -> bool:
    """True only for a global unicast address, and for an IPv6 one that embeds an IPv4 address
    (IPv4-mapped, 6to4, NAT64) only when that IPv4 address is global too."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in _NEVER_PUBLIC):
            return False
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            if not _global(embedded):
                return False
            if ip.ipv4_mapped:
                return True
    return _global(ip)


def _global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def check_instance_url(url: str, *, resolve: bool = True) -> None:
    """Raise UnsafeInstanceURL with a message a merchant can act on."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise UnsafeInstanceURL("The Instance URL must start with https:// (or http://).")
    if not parts.hostname:
        raise UnsafeInstanceURL("The Instance URL has no host name.")
    if parts.username or parts.password:
        raise UnsafeInstanceURL("The Instance URL must not contain a user name or password.")
    if parts.query or parts.fragment:
        raise UnsafeInstanceURL(
            "The Instance URL must be the site address only, without ?query or #fragment, "
            "e.g. https://erp.example.com/AcumaticaERP."
        )
    try:
        port = parts.port
    except ValueError:
        raise UnsafeInstanceURL("The Instance URL has an invalid port.") from None
    if not resolve or private_addresses_allowed():
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeInstanceURL(
            f"The host name {parts.hostname!r} does not resolve. Check the Instance URL for typos."
        ) from None
    refused = sorted({info[4][0] for info in infos if not is_public_address(info[4][0])})
    if refused:
        raise UnsafeInstanceURL(
            f"{parts.hostname} resolves to a private, loopback or link-local address "
            f"({', '.join(refused)}). The connector only calls Acumatica instances on public "
            "addresses."
        )


def _checked(sock: socket.socket, connection) -> socket.socket:
    address = sock.getpeername()[0]
    if not private_addresses_allowed() and not is_public_address(address):
        sock.close()
        raise urllib3.exceptions.NewConnectionError(
            connection,
            f"refused to connect to {address}: not a public address "
            "(see CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS)",
        )
    return sock


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(super()._new_conn(), self)


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(super()._new_conn(), self)


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)


def guarded_session() -> requests.Session:
    """A requests session whose every connection is checked against the address policy."""
    session = requests.Session()
    adapter = _GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session

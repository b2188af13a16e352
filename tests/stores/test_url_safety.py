"""The Instance URL guard: user input never makes the server call a private address.

No test here sends traffic anywhere but loopback: "public" addresses are IP literals, checked
without a connection, and every connection made goes to the test's own sandbox.
"""

from __future__ import annotations

import pytest
import requests

from connector.acumatica import TransportError
from stores import credentials
from stores.credentials import acumatica_client_for
from stores.url_safety import (
    UnsafeInstanceURL,
    check_instance_url,
    guarded_session,
    is_public_address,
)


@pytest.fixture
def private_urls_refused(settings):
    settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = False


@pytest.mark.usefixtures("private_urls_refused")
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8081/AcumaticaERP",
        "https://localhost/AcumaticaERP",
        "https://127.1/AcumaticaERP",  # short form of 127.0.0.1
        "https://2130706433/AcumaticaERP",  # 127.0.0.1 as one number
        "https://0x7f000001/AcumaticaERP",  # ... and in hexadecimal
        "https://0.0.0.0/AcumaticaERP",
        "https://10.1.2.3/AcumaticaERP",
        "https://172.16.0.1/AcumaticaERP",
        "https://172.31.255.254/AcumaticaERP",
        "https://192.168.1.10/AcumaticaERP",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata service
        "https://100.64.0.1/AcumaticaERP",  # carrier-grade NAT
        "https://[::1]/AcumaticaERP",
        "https://[::ffff:127.0.0.1]/AcumaticaERP",  # IPv4-mapped IPv6
        "https://[::ffff:10.0.0.1]/AcumaticaERP",
        "https://[fe80::1]/AcumaticaERP",
        "https://[fc00::1]/AcumaticaERP",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(url):
    with pytest.raises(UnsafeInstanceURL, match="private, loopback or link-local"):
        check_instance_url(url)


@pytest.mark.usefixtures("private_urls_refused")
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://erp.example.com/AcumaticaERP", "must start with https://"),
        ("file:///etc/passwd", "must start with https://"),
        ("gopher://erp.example.com/", "must start with https://"),
        ("erp.example.com/AcumaticaERP", "must start with https://"),
        ("https://user:pass@erp.example.com/AcumaticaERP", "must not contain a user name"),
        ("https://user@erp.example.com/AcumaticaERP", "must not contain a user name"),
        ("https:///AcumaticaERP", "has no host name"),
        ("https://erp.example.com/AcumaticaERP?x=1", r"without \?query"),
        ("https://erp.example.com:99999/AcumaticaERP", "invalid port"),
    ],
)
def test_malformed_urls_are_refused_before_any_lookup(url, message):
    with pytest.raises(UnsafeInstanceURL, match=message):
        check_instance_url(url, resolve=False)
    with pytest.raises(UnsafeInstanceURL, match=message):
        check_instance_url(url)


@pytest.mark.usefixtures("private_urls_refused")
@pytest.mark.parametrize("url", ["https://8.8.8.8/AcumaticaERP", "https://[2001:4860::8888]/x"])
def test_public_ip_literals_pass_without_any_connection(url):
    check_instance_url(url)  # resolving a literal is local: nothing is sent


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860::8888", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.0.1", False),
        ("169.254.1.1", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:8.8.8.8", True),
        ("fe80::1%eth0", False),
        ("224.0.0.1", False),
        # NAT64 (well-known prefix): the IPv4 address in the low 32 bits decides.
        ("64:ff9b::a00:1", False),  # 10.0.0.1
        ("64:ff9b::7f00:1", False),  # 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # 169.254.169.254, the cloud metadata address
        ("64:ff9b::808:808", True),  # 8.8.8.8
        ("64:ff9b:1::a00:1", False),  # local-use NAT64: never
        # 6to4: the embedded IPv4 address decides.
        ("2002:a00:1::1", False),  # 10.0.0.1
        ("2002:c0a8:1::1", False),  # 192.168.0.1
        ("2002:808:808::1", True),  # 8.8.8.8
        ("::10.0.0.1", False),  # IPv4-compatible (deprecated)
        ("::8.8.8.8", False),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # Teredo
    ],
)
def test_is_public_address(address, public):
    assert is_public_address(address) is public


def test_the_setting_relaxes_the_check_for_the_demo_and_tests(settings):
    settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = True
    check_instance_url("http://127.0.0.1:8081/AcumaticaERP")
    with pytest.raises(UnsafeInstanceURL):  # ... but never the shape rules
        check_instance_url("http://user:pw@127.0.0.1:8081/AcumaticaERP")


@pytest.mark.usefixtures("private_urls_refused")
def test_the_guarded_session_refuses_to_connect_to_loopback(sandbox):
    # As if a name had passed the check and then resolved to 127.0.0.1 (DNS rebinding): the
    # connection itself is refused, so not one request reaches the server.
    with guarded_session() as session, pytest.raises(requests.ConnectionError) as caught:
        session.get(f"{sandbox.base_url}/entity", timeout=5)
    assert "not a public address" in str(caught.value)
    assert sandbox.request_log.entries() == []


@pytest.mark.usefixtures("private_urls_refused")
def test_a_store_client_is_refused_at_both_layers(sandbox, store_factory, monkeypatch):
    store = store_factory(sandbox)

    with pytest.raises(UnsafeInstanceURL):
        acumatica_client_for(store)

    monkeypatch.setattr(credentials, "check_instance_url", lambda url: None)
    with acumatica_client_for(store) as client, pytest.raises(TransportError) as caught:
        client.list("SalesOrder", top=1)
    assert "not a public address" in str(caught.value)
    assert sandbox.request_log.entries() == []


def test_the_guarded_session_connects_when_private_addresses_are_allowed(sandbox):
    with guarded_session() as session:
        response = session.get(f"{sandbox.base_url}/entity", timeout=5)
    assert response.status_code < 500

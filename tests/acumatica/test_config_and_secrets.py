"""Settings, link joining, and that secrets stay out of reprs and recordings."""

from __future__ import annotations

import pytest

from connector.acumatica import (
    ConnectionSettings,
    CookieCredentials,
    OAuthCredentials,
    TokenState,
)
from connector.acumatica.recording import (
    REDACTED,
    redact_body,
    redact_headers,
)


def test_settings_normalise_and_build_urls():
    s = ConnectionSettings("https://ERP.example.com/AcumaticaERP/", endpoint_version="23.200.001")
    assert s.instance_url == "https://ERP.example.com/AcumaticaERP"
    assert s.site_root == "https://ERP.example.com"
    assert s.endpoint_url == "https://ERP.example.com/AcumaticaERP/entity/Default/23.200.001"
    assert s.instance_key == "https://erp.example.com/AcumaticaERP"
    assert s.timeout == (10.0, 120.0)


@pytest.mark.parametrize(
    "url", ["erp.example.com", "ftp://x", "https://x/?a=1", "https://u:p@x/site", "https://"]
)
def test_settings_reject_bad_urls(url):
    with pytest.raises(ValueError):
        ConnectionSettings(url)


def test_links_join_to_scheme_and_host_not_to_the_site():
    s = ConnectionSettings("https://h.example.com/AcumaticaERP")
    link = "/AcumaticaERP/entity/Default/24.200.001/Shipment/ConfirmShipment/status/abc"
    assert s.absolute(link) == "https://h.example.com" + link
    assert (
        s.absolute("https://h.example.com/AcumaticaERP/x") == "https://h.example.com/AcumaticaERP/x"
    )
    with pytest.raises(ValueError):
        s.absolute("https://evil.example.com/x")
    with pytest.raises(ValueError):
        s.absolute("relative/path")


def test_credentials_repr_hides_secrets():
    oauth = OAuthCredentials(
        client_id="B5D1E5A2-7C1F-4E36-9A0B-1F2E3D4C5B6A@Company",
        client_secret="s3cret-shared",
        username="integration",
        password="pa55word",
    )
    cookie = CookieCredentials(username="integration", password="pa55word", tenant="Company")
    for text in (repr(oauth), str(oauth), repr(cookie), str(cookie)):
        assert "s3cret-shared" not in text
        assert "pa55word" not in text
    assert "integration" in repr(oauth)
    assert oauth.tenant == "Company"
    assert oauth.scope == "api offline_access"
    assert (
        OAuthCredentials(client_id="GUID", client_secret="x", username="u", password="p").tenant
        is None
    )


def test_token_state_repr_and_round_trip():
    state = TokenState(access_token="AT-123", refresh_token="RT-456", expires_at=10.0, scope="api")
    assert "AT-123" not in repr(state)
    assert "RT-456" not in repr(state)
    assert TokenState.from_dict(state.to_dict()) == state
    assert TokenState.from_dict({"access_token": "a", "unknown": 1}).access_token == "a"
    assert state.access_valid(now=0.0, margin=5)
    assert not state.access_valid(now=6.0, margin=5)


def test_redaction():
    headers = redact_headers(
        {"Authorization": "Bearer AT", "Cookie": ".ASPXAUTH=abc", "Set-Cookie": "x", "Accept": "a"}
    )
    assert headers == {
        "Authorization": REDACTED,
        "Cookie": REDACTED,
        "Set-Cookie": REDACTED,
        "Accept": "a",
    }
    form = redact_body(
        "grant_type=password&client_id=ID%40T&client_secret=S&username=u&password=P%26W&scope=api",
        "application/x-www-form-urlencoded",
    )
    assert "P%26W" not in form and "client_secret=%5Bredacted%5D" in form
    assert "client_id=ID%40T" in form and "username=u" in form
    js = redact_body(b'{"name":"u","password":"pw","tenant":"T"}', "application/json")
    assert '"password": "[redacted]"' in js and "pw" not in js.replace("password", "")
    tokens = redact_body(
        b'{"access_token":"AT","refresh_token":"RT","expires_in":3600}', "application/json"
    )
    assert "AT" not in tokens.replace("access_token", "") and "RT" not in tokens.replace(
        "refresh_token", ""
    )
    assert redact_body("password: hunter2", "text/plain") == REDACTED
    assert redact_body(b"", "") is None

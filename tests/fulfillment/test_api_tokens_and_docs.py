"""create_api_token (key printed once, hash stored, merchants, --revoke) and the API's schema
and docs pages (Swagger UI from our own static files, nothing from a CDN)."""

from __future__ import annotations

import hashlib
import re
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command

from fulfillment.models import ApiToken

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_create_api_token_prints_the_key_once_and_stores_its_hash(merchant_factory, api_client):
    merchant_factory("Acme")
    merchant_factory("Globex")
    lines = run("--name", "WMS prod", "--merchant", "acme", "--merchant", "Globex")
    key = lines[-1]
    token = ApiToken.objects.get(name="WMS prod")
    assert re.fullmatch(r"a3pl_[A-Za-z0-9_-]{43}", key)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix) and len(token.prefix) < len(key) / 2
    assert sorted(token.merchants.values_list("name", flat=True)) == ["Acme", "Globex"]
    assert key not in str(ApiToken.objects.values())
    assert api_client(key).get("/api/v1/orders").status_code == 200

    out = StringIO()
    call_command("create_api_token", "--revoke", "WMS prod", stdout=out)
    assert "Revoked" in out.getvalue()
    assert ApiToken.objects.get(name="WMS prod").revoked_at is not None
    assert api_client(key).get("/api/v1/orders").status_code == 401


def test_create_api_token_errors(merchant_factory):
    merchant_factory("Acme")
    with pytest.raises(CommandError, match="No merchant is named 'Nobody'"):
        run("--name", "x", "--merchant", "Nobody")
    assert not ApiToken.objects.exists()
    # The scope is said, never implied: no merchant named and no --all-merchants is refused.
    with pytest.raises(CommandError, match="Name the merchants this token serves"):
        run("--name", "x")
    with pytest.raises(CommandError, match="either the merchants named or every merchant"):
        run("--name", "x", "--merchant", "Acme", "--all-merchants")
    assert not ApiToken.objects.exists()
    run("--name", "x", "--all-merchants")
    with pytest.raises(CommandError, match="exists already"):
        run("--name", "x", "--all-merchants")
    with pytest.raises(CommandError, match="No token is named"):
        run("--revoke", "y")
    with pytest.raises(CommandError):
        run("--name", "z", "--revoke", "x")


def test_a_token_sees_the_merchants_it_was_made_for_and_only_an_all_merchants_one_sees_all(
    sandbox, store_factory, merchant_factory, run_import, api_client
):
    from fulfillment.models import Order

    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    acme_store = store_factory(sandbox, merchant=acme)
    run_import(acme_store)
    run_import(store_factory(sandbox, merchant=globex))
    every = run("--name", "3PL-wide", "--all-merchants")
    scoped = run("--name", "Acme only", "--merchant", "Acme")
    assert "for every merchant" in every[0] and "for Acme" in scoped[0]

    def orders(key) -> int:
        response = api_client(key).get("/api/v1/orders", {"limit": 500})
        assert response.status_code == 200
        return len(response.json()["results"])

    assert orders(every[-1]) == Order.objects.count()
    assert orders(scoped[-1]) == Order.objects.filter(store=acme_store).count() > 0
    # Its only merchant is taken off it: the scoped token now sees nothing, not everything.
    ApiToken.objects.get(name="Acme only").merchants.clear()
    assert orders(scoped[-1]) == 0
    assert orders(every[-1]) == Order.objects.count() > 0


def test_a_token_for_every_merchant_lists_none(merchant_factory):
    key = run("--name", "all", "--all-merchants")[-1]
    assert "every merchant" in run("--name", "again", "--all-merchants")[0]
    token = ApiToken.objects.get(name="all")
    assert token.all_merchants and token.merchants.count() == 0
    assert key


def test_schema_describes_the_endpoints_and_the_token(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert set(schema["paths"]) == {
        "/api/v1/orders",
        "/api/v1/orders/{order_id}",
        "/api/v1/orders/{order_id}/acknowledge",
        "/api/v1/orders/{order_id}/fulfillments",
        "/api/v1/fulfillments/{fulfillment_id}",
        "/api/v1/events",
    }
    post = schema["paths"]["/api/v1/orders/{order_id}/fulfillments"]["post"]
    assert {"201", "200", "400", "409", "413"} <= set(post["responses"])
    assert schema["components"]["securitySchemes"]["ApiToken"]["name"] == "Authorization"
    schemas = schema["components"]["schemas"]
    unit = schemas["PackageInput"]["properties"]["weight_unit"]
    ref = unit.get("$ref") or unit["allOf"][0]["$ref"]
    assert schemas[ref.rsplit("/", 1)[1]]["enum"] == ["lb", "kg", "oz", "g"]


def test_docs_page_loads_only_local_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""url\s*[:=]\s*["']([^"']+)["']""", html)
    assert any("swagger-ui" in url for url in urls), urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
    assert "cdn" not in html.lower() and "unpkg" not in html and "jsdelivr" not in html
    # Served by whitenoise once collected (bin/run and deployments run collectstatic).
    for url in urls:
        if url.startswith(settings.STATIC_URL):
            assert finders.find(url.removeprefix(settings.STATIC_URL)), url

"""What every page carries: the icon (also at /favicon.ico, which browsers ask for anyway) and a
link to the API docs, for 3PL staff and merchant users alike."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders

from stores.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.THREEPL_OPERATOR, Role.MERCHANT_USER])
def test_pages_carry_the_icon_and_link_the_api_docs(client, user_factory, merchant_factory, role):
    merchant = merchant_factory("Acme") if role == Role.MERCHANT_USER else None
    client.force_login(user_factory(role, merchant=merchant))
    page = client.get("/console/").content.decode()
    assert '<link rel="icon" type="image/svg+xml" href="/static/img/favicon.svg">' in page
    assert '<a href="/api/docs/">API docs</a>' in page
    assert finders.find("img/favicon.svg")
    assert client.get("/api/docs/").status_code == 200


def test_favicon_ico_points_at_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.svg"

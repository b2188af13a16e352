"""The store dropdowns of the orders, import runs and "why not imported?" pages: a draft given
up half-way in the wizard is not offered (it has nothing to show), a store in use is, and so is a
draft that imported before its settings changed. Real imports from the sandbox."""

from __future__ import annotations

import pytest

from stores.models import Role, StoreConnection, StoreStatus

pytestmark = pytest.mark.django_db

PAGES = ("/orders/", "/orders/imports/", "/orders/why/")


def _options(html: str) -> str:
    return html[html.index("<select") : html.index("</select>")]


def test_only_stores_in_use_are_offered_to_filter_by(
    client, sandbox, store_factory, merchant_factory, user_factory, run_import
):
    merchant = merchant_factory("Acme")
    live = store_factory(sandbox, merchant=merchant, name="Live store")
    run_import(live)
    store_factory(sandbox, merchant=merchant, active=False, name="Abandoned draft")
    was_live = store_factory(sandbox, merchant=merchant, name="Back to draft")
    run_import(was_live)
    StoreConnection.objects.filter(pk=was_live.pk).update(status=StoreStatus.DRAFT)

    for role in (Role.THREEPL_OPERATOR, Role.MERCHANT_USER):
        client.force_login(
            user_factory(role, merchant=merchant if role == Role.MERCHANT_USER else None)
        )
        for page in PAGES:
            response = client.get(page)
            assert response.status_code == 200, page
            options = _options(response.content.decode())
            assert "Live store" in options and "Back to draft" in options, page
            assert "Abandoned draft" not in options, page

"""The audit log page: merchants see only their own entries, filters narrow the list (bad ones
are reported, never a 500), targets link to their pages, secrets never show."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from stores.audit import audit_record
from stores.models import AuditEntry, Role

URL = "/console/audit/"


@pytest.fixture
def world(sandbox, store_factory, merchant_factory, user_factory):
    """Two merchants with a store each, and entries about both plus a system-wide one."""
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    acme_store = store_factory(sandbox, merchant=acme, name="Acme main")
    globex_store = store_factory(sandbox, merchant=globex, name="Globex main")
    staff = user_factory(Role.THREEPL_OPERATOR, username="olga")
    acme_user = user_factory(Role.MERCHANT_USER, merchant=acme, username="ann")
    globex_user = user_factory(Role.MERCHANT_USER, merchant=globex, username="gus")
    # Creating the stores wrote entries of its own; these tests count exactly their own.
    AuditEntry.objects.all().delete()
    entries = {
        "acme_pause": audit_record(
            actor=staff,
            action="store.pause",
            summary="Paused Acme main",
            store=acme_store,
            target=acme_store,
            before={"status": "active"},
            after={"status": "paused"},
            reason="holiday shutdown",
        ),
        "acme_secret": audit_record(
            actor=acme_user,
            action="store.update",
            summary="Changed the client secret",
            store=acme_store,
            target=acme_store,
            before={"client_secret": "x-old-secret-value", "username": "api-old"},
            after={"client_secret": "y-new-secret-value", "username": "api-new"},
        ),
        "globex_import": audit_record(
            actor=globex_user,
            action="import.request",
            summary="Asked for an import of Globex main",
            store=globex_store,
            target=globex_store,
        ),
        "system": audit_record(actor=None, action="system.cleanup", summary="Nightly cleanup"),
    }
    return {
        "acme_store": acme_store,
        "globex_store": globex_store,
        "staff": staff,
        "acme_user": acme_user,
        "globex_user": globex_user,
        "entries": entries,
    }


def _page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response, response.content.decode()


def _shown_ids(response) -> set[int]:
    return {row["entry"].pk for row in response.context["rows"]}


def test_login_required(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_staff_see_everything_newest_first(client, world):
    response, html = _page(client, world["staff"])
    entries = world["entries"]
    ids = [row["entry"].pk for row in response.context["rows"]]
    assert ids == sorted((e.pk for e in entries.values()), reverse=True)
    assert "Nightly cleanup" in html and "holiday shutdown" in html


def test_a_merchant_user_sees_only_their_merchant(client, world):
    entries = world["entries"]
    response, html = _page(client, world["acme_user"])
    assert _shown_ids(response) == {entries["acme_pause"].pk, entries["acme_secret"].pk}
    assert "Globex" not in html
    assert "Nightly cleanup" not in html

    response, html = _page(client, world["globex_user"])
    assert _shown_ids(response) == {entries["globex_import"].pk}
    assert "Acme" not in html


def test_another_merchants_store_as_a_filter_shows_nothing_of_it(client, world):
    response, html = _page(client, world["acme_user"], store=world["globex_store"].pk)
    # Not a choice for this user: reported and ignored, the list stays their own.
    assert "Store:" in html and "This filter was ignored" in html
    assert _shown_ids(response) == {
        world["entries"]["acme_pause"].pk,
        world["entries"]["acme_secret"].pk,
    }
    assert "Globex" not in html
    # The store select offers only the user's own stores.
    choices = [value for value, _ in response.context["form"].fields["store"].choices]
    assert choices == ["", world["acme_store"].pk]


def test_secrets_show_as_changed_never_their_value(client, world):
    response, html = _page(client, world["staff"])
    assert "x-old-secret-value" not in html and "y-new-secret-value" not in html
    row = next(r for r in response.context["rows"] if r["entry"] == world["entries"]["acme_secret"])
    assert ("client_secret", "(changed)", "(changed)") in row["changes"]
    assert ("username", "api-old", "api-new") in row["changes"]


def test_the_page_masks_secrets_even_if_a_writer_did_not(client, world):
    """Defence in depth: an entry written around audit_record still shows no secret."""
    entry = AuditEntry.objects.create(
        actor_label="legacy",
        action="store.update",
        merchant=world["acme_store"].merchant,
        store=world["acme_store"],
        summary="Raw write",
        before={"password": "hunter2-plain", "api_password": "p2-plain"},
        after={"password": "hunter3-plain", "api_password": ""},
    )
    response, html = _page(client, world["staff"])
    assert "hunter2-plain" not in html and "hunter3-plain" not in html and "p2-plain" not in html
    row = next(r for r in response.context["rows"] if r["entry"] == entry)
    assert ("password", "(changed)", "(changed)") in row["changes"]
    assert ("api_password", "(changed)", "") in row["changes"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "store."}, {"acme_pause", "acme_secret"}),
        ({"action": "store.pause"}, {"acme_pause"}),
        ({"actor": "OLG"}, {"acme_pause"}),
        ({"actor": "system"}, {"system"}),
        ({"q": "client secret"}, {"acme_secret"}),
        ({"q": "globex main"}, {"globex_import"}),
        ({"store": "ACME"}, {"acme_pause", "acme_secret"}),
    ],
)
def test_filters(client, world, params, expected):
    if params.get("store") == "ACME":
        params = {"store": world["acme_store"].pk}
    response, _ = _page(client, world["staff"], **params)
    assert _shown_ids(response) == {world["entries"][name].pk for name in expected}


def test_date_range(client, world):
    entries = world["entries"]
    old = entries["acme_pause"]
    AuditEntry.objects.filter(pk=old.pk).update(at=old.at - dt.timedelta(days=10))
    today = entries["system"].at.date()
    response, _ = _page(client, world["staff"], date_from=today.isoformat())
    assert old.pk not in _shown_ids(response) and entries["system"].pk in _shown_ids(response)
    response, _ = _page(client, world["staff"], date_to=(today - dt.timedelta(days=5)).isoformat())
    assert _shown_ids(response) == {old.pk}
    response, _ = _page(
        client, world["staff"], date_from=today.isoformat(), date_to=today.isoformat()
    )
    assert old.pk not in _shown_ids(response) and len(_shown_ids(response)) == 3


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2025-13-45"},
        {"date_to": "yesterday"},
        {"date_from": "2025-06-02", "date_to": "2025-06-01"},
        {"action": "no.such.action"},
        {"page": "last-but-one"},
        {"store": "abc"},
    ],
)
def test_bad_filters_are_a_message_not_a_500(client, world, params):
    response, html = _page(client, world["staff"], **params)
    if "page" not in params:
        assert "This filter was ignored" in html
    # The bad filter is dropped; the rest of the page works.
    assert len(_shown_ids(response)) == 4


def test_targets_link_to_their_pages(client, world):
    _, html = _page(client, world["staff"])
    store_url = reverse("stores:detail", args=[world["acme_store"].pk])
    assert f'href="{store_url}"' in html


def test_order_and_fulfillment_targets_link_to_the_order(client, world):
    from django.utils import timezone

    from fulfillment.importing.sync import import_run
    from fulfillment.models import Fulfillment, Order
    from stores.services import store_activate

    store = world["acme_store"]
    store_activate(store=store, force_reason="tests import from the sandbox")
    store.refresh_from_db()
    import_run(store=store, trigger="manual")
    order = Order.objects.filter(store=store).first()
    assert order is not None
    fulfillment = Fulfillment.objects.create(
        order=order,
        store=store,
        idempotency_key="k1",
        request_hash="0" * 64,
        raw_request={},
        shipped_at=timezone.now(),
        carrier="UPS",
        reference="AUDIT-LINK-1",
    )
    audit_record(
        actor=world["staff"], action="order.skip", summary="Skipped", store=store, target=order
    )
    audit_record(
        actor=world["staff"],
        action="writeback.retry",
        summary="Retried",
        store=store,
        target=fulfillment,
    )
    response, html = _page(client, world["acme_user"], q="Retried")
    assert len(response.context["rows"]) == 1
    order_url = reverse("fulfillment:order_detail", args=[order.pk])
    assert f'href="{order_url}"' in html
    response, html = _page(client, world["acme_user"], action="order.")
    assert len(response.context["rows"]) == 1
    assert f'href="{order_url}"' in html


def test_pagination(client, world):
    for n in range(55):
        audit_record(
            actor=world["staff"],
            action="store.test",
            summary=f"Test {n}",
            store=world["acme_store"],
        )
    response, html = _page(client, world["staff"], action="store.test")
    assert len(response.context["rows"]) == 50
    assert "page=2" in html and "action=store.test" in html
    response, _ = _page(client, world["staff"], action="store.test", page=2)
    assert len(response.context["rows"]) == 5


def test_csv_export_of_the_filtered_list(client, world):
    client.force_login(world["acme_user"])
    response = client.get(URL, {"format": "csv", "action": "store."})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["summary"] for r in rows} == {"Paused Acme main", "Changed the client secret"}
    assert "secret-value" not in body and "Globex" not in body
    assert any("client_secret: (changed) → (changed)" in r["changes"] for r in rows)

"""Carrier mappings: the page under /stores/<id>/carriers/ (who may see and change them), the
carrier_map command, releasing held fulfillments, and the look-up in the store's Acumatica."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from fulfillment.fulfillments import fulfillment_record
from fulfillment.models import CarrierMapping, Fulfillment, FulfillmentStatus
from fulfillment.writeback import carriers
from stores.models import Role

from .conftest import fulfillment_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(monkeypatch):
    """The stores writeback_release_held was called for."""
    calls = []
    real = carriers.writeback_release_held

    def spy(*, store):
        calls.append(store.pk)
        return real(store=store)

    monkeypatch.setattr(carriers, "writeback_release_held", spy)
    return calls


def add(client, store, **fields):
    data = {"carrier": "", "service": "", "ship_via": "", "default_box_id": ""} | fields
    return client.post(reverse("carriers:list", args=[store.pk]), data)


def test_merchant_user_manages_own_stores_mappings_and_not_others(
    sandbox, store_factory, merchant_factory, merchant_user, client, released
):
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    mine, theirs = store_factory(sandbox, merchant=acme), store_factory(sandbox, merchant=globex)
    client.force_login(merchant_user(acme))

    page = client.get(reverse("carriers:list", args=[mine.pk]))
    assert page.status_code == 200 and b"Add a mapping" in page.content
    response = add(client, mine, carrier="ups", service="Ground", ship_via="upsground")
    assert response.status_code == 302
    mapping = CarrierMapping.objects.get(store=mine)
    assert (mapping.carrier, mapping.service, mapping.ship_via) == ("UPS", "GROUND", "UPSGROUND")
    assert released == [mine.pk]

    other = CarrierMapping.objects.create(store=theirs, carrier="UPS", ship_via="UPSGROUND")
    assert client.get(reverse("carriers:list", args=[theirs.pk])).status_code == 404
    assert add(client, theirs, carrier="X", ship_via="Y").status_code == 404
    assert client.get(reverse("carriers:edit", args=[theirs.pk, other.pk])).status_code == 404
    # A mapping of another store under my store's address is not found either.
    assert client.get(reverse("carriers:edit", args=[mine.pk, other.pk])).status_code == 404
    assert client.post(reverse("carriers:delete", args=[mine.pk, other.pk])).status_code == 404
    assert client.post(reverse("carriers:delete", args=[theirs.pk, other.pk])).status_code == 404
    assert CarrierMapping.objects.filter(store=theirs).count() == 1
    assert released == [mine.pk]


def test_edit_delete_and_refusals(sandbox, store_factory, user_factory, client, released):
    store = store_factory(sandbox)
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    add(client, store, carrier="UPS", ship_via="UPSGROUND")
    add(client, store, carrier="UPS", service="2nd Day Air", ship_via="FEDEX2DAY")
    ground, second = CarrierMapping.objects.order_by("service")

    url = reverse("carriers:edit", args=[store.pk, second.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"carrier": "UPS", "service": "", "ship_via": "X"})
    assert response.status_code == 400 and b"mapped already" in response.content
    response = client.post(
        url,
        {
            "carrier": "UPS",
            "service": "Next Day",
            "ship_via": "FEDEX2DAY",
            "default_box_id": "large",
        },
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.service, second.default_box_id) == ("NEXT DAY", "LARGE")

    too_long = add(client, store, carrier="DHL", ship_via="X" * 16)
    assert too_long.status_code == 400
    assert add(client, store, carrier="", ship_via="X").status_code == 400

    assert client.post(reverse("carriers:delete", args=[store.pk, ground.pk])).status_code == 302
    assert list(CarrierMapping.objects.values_list("service", flat=True)) == ["NEXT DAY"]
    assert client.get(reverse("carriers:delete", args=[store.pk, second.pk])).status_code == 405


def test_the_page_warns_when_acumatica_has_no_such_ship_via_or_box(
    sandbox, store_factory, user_factory, client, released
):
    store = store_factory(sandbox)
    client.force_login(user_factory(Role.THREEPL_ADMIN))
    assert client.get(reverse("carriers:list", args=[store.pk])).status_code == 200
    good = add(client, store, carrier="UPS", ship_via="UPSGROUND", default_box_id="SMALL")
    warnings = [m.message for m in good.wsgi_request._messages if m.level_tag == "warning"]
    assert warnings == []
    bad = add(client, store, carrier="DHL", ship_via="DHLNOPE", default_box_id="CRATE")
    warnings = [str(m.message) for m in bad.wsgi_request._messages if m.level_tag == "warning"]
    assert len(warnings) == 2
    assert "no Ship Via code DHLNOPE" in warnings[0] and "no Box ID CRATE" in warnings[1]
    # Saved all the same.
    assert CarrierMapping.objects.filter(store=store, carrier="DHL").exists()


def test_held_fulfillment_links_to_the_page_and_a_new_mapping_releases_it(
    shippable_order, user_factory, client, released
):
    order = shippable_order()
    store = order.store
    fulfillment, _ = fulfillment_record(
        order=order,
        data={
            **fulfillment_body(order),
            "shipped_at": timezone.now(),
            "carrier": "OnTrac",
            "service": "Ground Saver",
        },
        idempotency_key="held-1",
        source="api",
    )
    Fulfillment.objects.filter(pk=fulfillment.pk).update(
        status=FulfillmentStatus.HELD,
        status_reason="No Ship Via is mapped for ONTRAC GROUND SAVER.",
    )
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    page = client.get(reverse("fulfillment:order_detail", args=[order.pk])).content.decode()
    link = reverse("carriers:list", args=[store.pk]) + "?carrier=OnTrac&amp;service=Ground%20Saver"
    assert link in page and "No Ship Via is mapped" in page

    form = client.get(
        reverse("carriers:list", args=[store.pk]), {"carrier": "OnTrac", "service": "Ground Saver"}
    )
    assert form.context["form"].initial == {"carrier": "OnTrac", "service": "Ground Saver"}
    assert "Ground Saver" in form.content.decode() and "1 fulfillment held" in form.content.decode()

    add(client, store, carrier="OnTrac", service="Ground Saver", ship_via="LOCAL")
    assert released == [store.pk]
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.PENDING


def call(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("carrier_map", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_carrier_map_command(sandbox, store_factory, released):
    store = store_factory(sandbox)
    out, err = call(
        str(store.pk),
        "--carrier",
        "UPS",
        "--service",
        "Ground",
        "--ship-via",
        "UPSGROUND",
        "--default-box",
        "SMALL",
    )
    assert "mapped UPS GROUND → UPSGROUND" in out and err == ""
    assert released == [store.pk]
    mapping = CarrierMapping.objects.get(store=store)
    assert mapping.default_box_id == "SMALL"

    out, err = call(store.name, "--carrier", "DHL", "--ship-via", "NOSUCH")
    assert "Warning" in err and "NOSUCH" in err
    out, _ = call(store.name)
    assert out.splitlines() == ["DHL → NOSUCH", "UPS GROUND → UPSGROUND (default box SMALL)"]

    out, _ = call(str(store.pk), "--carrier", "DHL", "--delete")
    assert "Deleted DHL → NOSUCH" in out
    with pytest.raises(CommandError, match="has no mapping for DHL"):
        call(str(store.pk), "--carrier", "DHL", "--delete")
    with pytest.raises(CommandError, match="has no mapping for UPS"):
        call(str(store.pk), "--carrier", "UPS", "--delete")  # only UPS GROUND exists
    with pytest.raises(CommandError, match="No store"):
        call("no such store", "--carrier", "UPS", "--ship-via", "X")
    with pytest.raises(CommandError, match="1 to 15"):
        call(str(store.pk), "--carrier", "UPS", "--ship-via", "X" * 16, "--no-check")
    with pytest.raises(CommandError, match="--ship-via"):
        call(str(store.pk), "--carrier", "UPS")

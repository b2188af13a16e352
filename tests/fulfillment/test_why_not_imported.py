""" "Why wasn't this order imported?": each rule explained against live sandbox records, "Import it
now", merchant isolation and hostile input."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse

from fulfillment.importing import order_diagnose
from fulfillment.models import ImportTrigger, Order, OrderStatus
from stores.models import AuditEntry, Role
from stores.services import store_pause

pytestmark = pytest.mark.django_db

WHY = "fulfillment:order_why"


def _nbr(sandbox_data, status: str, order_type: str = "SO") -> str:
    return next(o for o in sandbox_data.orders(type=order_type) if o["Status"] == status)[
        "OrderNbr"
    ]


def _check(diagnosis, name):
    return next(c for c in diagnosis.checks if c.name == name)


@pytest.fixture
def staff_client(client, user_factory):
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    return client


def test_an_order_of_another_type_is_explained(sandbox, sandbox_data, store_factory):
    store = store_factory(sandbox)
    other = next(o for o in sandbox_data.orders() if o["OrderType"] != "SO")
    diagnosis = order_diagnose(store=store, key=f"{other['OrderType']}/{other['OrderNbr']}")
    assert diagnosis.found and not diagnosis.eligible and not diagnosis.can_import
    assert _check(diagnosis, "Order type").passed is False
    assert f"order type {other['OrderType']} is not the store's order type SO" in (
        diagnosis.conclusion
    )


def test_a_completed_order_names_its_status(sandbox, sandbox_data, store_factory):
    store = store_factory(sandbox)
    diagnosis = order_diagnose(store=store, key=_nbr(sandbox_data, "Completed"))
    status = _check(diagnosis, "Status")
    assert status.passed is False and "Completed" in status.detail
    assert "reopen it in Acumatica" in " ".join(diagnosis.must_change)
    assert not diagnosis.can_import


def test_hold_flag_and_hold_like_status_are_explained(sandbox, sandbox_data, store_factory):
    store = store_factory(sandbox)
    credit_hold = order_diagnose(store=store, key=_nbr(sandbox_data, "Credit Hold"))
    assert _check(credit_hold, "Status").passed is False
    assert "hold status" in _check(credit_hold, "Status").detail

    nbr = _nbr(sandbox_data, "Open")
    sandbox_data.edit("SO", nbr, hold=True)
    held = order_diagnose(store=store, key=nbr)
    assert _check(held, "Hold").passed is False
    assert "hold" in held.conclusion.lower()
    assert any("Release the hold" in step for step in held.must_change)


def test_a_missing_number_says_which_key_was_tried(sandbox, store_factory):
    store = store_factory(sandbox)
    diagnosis = order_diagnose(store=store, key="123456")
    assert not diagnosis.found
    assert "SalesOrder/SO/123456" in _check(diagnosis, "Found in Acumatica").detail
    assert "order type" in _check(diagnosis, "Found in Acumatica").detail


def test_an_imported_order_links_to_the_local_copy(
    staff_client, sandbox, sandbox_data, store_factory, run_import
):
    store = store_factory(sandbox)
    run_import(store)
    nbr = _nbr(sandbox_data, "Open")
    order = Order.objects.get(store=store, erp_order_nbr=nbr)

    page = staff_client.get(reverse(WHY), {"store": store.pk, "number": nbr})

    assert page.status_code == 200
    diagnosis = page.context["diagnosis"]
    assert diagnosis.local_order == order and "was imported" in diagnosis.conclusion
    assert not diagnosis.can_import
    assert reverse("fulfillment:order_detail", args=[order.pk]) in page.content.decode()


def test_the_warehouse_rule_in_shipment_mode(sandbox, sandbox_data, store_factory):
    sandbox_data.seed(orders=120, lines=3)
    shipments = [s for s in sandbox_data.shipments() if s["Status"] == "Open"]
    warehouse, _ = Counter(s["WarehouseID"] for s in shipments).most_common(1)[0]
    elsewhere = next(s for s in shipments if s["WarehouseID"] != warehouse)
    store = store_factory(sandbox, shipment_mode=True, default_warehouse=warehouse)

    diagnosis = order_diagnose(store=store, key=elsewhere["ShipmentNbr"])

    assert _check(diagnosis, "Warehouse").passed is False
    assert f"not the store's warehouse {warehouse}" in diagnosis.conclusion
    mine = next(s for s in shipments if s["WarehouseID"] == warehouse)
    assert order_diagnose(store=store, key=mine["ShipmentNbr"]).can_import


def test_a_recorded_skip_links_to_its_run(
    staff_client, sandbox, sandbox_data, store_factory, run_import
):
    store = store_factory(sandbox)
    run_import(store)
    nbr = _nbr(sandbox_data, "On Hold")
    sandbox_data.edit("SO", nbr, description="touched so the next scan reads it")
    run = run_import(store)
    assert any(item["key"] == f"SO {nbr}" for item in run.skipped_reasons)

    page = staff_client.get(reverse(WHY), {"store": store.pk, "number": nbr})

    recorded = _check(page.context["diagnosis"], "Recorded by an import run")
    assert recorded.run_id == run.pk and "not eligible" in recorded.detail
    assert reverse("fulfillment:import_run_detail", args=[run.pk]) in page.content.decode()


def test_an_eligible_order_older_than_the_cursor_can_be_imported_now(
    staff_client, sandbox, sandbox_data, store_factory, run_import
):
    store = store_factory(sandbox)
    run_import(store)
    nbr = _nbr(sandbox_data, "On Hold")
    # Released, but its LastModified is from before the watermark: scans will not read it.
    sandbox_data.edit("SO", nbr, hold=False, status="Open")
    sandbox_data.set_last_modified("SO", nbr, "2024-06-01T10:00:00Z")

    page = staff_client.get(reverse(WHY), {"store": store.pk, "number": nbr})
    diagnosis = page.context["diagnosis"]
    assert diagnosis.eligible and diagnosis.can_import, diagnosis.conclusion
    cursor = _check(diagnosis, "Changed since the last import")
    assert cursor.passed is False and "before the import's watermark" in cursor.detail
    assert "Import it now" in page.content.decode()

    response = staff_client.post(
        reverse(WHY), {"store": store.pk, "number": nbr, "action": "import"}
    )

    order = Order.objects.get(store=store, erp_order_nbr=nbr)
    assert (
        order.status == OrderStatus.READY and order.last_import_run.trigger == ImportTrigger.ORDER
    )
    assert response.status_code == 302
    assert response.url == reverse("fulfillment:order_detail", args=[order.pk])
    assert AuditEntry.objects.filter(action="order.import_now", store=store).exists()


def test_merchant_users_see_only_their_stores(
    client, sandbox, sandbox_data, store_factory, merchant_factory, merchant_user
):
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    acme_store = store_factory(sandbox, merchant=acme)
    globex_store = store_factory(sandbox, merchant=globex)
    client.force_login(merchant_user(acme))
    nbr = _nbr(sandbox_data, "Open")

    page = client.get(reverse(WHY))
    assert page.status_code == 200
    assert list(page.context["form"].fields["store"].queryset) == [acme_store]
    assert page.context["form"].fields["store"].initial == acme_store.pk
    assert globex_store.name not in page.content.decode()

    assert client.get(reverse(WHY), {"store": globex_store.pk, "number": nbr}).status_code == 404
    assert (
        client.post(
            reverse(WHY), {"store": globex_store.pk, "number": nbr, "action": "import"}
        ).status_code
        == 404
    )
    assert not Order.objects.filter(store=globex_store).exists()
    assert client.get(reverse(WHY), {"store": "999999", "number": nbr}).status_code == 404
    assert client.get(reverse(WHY), {"store": "abc", "number": nbr}).status_code == 404

    # Their own store works, and they may import into it.
    own = client.post(reverse(WHY), {"store": acme_store.pk, "number": nbr, "action": "import"})
    assert own.status_code == 302 and Order.objects.filter(store=acme_store).count() == 1


def test_hostile_input_is_a_form_error(staff_client, sandbox, store_factory):
    store = store_factory(sandbox)
    for number in ("x" * 5000, "<script>alert(1)</script>", "SO/../../Customer", "A B C", ""):
        page = staff_client.get(reverse(WHY), {"store": store.pk, "number": number})
        assert page.status_code == 200, number
        assert page.context["diagnosis"] is None and page.context["form"].errors, number
    assert "&lt;script&gt;" in page.content.decode() or "script" not in page.content.decode()


def test_acumatica_errors_are_a_message_not_a_500(
    staff_client, sandbox, sandbox_data, store_factory
):
    store = store_factory(sandbox)
    sandbox.faults.add(kind="error500", match="GET */SalesOrder*", times=5)
    page = staff_client.get(reverse(WHY), {"store": store.pk, "number": _nbr(sandbox_data, "Open")})
    assert page.status_code == 200
    assert "Acumatica could not be read" in page.content.decode()
    assert not page.context["diagnosis"].can_import


def test_a_paused_store_is_diagnosed_read_only(
    staff_client, sandbox, sandbox_data, store_factory, user_factory
):
    store = store_factory(sandbox)
    store_pause(store=store, reason="maintenance", actor=user_factory(Role.THREEPL_ADMIN))
    nbr = _nbr(sandbox_data, "Open")
    page = staff_client.get(reverse(WHY), {"store": store.pk, "number": nbr})
    diagnosis = page.context["diagnosis"]
    assert diagnosis.eligible and not diagnosis.can_import
    assert "paused" in diagnosis.store_notice and "paused" in diagnosis.conclusion
    refused = staff_client.post(
        reverse(WHY), {"store": store.pk, "number": nbr, "action": "import"}
    )
    assert refused.status_code == 302
    assert not Order.objects.filter(store=store).exists()


def test_the_command_explains_and_imports(sandbox, sandbox_data, store_factory, capsys):
    from django.core.management import call_command

    store = store_factory(sandbox)
    nbr = _nbr(sandbox_data, "Completed")
    with pytest.raises(SystemExit) as exit_info:
        call_command("why_not_imported", str(store.pk), nbr)
    assert exit_info.value.code == 1 and "Completed" in capsys.readouterr().out

    nbr = _nbr(sandbox_data, "Open")
    with pytest.raises(SystemExit) as exit_info:
        call_command("why_not_imported", str(store.pk), nbr, "--import")
    assert exit_info.value.code == 0 and "created" in capsys.readouterr().out
    assert Order.objects.filter(store=store, erp_order_nbr=nbr).exists()
    assert AuditEntry.objects.get(action="order.import_now").via == "cli"

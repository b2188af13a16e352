"""The admin for support: every fulfillment model's list and detail pages render with real data,
the actions go through the same services as the console (audited with via "admin"), and no
secret or key hash appears on any page."""

from __future__ import annotations

from html import unescape
from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fulfillment.fulfillments import fulfillment_record
from fulfillment.models import (
    ApiToken,
    CarrierMapping,
    Fulfillment,
    FulfillmentStatus,
    ImportRun,
    Order,
    OrderStatus,
)
from fulfillment.writeback.engine import writeback_run
from stores.models import AuditEntry

from .conftest import fulfillment_body
from .writeback_support import map_carrier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_polls(settings):
    settings.FULFILLMENT_WRITEBACK_CONFIRM_POLL_SECONDS = 0.05


@pytest.fixture
def support(client):
    user = get_user_model().objects.create_superuser("support", "s@example.com", "pw-for-tests-1")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def world(sandbox, store_factory, run_import, api_token):
    """A store with imported orders, a written-back, a failed and a held fulfillment, a carrier
    mapping and an API token."""
    store = store_factory(sandbox)
    map_carrier(store)
    run_import(store)
    orders = list(Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk")[:3])

    def record(order, key, **over):
        fulfillment, _ = fulfillment_record(
            order=order,
            data={**fulfillment_body(order, **over), "shipped_at": timezone.now()},
            idempotency_key=key,
            source="api",
        )
        return fulfillment

    done = record(orders[0], "a")
    assert writeback_run(fulfillment_id=done.pk).outcome == "succeeded"
    failed = record(orders[1], "b")
    failed.packages.update(box_id="NOSUCHBOX")
    assert writeback_run(fulfillment_id=failed.pk).outcome == "failed"
    held = record(orders[2], "c", carrier="DHL")
    assert writeback_run(fulfillment_id=held.pk).outcome == "held"
    token, key = api_token(store.merchant, name="WMS prod")
    return {"store": store, "orders": orders, "failed": failed, "token": token, "key": key}


def fulfillment_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "fulfillment"
    ]


def test_every_fulfillment_model_is_registered():
    registered = {model for model, _ in fulfillment_admins()}
    wanted = {
        apps.get_model("fulfillment", name)
        for name in (
            "Order",
            "OrderEvent",
            "ImportRun",
            "ImportState",
            "ImportCursor",
            "Fulfillment",
            "WriteBackAttempt",
            "WriteBackOutbox",
            "CarrierMapping",
            "ApiToken",
        )
    }
    assert wanted <= registered


def test_every_list_and_detail_page_renders_without_secrets(support, world, sandbox):
    secrets = [
        world["token"].key_hash,
        world["key"],
        sandbox.config.client_secret,
        sandbox.config.password,
    ]
    for model, _ in fulfillment_admins():
        opts = model._meta
        listing = support.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert listing.status_code == 200, opts.model_name
        obj = model.objects.order_by("pk").first()
        assert obj is not None, f"no {opts.model_name} to show"
        detail = support.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
        assert detail.status_code == 200, opts.model_name
        for page in (listing, detail):
            html = page.content.decode()
            for secret in secrets:
                assert secret not in html, (opts.model_name, secret[:6])

    order_page = support.get(
        reverse("admin:fulfillment_order_change", args=[world["orders"][0].pk])
    ).content.decode()
    assert "<pre" in order_page and "&quot;OrderNbr&quot;" in order_page  # pretty raw payload
    assert "Imported" in order_page  # the events inline
    failed = world["failed"]
    failed.refresh_from_db()
    failed_page = unescape(
        support.get(
            reverse("admin:fulfillment_fulfillment_change", args=[failed.pk])
        ).content.decode()
    )
    assert failed.last_error and failed.last_error in failed_page
    assert "NOSUCHBOX" in failed_page  # the packages inline


def test_searching_fulfillments_by_tracking_number(support, world):
    failed = world["failed"]
    tracking = failed.packages.first().tracking_number
    page = support.get(reverse("admin:fulfillment_fulfillment_changelist"), {"q": tracking})
    assert failed.reference in page.content.decode()


def changelist_action(client, model: str, action: str, ids, **extra):
    return client.post(
        reverse(f"admin:fulfillment_{model}_changelist"),
        {"action": action, "_selected_action": [str(i) for i in ids], **extra},
    )


def test_order_actions_go_through_the_services(support, world):
    order = world["orders"][1]  # its write-back failed
    intermediate = changelist_action(support, "order", "skip", [order.pk])
    assert intermediate.status_code == 200 and b'name="reason"' in intermediate.content
    order.refresh_from_db()
    assert order.status == OrderStatus.ERROR

    done = changelist_action(support, "order", "skip", [order.pk], apply="1", reason="Fraud check")
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SKIPPED and "Fraud check" in order.status_reason
    skip = AuditEntry.objects.get(action="order.skip")
    assert (skip.via, skip.actor, skip.reason) == ("admin", support.user, "Fraud check")

    changelist_action(support, "order", "reprocess", [order.pk])
    reprocess = AuditEntry.objects.get(action="order.reprocess")
    assert reprocess.via == "admin" and reprocess.after["import"] == "unchanged"
    # Its failed write-back was retried as part of it.
    retry = AuditEntry.objects.get(action="writeback.retry")
    assert retry.via == "admin"
    world["failed"].refresh_from_db()
    assert world["failed"].status == FulfillmentStatus.PENDING


def test_fulfillment_run_and_token_actions_go_through_the_services(support, world):
    failed = world["failed"]
    changelist_action(support, "fulfillment", "retry_writeback", [failed.pk])
    failed.refresh_from_db()
    assert failed.status == FulfillmentStatus.PENDING
    assert AuditEntry.objects.get(action="writeback.retry").via == "admin"

    run = ImportRun.objects.filter(store=world["store"]).first()
    changelist_action(support, "importrun", "run_again", [run.pk])
    assert AuditEntry.objects.get(action="import.manual").via == "admin"

    token = world["token"]
    changelist_action(support, "apitoken", "revoke", [token.pk])
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoked = AuditEntry.objects.get(action="api_token.revoke")
    assert (revoked.via, revoked.actor) == ("admin", support.user)
    assert support.get(reverse("admin:fulfillment_apitoken_add")).status_code == 403


def test_carrier_mappings_changed_in_the_admin_are_audited(support, world):
    store = world["store"]
    add = support.post(
        reverse("admin:fulfillment_carriermapping_add"),
        {"store": store.pk, "carrier": "dhl", "service": "", "ship_via": "local"},
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    mapping = CarrierMapping.objects.get(store=store, carrier="DHL")
    assert mapping.ship_via == "LOCAL"  # normalised by the service
    created = AuditEntry.objects.get(action="carrier_mapping.create")
    assert created.via == "admin" and created.after["ship_via"] == "LOCAL"
    # The held DHL fulfillment was released by it.
    assert not Fulfillment.objects.filter(status=FulfillmentStatus.HELD).exists()

    support.post(
        reverse("admin:fulfillment_carriermapping_change", args=[mapping.pk]),
        {"carrier": "DHL", "service": "", "ship_via": "FEDEX2DAY", "default_box_id": ""},
    )
    updated = AuditEntry.objects.get(action="carrier_mapping.update")
    assert updated.before == {"ship_via": "LOCAL"} and updated.after == {"ship_via": "FEDEX2DAY"}

    support.post(
        reverse("admin:fulfillment_carriermapping_delete", args=[mapping.pk]), {"post": "yes"}
    )
    assert not CarrierMapping.objects.filter(pk=mapping.pk).exists()
    assert AuditEntry.objects.get(action="carrier_mapping.delete").via == "admin"


def test_the_token_command_is_audited_without_the_key(merchant_factory):
    merchant_factory("Acme")
    out = StringIO()
    call_command("create_api_token", "--name", "WMS test", "--merchant", "Acme", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(name="WMS test")
    created = AuditEntry.objects.get(action="api_token.create")
    assert created.via == "cli" and created.after == {
        "name": "WMS test",
        "merchants": ["Acme"],
        "all_merchants": False,
    }
    call_command("create_api_token", "--revoke", "WMS test", stdout=StringIO())
    assert AuditEntry.objects.get(action="api_token.revoke").via == "cli"
    for entry in AuditEntry.objects.all():
        text = f"{entry.summary} {entry.target_label} {entry.before} {entry.after}"
        assert key not in text and token.key_hash not in text

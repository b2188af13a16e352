"""Bulk actions on the orders list: 3PL staff tick orders and reprocess, retry their write-backs
or skip them (with a reason) in one POST; each order goes through its own service (audited once
per order); an id that is not one of the user's orders is refused, counted and not touched; one
order refused does not stop the others; the banner says what was done and what was not, why.
Merchant users have no bulk actions (the URL does not exist for them)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fulfillment.fulfillments import fulfillment_record
from fulfillment.models import FulfillmentStatus, Order, OrderStatus
from fulfillment.order_bulk import BULK_MAX, orders_bulk_act
from fulfillment.writeback.engine import writeback_run
from stores.models import AuditEntry, Role

from .conftest import fulfillment_body
from .writeback_support import map_carrier

pytestmark = pytest.mark.django_db

URL = reverse("fulfillment:order_bulk")


@pytest.fixture
def operator(user_factory):
    return user_factory(Role.THREEPL_OPERATOR, username="olga")


@pytest.fixture
def store(sandbox, store_factory, run_import, merchant_factory):
    store = store_factory(sandbox, merchant=merchant_factory("Acme"))
    map_carrier(store)
    run_import(store)
    return store


def _ready(store, n: int) -> list[Order]:
    orders = list(Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk")[:n])
    assert len(orders) == n
    return orders


def _status(order) -> str:
    order.refresh_from_db()
    return order.status


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_a_mixed_selection_skips_what_it_may_and_says_why_for_the_rest(client, store, operator):
    first, second, already = _ready(store, 3)
    orders_bulk_act(actor=operator, action="skip", order_ids=[already.pk], reason="earlier")
    gone = _ready(store, 4)[-1]
    gone_id = gone.pk
    gone.delete()
    client.force_login(operator)
    skips_before = AuditEntry.objects.filter(action="order.skip").count()

    done = client.post(
        URL,
        {
            "action": "skip",
            "reason": "customer cancelled by phone",
            "order": [first.pk, second.pk, already.pk, gone_id, "not-an-id"],
            "querystring": "status=ready&sort=store",
        },
    )

    assert done.status_code == 302 and done.url == "/orders/?status=ready&sort=store"
    assert (_status(first), _status(second)) == (OrderStatus.SKIPPED, OrderStatus.SKIPPED)
    assert "customer cancelled by phone" in Order.objects.get(pk=first.pk).status_reason
    [banner] = _messages(done)
    assert banner.startswith("2 skipped. 1 not skipped: ")
    assert f"{already.document_label}: {already.document_label} is skipped" in banner
    assert "2 refused: not among your orders" in banner
    # Audited once per order, by the order's own service.
    assert AuditEntry.objects.filter(action="order.skip").count() == skips_before + 2
    assert set(
        AuditEntry.objects.filter(
            action="order.skip", reason="customer cancelled by phone"
        ).values_list("target_id", flat=True)
    ) == {str(first.pk), str(second.pk)}


def test_reprocess_in_bulk_rereads_each_order_from_acumatica(store, operator):
    orders = _ready(store, 2)
    orders_bulk_act(actor=operator, action="skip", order_ids=[orders[0].pk], reason="check")

    result = orders_bulk_act(actor=operator, action="reprocess", order_ids=[o.pk for o in orders])

    assert result.ok and result.done == [o.document_label for o in orders]
    assert result.message == "2 reprocessed."
    assert _status(orders[0]) == OrderStatus.READY  # no longer skipped
    entries = AuditEntry.objects.filter(action="order.reprocess")
    assert sorted(entries.values_list("target_id", flat=True)) == sorted(str(o.pk) for o in orders)


def test_retry_writeback_in_bulk_retries_the_held_one_and_says_the_other_has_none(store, operator):
    held_order, plain_order = _ready(store, 2)
    fulfillment, _ = fulfillment_record(
        order=held_order,
        data={**fulfillment_body(held_order, carrier="DHL"), "shipped_at": timezone.now()},
        idempotency_key="bulk-1",
        source="api",
    )
    assert writeback_run(fulfillment_id=fulfillment.pk).outcome == "held"

    result = orders_bulk_act(
        actor=operator, action="retry_writeback", order_ids=[held_order.pk, plain_order.pk]
    )

    assert result.done == [held_order.document_label]
    assert result.not_done == [
        (plain_order.document_label, "no write-back to retry (none is failed, held or waiting)")
    ]
    assert AuditEntry.objects.filter(action="writeback.retry").count() == 1
    fulfillment.refresh_from_db()
    assert fulfillment.status != FulfillmentStatus.WRITTEN_BACK  # queued, not written here


def test_nothing_is_done_without_a_reason_to_skip_or_past_the_limit(client, store, operator):
    orders = _ready(store, 2)
    client.force_login(operator)

    done = client.post(URL, {"action": "skip", "reason": "  ", "order": [o.pk for o in orders]})
    assert "Nothing was done: Say why the orders are skipped" in _messages(done)[0]
    assert {_status(o) for o in orders} == {OrderStatus.READY}

    with pytest.raises(ValidationError, match=f"at most {BULK_MAX}"):
        orders_bulk_act(actor=operator, action="skip", order_ids=range(1, BULK_MAX + 2), reason="x")
    assert {_status(o) for o in orders} == {OrderStatus.READY}

    nothing_ticked = client.post(URL, {"action": "reprocess"})
    assert "Tick the orders" in _messages(nothing_ticked)[-1]
    no_action = client.post(URL, {"action": "explode", "order": [orders[0].pk]})
    assert "Choose what to do" in _messages(no_action)[-1]


def test_merchant_users_have_no_bulk_actions_on_theirs_or_anyone_elses_orders(
    client, store, user_factory, sandbox, store_factory, run_import, merchant_factory
):
    other = store_factory(sandbox, merchant=merchant_factory("Globex"))
    run_import(other)
    own, foreign = _ready(store, 1)[0], _ready(other, 1)[0]
    acme_user = user_factory(Role.MERCHANT_USER, merchant=store.merchant)
    client.force_login(acme_user)

    answer = client.post(URL, {"action": "skip", "reason": "mine", "order": [own.pk, foreign.pk]})

    assert answer.status_code == 404
    assert (_status(own), _status(foreign)) == (OrderStatus.READY, OrderStatus.READY)
    assert not AuditEntry.objects.filter(action="order.skip").exists()
    with pytest.raises(PermissionDenied):
        orders_bulk_act(actor=acme_user, action="skip", order_ids=[own.pk], reason="mine")
    page = client.get("/orders/").content.decode()
    assert 'name="order"' not in page and "bulk-form" not in page


def test_the_list_offers_checkboxes_and_select_all_to_staff(client, store, operator):
    client.force_login(operator)
    page = client.get("/orders/?sort=store").content.decode()
    order = _ready(store, 1)[0]
    assert f'name="order" value="{order.pk}" form="bulk-form"' in page
    assert "Select all on this page" in page
    assert 'name="querystring" value="sort=store"' in page


def test_bulk_needs_post_and_the_csrf_token(store, operator):
    order = _ready(store, 1)[0]
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(operator)
    assert csrf_client.get(URL).status_code == 302
    answer = csrf_client.post(URL, {"action": "skip", "reason": "x", "order": [order.pk]})
    assert answer.status_code == 403 and _status(order) == OrderStatus.READY

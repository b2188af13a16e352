"""The orders pages: a merchant sees only its own merchant's orders; another merchant's order
does not exist for it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fulfillment import jobs
from fulfillment.models import Order
from stores.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_merchants(sandbox, store_factory, merchant_factory, run_import):
    acme, globex = merchant_factory("Acme"), merchant_factory("Globex")
    acme_store = store_factory(sandbox, merchant=acme)
    globex_store = store_factory(sandbox, merchant=globex)
    run_import(acme_store)
    run_import(globex_store)
    return acme_store, globex_store


def test_a_merchant_sees_only_its_own_orders(client, two_merchants, merchant_user):
    acme_store, globex_store = two_merchants
    user = merchant_user(acme_store.merchant)
    client.force_login(user)

    mine = Order.objects.filter(store=acme_store).order_by("pk").first()
    theirs = Order.objects.filter(store=globex_store).order_by("pk").first()
    page = client.get(reverse("fulfillment:order_list"))
    assert page.status_code == 200
    listed = {order.pk for order in page.context["page"].object_list}
    assert listed and listed <= set(
        Order.objects.filter(store=acme_store).values_list("pk", flat=True)
    )
    assert page.context["page"].paginator.count == Order.objects.filter(store=acme_store).count()

    detail = client.get(reverse("fulfillment:order_detail", args=[mine.pk]))
    assert detail.status_code == 200
    assert mine.erp_order_nbr in detail.content.decode()
    assert client.get(reverse("fulfillment:order_detail", args=[theirs.pk])).status_code == 404
    # Filtering by someone else's store shows nothing rather than their orders.
    other = client.get(reverse("fulfillment:order_list"), {"store": globex_store.pk})
    assert other.context["page"].paginator.count == 0


def test_3pl_staff_see_every_merchant(client, two_merchants, user_factory):
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    page = client.get(reverse("fulfillment:order_list"))
    assert page.context["page"].paginator.count == Order.objects.count()


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get(reverse("fulfillment:order_list"))
    assert response.status_code == 302 and "/login/" in response.url


def test_run_now_button_queues_only_for_stores_the_user_may_see(
    client, two_merchants, merchant_user, queued_jobs, django_capture_on_commit_callbacks
):
    queued = queued_jobs[jobs.IMPORT_STORE_NOW]
    acme_store, globex_store = two_merchants
    client.force_login(merchant_user(acme_store.merchant))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("fulfillment:store_import_now", args=[acme_store.pk]))
    assert response.status_code == 302
    assert [(args[0], args[1]) for args in queued] == [(acme_store.pk, "manual")]

    response = client.post(reverse("fulfillment:store_import_now", args=[globex_store.pk]))
    assert response.status_code == 404
    # GET is the confirmation step: it shows the page and queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.get(reverse("fulfillment:store_import_now", args=[acme_store.pk]))
    assert confirm.status_code == 200
    assert len(queued) == 1


def test_import_runs_page_lists_the_users_runs(client, two_merchants, merchant_user):
    acme_store, _ = two_merchants
    client.force_login(merchant_user(acme_store.merchant))
    page = client.get(reverse("fulfillment:import_run_list"))
    assert page.status_code == 200
    assert {run.store_id for run in page.context["page"].object_list} == {acme_store.pk}

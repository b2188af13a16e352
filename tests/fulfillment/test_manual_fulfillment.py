"""Recording a fulfillment by hand on the order page: 3PL staff through the same service as the
API; merchant users see the fulfillments but get no form and cannot post one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from fulfillment.models import Fulfillment, OrderStatus
from stores.models import Role

pytestmark = pytest.mark.django_db


def form_data(page, order, quantities: dict, packages: list[dict]) -> dict:
    """The form as shown (its idempotency key and management form), filled in."""
    shipment = page.context["shipment_form"]
    data = {
        "idempotency_key": shipment.initial["idempotency_key"],
        "carrier": "UPS",
        "service": "Ground",
        "shipped_at": "2025-06-01T12:00",
        "packages-TOTAL_FORMS": "3",
        "packages-INITIAL_FORMS": "0",
        "packages-MIN_NUM_FORMS": "1",
        "packages-MAX_NUM_FORMS": "500",
    }
    for line_id, quantity in quantities.items():
        data[f"line_{line_id}"] = str(quantity)
    for index in range(3):
        package = packages[index] if index < len(packages) else {}
        for name in ("box_id", "weight", "tracking_number"):
            data[f"packages-{index}-{name}"] = package.get(name, "")
        data[f"packages-{index}-weight_unit"] = package.get("weight_unit", "lb")
    return data


def test_staff_record_a_fulfillment_from_the_order_page(shippable_order, user_factory, client):
    order = shippable_order()
    operator = user_factory(Role.THREEPL_OPERATOR)
    client.force_login(operator)
    url = reverse("fulfillment:order_detail", args=[order.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Record a fulfillment" in page.content
    first, second = order.lines.order_by("line_nbr")[:2]
    data = form_data(
        page,
        order,
        {first.pk: 1, second.pk: ""},
        [
            {"box_id": "small", "weight": "1.5", "weight_unit": "kg", "tracking_number": "TRK-1"},
            {"weight": "2", "tracking_number": "TRK-2"},
        ],
    )
    response = client.post(reverse("fulfillment:order_fulfill", args=[order.pk]), data)
    assert response.status_code == 302 and response.url == url

    fulfillment = Fulfillment.objects.get()
    assert fulfillment.source == "operator" and fulfillment.created_by == operator
    assert [(fl.order_line_id, fl.quantity) for fl in fulfillment.lines.all()] == [(first.pk, 1)]
    assert [
        (p.box_id, p.weight, p.weight_unit, p.tracking_number) for p in fulfillment.packages.all()
    ] == [("SMALL", Decimal("1.5"), "kg", "TRK-1"), ("", Decimal(2), "lb", "TRK-2")]
    assert hasattr(fulfillment, "outbox")
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED

    # The same form sent twice (a double click) records nothing more.
    again = client.post(reverse("fulfillment:order_fulfill", args=[order.pk]), data)
    assert again.status_code == 302 and Fulfillment.objects.count() == 1

    shown = client.get(url).content.decode()
    assert fulfillment.reference in shown and "TRK-2" in shown and "Pending" in shown


def test_form_errors_are_shown_and_nothing_is_recorded(shippable_order, user_factory, client):
    order = shippable_order()
    client.force_login(user_factory(Role.THREEPL_ADMIN))
    page = client.get(reverse("fulfillment:order_detail", args=[order.pk]))
    first = order.lines.order_by("line_nbr").first()
    post = reverse("fulfillment:order_fulfill", args=[order.pk])

    nothing = form_data(page, order, {}, [{"weight": "1", "tracking_number": "T"}])
    response = client.post(post, nothing)
    assert response.status_code == 400
    assert b"at least one line" in response.content

    too_many = form_data(
        page, order, {first.pk: first.open_quantity + 5}, [{"weight": "1", "tracking_number": "T"}]
    )
    response = client.post(post, too_many)
    assert response.status_code == 400
    assert (
        f"Line {first.line_nbr} quantity: Shipping more than is open".encode() in response.content
    )

    no_tracking = form_data(page, order, {first.pk: 1}, [{"weight": "1"}])
    response = client.post(post, no_tracking)
    assert response.status_code == 400
    assert response.context["package_formset"].forms[0].errors["tracking_number"]
    assert not Fulfillment.objects.exists()


def test_merchant_users_see_fulfillments_but_cannot_record(
    shippable_order, merchant_user, user_factory, client
):
    order = shippable_order()
    user = merchant_user(order.store.merchant)
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    page = client.get(reverse("fulfillment:order_detail", args=[order.pk]))
    data = form_data(
        page, order, {order.lines.first().pk: 1}, [{"weight": "1", "tracking_number": "T"}]
    )

    client.force_login(user)
    page = client.get(reverse("fulfillment:order_detail", args=[order.pk]))
    assert page.status_code == 200
    assert b"Record a fulfillment" not in page.content and "shipment_form" not in page.context
    response = client.post(reverse("fulfillment:order_fulfill", args=[order.pk]), data)
    assert response.status_code == 403
    assert not Fulfillment.objects.exists()

    other = merchant_user()
    client.force_login(other)
    response = client.post(reverse("fulfillment:order_fulfill", args=[order.pk]), data)
    assert response.status_code == 404


def test_no_form_on_orders_that_cannot_ship(shippable_order, user_factory, client):
    order = shippable_order()
    type(order).objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED_AT_SOURCE)
    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    page = client.get(reverse("fulfillment:order_detail", args=[order.pk]))
    assert b"Record a fulfillment" not in page.content

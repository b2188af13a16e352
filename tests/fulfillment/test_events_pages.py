"""The Webhooks pages: a subscription is created with URL and kinds and its secret shown once
(never again, never cached), the secret rotated, the subscription disabled and enabled,
deliveries replayed; subscriber URLs go through the SSRF guard (at creation and at every
connection); each merchant sees only their own."""

from __future__ import annotations

import pytest

from fulfillment.events import event_record
from fulfillment.events.payloads import store_data
from fulfillment.management.webhook_receiver import Reply
from fulfillment.models import DeliveryStatus, EventDelivery, EventKind, EventSubscription
from stores.models import AuditEntry, Role

from . import events_support

pytestmark = pytest.mark.django_db

receiver = events_support.receiver
run_deliveries = events_support.run_deliveries
subscription_for = events_support.subscription_for


@pytest.fixture
def merchant_a(merchant_factory):
    return merchant_factory("Webhook Merchant A")


@pytest.fixture
def user_a(user_factory, merchant_a):
    return user_factory(Role.MERCHANT_USER, merchant=merchant_a)


def test_create_shows_the_secret_once_and_never_again(client, user_a, merchant_a):
    client.force_login(user_a)
    response = client.post(
        "/webhooks/",
        {
            "merchant": merchant_a.pk,
            "url": "https://wms.example.com/hooks",
            "kinds": [EventKind.ORDER_READY, EventKind.ORDER_CANCELLED_AT_SOURCE],
            "description": "Our WMS",
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    subscription = EventSubscription.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("whsec_") and secret in response.content.decode()
    assert subscription.merchant == merchant_a and subscription.active
    assert subscription.kinds == sorted([EventKind.ORDER_READY, "order.cancelled_at_source"])
    assert secret not in subscription.secret_encrypted
    assert AuditEntry.objects.filter(action="webhook.create").exists()
    assert secret not in str(list(AuditEntry.objects.values()))

    for page in ("/webhooks/", f"/webhooks/{subscription.pk}/"):
        shown = client.get(page).content.decode()
        assert secret not in shown and subscription.secret_hint in shown

    rotated = client.post(f"/webhooks/{subscription.pk}/rotate/")
    assert rotated.status_code == 200 and rotated["Cache-Control"] == "no-store"
    new = rotated.context["secret"]
    assert new != secret and new in rotated.content.decode()
    assert new not in client.get(f"/webhooks/{subscription.pk}/").content.decode()
    assert client.get(f"/webhooks/{subscription.pk}/rotate/").status_code == 405


def test_bad_input_is_a_clear_error_and_nothing_is_created(client, user_a, merchant_a):
    client.force_login(user_a)
    for url, message in (
        ("ftp://wms.example.com/", "must start with https://"),
        ("https://user:pw@wms.example.com/", "must not contain a user name"),
        ("", "This field is required"),
    ):
        response = client.post("/webhooks/", {"merchant": merchant_a.pk, "url": url})
        assert response.status_code == 400, url
        assert message in response.content.decode(), url
    response = client.post(
        "/webhooks/", {"merchant": merchant_a.pk, "url": "https://a.example", "kinds": ["nope"]}
    )
    assert response.status_code == 400
    assert not EventSubscription.objects.exists()


def test_private_addresses_are_refused_unless_the_setting_allows_them(
    settings, client, user_a, merchant_a
):
    settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = False
    client.force_login(user_a)
    for url in (
        "http://127.0.0.1:8000/hooks",
        "http://10.1.2.3/hooks",
        "http://[::1]/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost/hooks",
    ):
        response = client.post("/webhooks/", {"merchant": merchant_a.pk, "url": url})
        assert response.status_code == 400, url
        assert "private, loopback or link-local" in response.content.decode(), url
    assert not EventSubscription.objects.exists()

    settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = True
    response = client.post(
        "/webhooks/", {"merchant": merchant_a.pk, "url": "http://127.0.0.1:8000/hooks"}
    )
    assert response.status_code == 200 and EventSubscription.objects.count() == 1


def test_a_connection_to_a_private_address_is_refused_at_delivery_too(
    settings,
    sandbox,
    store_factory,
    receiver,
    subscription_for,
    queued_jobs,
    run_deliveries,
    django_capture_on_commit_callbacks,
):
    """The URL passed its check when private addresses were allowed (or its name resolved
    elsewhere then): the guarded session still refuses the connection, without a retry."""
    server = receiver()
    store = store_factory(sandbox)
    subscription_for(store.merchant, server.url)
    settings.CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS = False
    with django_capture_on_commit_callbacks(execute=True):
        event = event_record(kind=EventKind.STORE_NEEDS_ATTENTION, store=store, data={})
    run_deliveries(rounds=2)
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.FAILED and not server.received
    assert "private or loopback" in delivery.attempts.get().error


def test_disable_enable_and_replay_from_the_pages(
    client,
    user_a,
    merchant_a,
    sandbox,
    store_factory,
    receiver,
    subscription_for,
    queued_jobs,
    run_deliveries,
    django_capture_on_commit_callbacks,
):
    server = receiver(events_support.scripted(Reply(status=404)))
    store = store_factory(sandbox, merchant=merchant_a, name="Webhook Store A")
    subscription, _ = subscription_for(merchant_a, server.url)
    with django_capture_on_commit_callbacks(execute=True):
        event = event_record(
            kind=EventKind.STORE_NEEDS_ATTENTION, store=store, data=store_data(store)
        )
    run_deliveries()
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.FAILED
    client.force_login(user_a)

    page = client.get(f"/webhooks/deliveries/{delivery.pk}/").content.decode()
    assert "HTTP 404" in page and str(event.id) in page and "Webhook Store A" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/webhooks/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 302
    run_deliveries()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and len(server.received) == 2

    assert client.post(f"/webhooks/{subscription.pk}/disable/").status_code == 302
    subscription.refresh_from_db()
    assert not subscription.active and not subscription.disabled_by_failures
    # Replaying to a disabled subscription says why it cannot.
    response = client.post(f"/webhooks/deliveries/{delivery.pk}/replay/", follow=True)
    assert "Enable the subscription first" in response.content.decode()
    assert client.post(f"/webhooks/{subscription.pk}/enable/").status_code == 302
    subscription.refresh_from_db()
    assert subscription.active

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/webhooks/events/{event.pk}/replay/", follow=True)
    assert "being sent again to 1 subscription" in response.content.decode()
    run_deliveries()
    assert len(server.received) == 3
    assert {r.headers["webhook-id"] for r in server.received} == {str(event.id)}


def test_each_merchant_sees_only_their_own_and_staff_see_all(
    client, user_factory, merchant_factory, sandbox, store_factory, subscription_for
):
    a, b = merchant_factory("Hooks A"), merchant_factory("Hooks B")
    sub_a, _ = subscription_for(a, "https://a.example.com/only-a")
    sub_b, _ = subscription_for(b, "https://b.example.com/only-b")
    store_b = store_factory(sandbox, merchant=b, name="Hidden Store B")
    event_b = event_record(kind=EventKind.STORE_NEEDS_ATTENTION, store=store_b, data={})
    delivery_b = EventDelivery.objects.get(event=event_b)

    client.force_login(user_factory(Role.MERCHANT_USER, merchant=a))
    page = client.get("/webhooks/").content.decode()
    assert "only-a" in page and "only-b" not in page and "Hidden Store B" not in page
    for url in (
        f"/webhooks/{sub_b.pk}/",
        f"/webhooks/{sub_b.pk}/rotate/",
        f"/webhooks/{sub_b.pk}/disable/",
        f"/webhooks/deliveries/{delivery_b.pk}/",
        f"/webhooks/deliveries/{delivery_b.pk}/replay/",
        f"/webhooks/events/{event_b.pk}/replay/",
    ):
        assert client.post(url).status_code == 404, url
        assert client.get(url).status_code == 404, url
    # Creating for another merchant is refused by the form (not a choice).
    response = client.post("/webhooks/", {"merchant": b.pk, "url": "https://x.example.com/"})
    assert response.status_code == 400
    assert EventSubscription.objects.filter(merchant=b).count() == 1
    sub_b.refresh_from_db()
    assert sub_b.active

    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    page = client.get("/webhooks/").content.decode()
    assert "only-a" in page and "only-b" in page and "Hidden Store B" in page
    assert sub_a.pk != sub_b.pk

"""One merchant never sees another's data, on every page of the web UI: every URL pattern of the
project is walked (none is listed by hand, so a new page is covered the day it is added). Pages
about one object answer 404 to another merchant's user, on GET and POST; list pages answer 200
without a trace of the other merchant's store."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from console.models import Alert, AlertCause
from console.reconciliation.services import reconciliation_run_now
from fulfillment.api.tokens import api_token_create
from fulfillment.events import event_record
from fulfillment.events.payloads import store_data
from fulfillment.events.subscriptions import subscription_create
from fulfillment.models import EventDelivery, EventKind, ImportRun
from fulfillment.writeback.carriers import carrier_mapping_set
from fulfillment.writeback.samples import fulfillment_build
from stores.connection_test_runs import store_connection_test_start
from stores.models import AuditEntry, Role

pytestmark = pytest.mark.django_db

SECRET_NAME = "Zanzibar Private Store"
# Not pages of the console: Django admin (staff only, tested in its own files), the token API
# (tested per endpoint), sign-in/out, the operations endpoints (401 for everyone without the
# token or a staff session), the wizard's first steps (they create a new store) and Acumatica's
# push webhook (no session: its per-store secret header, tested in test_push) and a merchant's
# credentials link (no session: the link is the key, tested in tests/stores/test_handoff_views).
SKIPPED_PREFIXES = (
    "connect/",
    "admin/",
    "api/",
    "login/",
    "logout/",
    "healthz",
    "metrics",
    "stores/new/",
    "push/",
)


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _patterns(entry, route)
        else:
            found.append((route, entry))
    return found


def _body(response) -> str:
    """The page, or the whole of a streamed download (the orders CSV)."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _url(route: str, ids: dict[str, int]) -> str | None:
    """The route with its converters filled from ``ids``; None when a parameter is unknown."""
    import re

    missing = []

    def fill(match: re.Match) -> str:
        name = match.group(2)
        if name == "action":
            return "skip"
        if name not in ids:
            missing.append(name)
            return ""
        return str(ids[name])

    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    return None if missing else url


@pytest.fixture
def victim(sandbox, store_factory, merchant_factory, shippable_order):
    store = store_factory(sandbox, merchant=merchant_factory("Victim Merchant"), name=SECRET_NAME)
    order = shippable_order(store)
    fulfillment = fulfillment_build(order=order)
    mapping = carrier_mapping_set(store=store, carrier="UPS", service="Ground", ship_via="UPSGND")
    alert = Alert.objects.create(store=store, cause=AlertCause.IMPORT_FAILING, title=SECRET_NAME)
    token, _ = api_token_create(name=f"{SECRET_NAME} WMS", merchants=[store.merchant])
    # A finished reconciliation report of the store with a difference naming the store.
    report = reconciliation_run_now(store=store, since=None)
    report.differences.create(kind="not_imported", document="SO 1", reason=SECRET_NAME)
    # Webhooks: a subscription of the victim's merchant, and an event naming the store with its
    # delivery.
    subscription, _ = subscription_create(
        merchant=store.merchant, url="https://victim.example.com/hooks", description=SECRET_NAME
    )
    event = event_record(kind=EventKind.STORE_NEEDS_ATTENTION, store=store, data=store_data(store))
    test_run = store_connection_test_start(store=store, actor=None)
    return {
        "test_run_id": test_run.pk,
        "subscription_id": subscription.pk,
        "delivery_id": EventDelivery.objects.get(event=event).pk,
        "event_id": event.pk,
        "store_id": store.pk,
        "order_id": order.pk,
        "run_id": ImportRun.objects.filter(store=store).first().pk,
        "fulfillment_id": fulfillment.pk,
        "mapping_id": mapping.pk,
        "alert_id": alert.pk,
        # A configuration change of the store (its creation): the history's revert page.
        "entry_id": AuditEntry.objects.filter(store=store).order_by("pk").first().pk,
        "token_id": token.pk,
        "report_id": report.pk,
    }


def test_no_page_shows_or_touches_another_merchants_data(
    client, victim, user_factory, merchant_factory
):
    outsider = user_factory(Role.MERCHANT_USER, merchant=merchant_factory("Outsider Merchant"))
    client.force_login(outsider)
    checked_objects = checked_lists = 0
    unknown = []
    for route, _pattern in _patterns(get_resolver()):
        if route.startswith(SKIPPED_PREFIXES):
            continue
        url = _url(route, victim)
        if url is None:
            unknown.append(route)
            continue
        if "<" in route:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 404, (method, url, response.status_code)
            checked_objects += 1
        else:
            response = client.get(url)
            assert response.status_code in (200, 302), (url, response.status_code)
            assert SECRET_NAME not in _body(response), url
            # Asking for the other merchant's store by id in the query string: ignored or 404.
            asked = client.get(f"{url}?store={victim['store_id']}")
            assert asked.status_code in (200, 302, 404), (url, asked.status_code)
            assert SECRET_NAME not in _body(asked), url
            checked_lists += 1
    assert not unknown, f"routes with parameters this test cannot fill: {unknown}"
    assert checked_objects >= 15 and checked_lists >= 6, (checked_objects, checked_lists)

"""The event feed ``GET /api/v1/events?after=``: ascending positions given after commit (an
event committed late still comes after what a poller has read), paging with ``next_after``,
a token sees its merchants' events only, bad cursors are a 400; and the payloads the code
builds match the schemas in the OpenAPI docs."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from fulfillment.api.event_schemas import EVENT_SERIALIZERS
from fulfillment.events import event_record
from fulfillment.events.feed import events_sequence
from fulfillment.events.payloads import envelope, fulfillment_data, order_data, store_data
from fulfillment.models import EventKind, OutboundEvent
from fulfillment.writeback.samples import fulfillment_build

pytestmark = pytest.mark.django_db


def emit(store, n: int = 1) -> list[OutboundEvent]:
    return [
        event_record(kind=EventKind.STORE_NEEDS_ATTENTION, store=store, data=store_data(store))
        for _ in range(n)
    ]


def read_all(client, *, after: int = 0, limit: int = 2, **params) -> tuple[list[dict], int]:
    seen: list[dict] = []
    while True:
        response = client.get("/api/v1/events", {"after": after, "limit": limit, **params})
        assert response.status_code == 200, response.content
        page = response.json()
        seen += page["events"]
        assert f"after={page['next_after']}" in page["next"]
        if not page["events"]:
            return seen, page["next_after"]
        after = page["next_after"]


def test_pages_in_ascending_order_and_a_token_sees_only_its_merchants(
    sandbox, store_factory, merchant_factory, api_token, api_client
):
    mine = store_factory(sandbox, merchant=merchant_factory("Feed A"), name="Feed Store A")
    theirs = store_factory(sandbox, merchant=merchant_factory("Feed B"), name="Feed Store B")
    ours = emit(mine, 3)
    emit(theirs, 2)
    _, key_a = api_token(mine.merchant)
    _, key_b = api_token(theirs.merchant)
    _, key_all = api_token()

    seen, last = read_all(api_client(key_a))
    assert [e["id"] for e in seen] == [str(e.id) for e in ours]
    assert {e["store"]["name"] for e in seen} == {"Feed Store A"}
    positions = [e["sequence"] for e in seen]
    assert positions == sorted(positions) and last == positions[-1]
    assert seen[0]["type"] == "store.needs_attention" and seen[0]["merchant_id"] == mine.merchant_id

    theirs_seen, _ = read_all(api_client(key_b))
    assert len(theirs_seen) == 2 and "Feed Store A" not in str(theirs_seen)
    assert len(read_all(api_client(key_all))[0]) == 5

    # Polling again from the kept position: only what is new.
    newer = emit(mine)
    again, _ = read_all(api_client(key_a), after=last)
    assert [e["id"] for e in again] == [str(newer[0].id)]
    only, _ = read_all(api_client(key_a), type="order.ready")
    assert only == []


def test_an_event_committed_late_comes_after_what_a_poller_already_read(
    sandbox, store_factory, api_token, api_client
):
    store = store_factory(sandbox)
    _, key = api_token(store.merchant)
    client = api_client(key)
    [early] = emit(store)
    first, kept = read_all(client)
    assert [e["id"] for e in first] == [str(early.id)]
    # An event whose transaction began before "early" (an earlier timestamp, as an import page
    # that ran long) commits only now: it still comes after the position the poller kept.
    [late] = emit(store)
    OutboundEvent.objects.filter(pk=late.pk).update(
        created_at=early.created_at - dt.timedelta(minutes=5)
    )
    then, _ = read_all(client, after=kept)
    assert [e["id"] for e in then] == [str(late.id)]
    assert then[0]["sequence"] > kept
    assert events_sequence() == 0  # every committed event has its position


def test_bad_queries_are_400_in_the_error_shape_and_no_token_is_401(api_token, api_client):
    _, key = api_token()
    client = api_client(key)
    for query in ({"after": "abc"}, {"after": -1}, {"limit": 0}, {"type": "order.nope"}):
        response = client.get("/api/v1/events", query)
        assert response.status_code == 400, query
        body = response.json()
        assert body["code"] and body["errors"], body
    assert api_client().get("/api/v1/events").status_code == 401


def test_every_payload_the_code_builds_matches_its_documented_schema(
    sandbox, store_factory, shippable_order
):
    order = shippable_order()
    store = order.store
    fulfillment = fulfillment_build(order=order)
    for kind in EventKind.values:
        if kind.startswith("order."):
            data = order_data(order, previous_status="acknowledged", changes=["ship via"])
        elif kind.startswith("fulfillment."):
            data = fulfillment_data(fulfillment, order)
        else:
            data = store_data(store)
        event = event_record(kind=kind, store=store, order=order, data=data)
        events_sequence()
        event.refresh_from_db()
        item = {**envelope(event, store_name=store.name), "sequence": event.sequence}
        checked = EVENT_SERIALIZERS[kind](data=item)
        assert checked.is_valid(), (kind, checked.errors)
        # Nothing sent that the schema does not describe.
        documented = set(EVENT_SERIALIZERS[kind]().fields["data"].fields)
        assert set(item["data"]) == documented, kind


def test_the_openapi_docs_describe_the_feed_and_each_event_type(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    feed = schema["paths"]["/api/v1/events"]["get"]
    assert {"after", "limit", "type"} <= {p["name"] for p in feed["parameters"]}
    schemas = schema["components"]["schemas"]
    mapping = schemas["Event"]["discriminator"]["mapping"]
    assert set(mapping) == set(EventKind.values)
    assert "OrderReadyEvent" in schemas and "FulfillmentWrittenBackEvent" in schemas
    assert "order" in schemas["OrderEventData"]["properties"]

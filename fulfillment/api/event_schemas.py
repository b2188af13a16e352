"""The documented shape of every event (OpenAPI, through drf-spectacular): the envelope a
webhook POSTs and the feed lists, and each kind's ``data`` (built by
``fulfillment.events.payloads``). Documentation only: events are written by the payload
functions, and a test checks that what they build matches these."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from ..models import EventKind


class EventOrderRef(serializers.Serializer):
    id = serializers.IntegerField()
    store_id = serializers.IntegerField()
    source_kind = serializers.CharField(help_text="sales_order or shipment")
    erp_order_type = serializers.CharField(allow_blank=True)
    erp_order_nbr = serializers.CharField(allow_blank=True)
    erp_shipment_nbr = serializers.CharField(allow_blank=True)
    status = serializers.CharField(required=False, help_text="The order's status now.")
    status_reason = serializers.CharField(required=False, allow_blank=True)
    url = serializers.CharField(help_text="Read the whole order here.")


class OrderEventData(serializers.Serializer):
    order = EventOrderRef()
    previous_status = serializers.CharField(allow_blank=True)
    changes = serializers.ListField(
        child=serializers.CharField(), help_text="What changed in Acumatica, in words."
    )


class EventFulfillmentRef(serializers.Serializer):
    id = serializers.IntegerField()
    order_id = serializers.IntegerField()
    reference = serializers.CharField()
    idempotency_key = serializers.CharField()
    status = serializers.CharField(help_text="written_back, failed or held")
    status_reason = serializers.CharField(allow_blank=True)
    erp_shipment_nbr = serializers.CharField(allow_blank=True)
    attempt_count = serializers.IntegerField()
    last_error = serializers.CharField(allow_blank=True)
    last_error_fields = serializers.ListField(child=serializers.DictField())
    url = serializers.CharField()


class FulfillmentEventData(serializers.Serializer):
    fulfillment = EventFulfillmentRef()
    order = EventOrderRef(help_text="Without its status: it moves on after the write-back.")


class EventStoreState(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    status_reason = serializers.CharField(allow_blank=True)


class StoreEventData(serializers.Serializer):
    store = EventStoreState()


class EventStoreRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


_DESCRIPTIONS = {
    EventKind.ORDER_READY: "A new order is ready for the warehouse.",
    EventKind.ORDER_CHANGED_AT_SOURCE: "Changed in Acumatica after the warehouse took it "
    "(acknowledged or shipped): `changes` says what.",
    EventKind.ORDER_CANCELLED_AT_SOURCE: "Cancelled in Acumatica: stop working on it.",
    EventKind.ORDER_ON_HOLD: "Put on hold in Acumatica: out of the queue until released.",
    EventKind.ORDER_RELEASED: "Back from hold (or cancelled/closed) in Acumatica: in the "
    "queue again.",
    EventKind.ORDER_CLOSED_AT_SOURCE: "Closed (completed) in Acumatica outside the warehouse.",
    EventKind.FULFILLMENT_WRITTEN_BACK: "The Shipment is confirmed in Acumatica and read back "
    "as sent.",
    EventKind.FULFILLMENT_FAILED: "The write-back failed for good: `last_error` and "
    "`last_error_fields` say why.",
    EventKind.FULFILLMENT_HELD: "The write-back waits (no carrier mapping, store needs "
    "attention): `status_reason` says for what.",
    EventKind.STORE_NEEDS_ATTENTION: "Acumatica refused the store's credentials or rights: "
    "imports and write-backs wait until it is fixed.",
}
_DATA = {
    **{kind: OrderEventData for kind in EventKind.values if kind.startswith("order.")},
    **{kind: FulfillmentEventData for kind in EventKind.values if kind.startswith("fulfillment.")},
    EventKind.STORE_NEEDS_ATTENTION: StoreEventData,
}


def _event_serializer(kind: str, data_class) -> type[serializers.Serializer]:
    name = "".join(part.title() for part in kind.replace(".", "_").split("_")) + "Event"
    fields = {
        "id": serializers.UUIDField(help_text="Also the webhook-id header; the same on retries."),
        "type": serializers.ChoiceField(choices=[kind], help_text=_DESCRIPTIONS[kind]),
        "created_at": serializers.DateTimeField(),
        "merchant_id": serializers.IntegerField(),
        "store": EventStoreRef(),
        "data": data_class(),
        "sequence": serializers.IntegerField(
            required=False, help_text="Feed only: the position to give as ?after= next time."
        ),
    }
    return type(name, (serializers.Serializer,), {**fields, "__doc__": _DESCRIPTIONS[kind]})


EVENT_SERIALIZERS = {kind: _event_serializer(kind, _DATA[kind]) for kind in EventKind.values}


def event_schema(*, many: bool = False) -> PolymorphicProxySerializer:
    """One of the kinds, told apart by ``type``."""
    return PolymorphicProxySerializer(
        component_name="Event",
        serializers=EVENT_SERIALIZERS,
        resource_type_field_name="type",
        many=many,
    )


class EventPage(serializers.Serializer):
    events = event_schema(many=True)
    next_after = serializers.IntegerField(
        help_text="Give it as ?after= to read on (the same when nothing new came)."
    )
    next = serializers.CharField(help_text="The URL of the next page.")

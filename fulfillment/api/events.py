"""``GET /api/v1/events?after=<position>&limit=&type=``: the event feed, for warehouses that
poll instead of taking webhooks. The token's merchants only; ascending feed position (given
after commit, so a cursor kept between polls never skips an event: see
``fulfillment.events.feed``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from ..events.feed import DEFAULT_LIMIT, MAX_LIMIT, events_after, events_sequence
from ..events.payloads import envelope
from ..models import EventKind
from .event_schemas import EventPage
from .tokens import merchant_ids_for_token
from .views import ERRORS, WarehouseApiView


class EventFeedQuery(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, default=0, max_value=2**62)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
    type = serializers.CharField(required=False)

    def validate_type(self, value: str) -> list[str]:
        kinds = [k.strip() for k in value.split(",") if k.strip()]
        unknown = [k for k in kinds if k not in EventKind.values]
        if unknown:
            raise serializers.ValidationError(f"Unknown event types: {', '.join(unknown)}.")
        return kinds


def feed_item(event) -> dict:
    return {**envelope(event, store_name=event.store.name), "sequence": event.sequence}


@extend_schema(tags=["events"])
class EventFeedView(WarehouseApiView):
    serializer_class = EventPage

    @extend_schema(
        summary="Events after a position, oldest first",
        description=(
            "The same events the webhooks POST (Standard Webhooks: `webhook-id` is the event's "
            "`id`, `webhook-signature` is `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` "
            "with the subscription's secret), for systems that poll. Start with `after=0`, "
            "then give the `next_after` of each answer: positions are given in commit order, "
            "so nothing is skipped. Each event's `data` depends on its `type` (see the Event "
            "schemas); read the whole order or fulfillment from the `url` it names."
        ),
        parameters=[
            OpenApiParameter("after", int, description="The last position you have (0: all)."),
            OpenApiParameter("limit", int, description=f"1 to {MAX_LIMIT} (default 100)."),
            OpenApiParameter(
                "type", str, description="Only these types, comma-separated, e.g. order.ready."
            ),
        ],
        responses={200: EventPage, 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request):
        query = EventFeedQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        events_sequence()
        events = list(
            events_after(
                merchant_ids=merchant_ids_for_token(self.token),
                after=wanted["after"],
                limit=wanted["limit"],
                kinds=wanted.get("type"),
            )
        )
        next_after = events[-1].sequence if events else wanted["after"]
        params = request.query_params.copy()
        params["after"] = str(next_after)
        return Response(
            {
                "events": [feed_item(e) for e in events],
                "next_after": next_after,
                "next": request.build_absolute_uri(f"{request.path}?{params.urlencode()}"),
            }
        )

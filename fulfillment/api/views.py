"""The warehouse API's endpoints. Thin: read through ``scope`` (a token sees its merchants'
data only; anything else is a 404), write through the fulfillment services, answer errors in
one shape (``errors.exception_handler``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from ..fulfillments import fulfillment_record, order_acknowledge
from ..fulfillments.selectors import fulfillments_detailed
from ..models import FulfillmentSource, Order
from . import scope
from .auth import ApiTokenAuthentication, HasApiToken
from .pagination import OrderCursorPagination
from .parsers import BoundedJSONParser
from .serializers import (
    ErrorSerializer,
    FulfillmentRequest,
    FulfillmentSerializer,
    OrderFilter,
    OrderSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid request: messages per field."),
    401: OpenApiResponse(ErrorSerializer, description="No token, an unknown or revoked one."),
    404: OpenApiResponse(ErrorSerializer, description="No such object for this token."),
}


class WarehouseApiView(GenericAPIView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasApiToken]
    parser_classes = [BoundedJSONParser]
    renderer_classes = [JSONRenderer]

    @property
    def token(self):
        return self.request.auth

    def order(self) -> Order:
        return scope.order_for_token(self.token, self.kwargs["order_id"])


@extend_schema(tags=["orders"])
class OrderListView(WarehouseApiView):
    serializer_class = OrderSerializer
    pagination_class = OrderCursorPagination

    @extend_schema(
        summary="Orders, oldest change first",
        description=(
            "Cursor-paginated on (updated_at, id): keep the `next` link and poll it to see "
            "every order that changes afterwards. Each line's `quantity` is what the "
            "warehouse is asked to ship; `remaining_quantity` what is left of it."
        ),
        parameters=[
            OpenApiParameter(
                "status",
                str,
                description="One or more statuses, comma-separated, e.g. ready,acknowledged.",
            ),
            OpenApiParameter("store", int, description="A store's id."),
            OpenApiParameter(
                "updated_since", str, description="ISO 8601 date-time; without an offset, UTC."
            ),
        ],
        responses={200: OrderSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        query = request.query_params.dict()
        if "status" in query:  # ?status=a,b and ?status=a&status=b both mean either
            query["status"] = ",".join(request.query_params.getlist("status"))
        filters = OrderFilter(data=query)
        filters.is_valid(raise_exception=True)
        orders = scope.orders_for_token(self.token)
        wanted = filters.validated_data
        if "status" in wanted:
            orders = orders.filter(status__in=wanted["status"])
        if "store" in wanted:
            orders = orders.filter(store_id=wanted["store"])
        if "updated_since" in wanted:
            orders = orders.filter(updated_at__gte=wanted["updated_since"])
        page = self.paginate_queryset(orders)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["orders"])
class OrderDetailView(WarehouseApiView):
    serializer_class = OrderSerializer

    @extend_schema(summary="One order", responses={200: OrderSerializer, **ERRORS})
    def get(self, request, order_id):
        return Response(self.get_serializer(self.order()).data)


@extend_schema(tags=["orders"])
class OrderAcknowledgeView(WarehouseApiView):
    serializer_class = OrderSerializer

    @extend_schema(
        summary="Take an order: ready → acknowledged",
        description="Safe to repeat. An order that is not waiting for the warehouse is a 409 "
        "with the reason (`order_not_in_queue`).",
        request=None,
        responses={
            200: OrderSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Not in the warehouse's queue."),
            **ERRORS,
        },
    )
    def post(self, request, order_id):
        order, _ = order_acknowledge(order=self.order())
        order = scope.order_for_token(self.token, order.pk)
        return Response(self.get_serializer(order).data)


@extend_schema(tags=["fulfillments"])
class OrderFulfillmentsView(WarehouseApiView):
    serializer_class = FulfillmentSerializer

    @extend_schema(
        summary="The order's fulfillments",
        responses={200: FulfillmentSerializer(many=True), **ERRORS},
    )
    def get(self, request, order_id):
        fulfillments = fulfillments_detailed().filter(order=self.order()).order_by("id")
        return Response(self.get_serializer(fulfillments, many=True).data)

    @extend_schema(
        summary="Record what shipped",
        description=(
            "201 with the new fulfillment; 200 with the same fulfillment when the same "
            "`idempotency_key` comes again with the same body; 409 when it comes with "
            "another body (`idempotency_conflict`) or the order cannot be shipped "
            "(`order_not_shippable`). Lines may ship part of what is open; the total shipped "
            "by every fulfillment of a line may not exceed its `quantity`. Weight units: lb, "
            "kg, oz, g; dimension units: in, cm. Unknown fields are refused."
        ),
        request=FulfillmentRequest,
        responses={
            201: FulfillmentSerializer,
            200: OpenApiResponse(FulfillmentSerializer, description="Already recorded."),
            409: OpenApiResponse(ErrorSerializer, description="Key re-used or not shippable."),
            413: OpenApiResponse(ErrorSerializer, description="Body over the size limit."),
            **ERRORS,
        },
    )
    def post(self, request, order_id):
        order = self.order()
        body = FulfillmentRequest(data=request.data)
        body.is_valid(raise_exception=True)
        fulfillment, created = fulfillment_record(
            order=order,
            data=body.validated_data,
            idempotency_key=body.validated_data["idempotency_key"],
            source=FulfillmentSource.API,
            api_token=self.token,
            raw_request=request.data,
        )
        fulfillment = scope.fulfillment_for_token(self.token, fulfillment.pk)
        return Response(
            self.get_serializer(fulfillment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema(tags=["fulfillments"])
class FulfillmentDetailView(WarehouseApiView):
    serializer_class = FulfillmentSerializer

    @extend_schema(
        summary="A fulfillment and its write-back",
        description="`status`: pending, writing, written_back, held (see `status_reason`), "
        "failed (see `last_error` and Acumatica's `last_error_fields`).",
        responses={200: FulfillmentSerializer, **ERRORS},
    )
    def get(self, request, fulfillment_id):
        return Response(
            self.get_serializer(scope.fulfillment_for_token(self.token, fulfillment_id)).data
        )

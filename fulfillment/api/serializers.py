"""What the API reads and writes. Requests are checked here for shape and type (every field a
message of its own); what depends on the order — lines, quantities left to ship, package
contents, the order's status — is checked by ``fulfillment_record``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..fulfillments import rules
from ..models import Fulfillment, Order, OrderLine, OrderStatus

# --- requests -----------------------------------------------------------------------------------


class StrictCharField(serializers.CharField):
    """A JSON string, nothing else: DRF's CharField would turn 123 into "123"."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class LowerChoiceField(serializers.ChoiceField):
    """A choice spelt in any case (``LB`` means ``lb``)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().lower()
        elif data is not None:
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601; a time without an offset is UTC whatever the server's TIME_ZONE."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(**kwargs)


def positive(value: Decimal) -> None:
    if value is not None and value <= 0:
        raise serializers.ValidationError("Must be more than 0.")


def quantity_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=rules.QUANTITY_DIGITS,
        decimal_places=rules.QUANTITY_PLACES,
        validators=[positive],
        **kwargs,
    )


def measure_field(**kwargs) -> serializers.DecimalField:
    # Scales send more decimals than anyone needs: rounded rather than refused.
    return serializers.DecimalField(
        max_digits=rules.MEASURE_DIGITS,
        decimal_places=rules.MEASURE_PLACES,
        rounding=ROUND_HALF_UP,
        validators=[positive],
        **kwargs,
    )


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt optional field (``lenght``) is an error
    instead of being dropped without a word."""

    def to_internal_value(self, data):
        errors: dict = {}
        value = None
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = dict(exc.detail) if isinstance(exc.detail, Mapping) else {}
            if not errors:
                raise
        if isinstance(data, Mapping):
            for name in data:
                if name not in self.fields:
                    errors[str(name)] = ["Unknown field."]
        if errors:
            raise serializers.ValidationError(errors)
        return value


class LineQuantityInput(StrictSerializer):
    line_id = serializers.IntegerField(
        min_value=1, max_value=rules.MAX_ID, help_text="An order line's `id` (from the orders)."
    )
    quantity = quantity_field(help_text="How many, in the line's UOM; more than 0.")


class PackageInput(StrictSerializer):
    box_id = StrictCharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=rules.BOX_ID_MAX,
        help_text="Acumatica Box ID; when left out, the carrier mapping's default box.",
    )
    weight = measure_field(help_text="Gross weight, more than 0.")
    weight_unit = LowerChoiceField(choices=rules.WEIGHT_UNITS)
    length = measure_field(required=False, allow_null=True)
    width = measure_field(required=False, allow_null=True)
    height = measure_field(required=False, allow_null=True)
    dimension_unit = LowerChoiceField(
        choices=rules.DIMENSION_UNITS,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Required with any of length, width, height.",
    )
    tracking_number = StrictCharField(max_length=rules.TRACKING_NUMBER_MAX)
    contents = LineQuantityInput(
        many=True,
        required=False,
        max_length=rules.MAX_CONTENTS,
        help_text="Which lines, and how many of each, this package holds (optional).",
    )

    def validate(self, attrs):
        dimensions = [n for n in ("length", "width", "height") if attrs.get(n) is not None]
        if dimensions and not attrs.get("dimension_unit"):
            raise serializers.ValidationError(
                {"dimension_unit": [f"Give the unit of {', '.join(dimensions)}: in or cm."]}
            )
        return attrs


class FulfillmentRequest(StrictSerializer):
    idempotency_key = StrictCharField(
        max_length=rules.IDEMPOTENCY_KEY_MAX,
        help_text="Your id for this shipment. Sending it again with the same body returns "
        "the fulfillment recorded the first time (200); with another body, 409.",
    )
    shipped_at = UtcDateTimeField(help_text="ISO 8601; without an offset, UTC.")
    carrier = StrictCharField(max_length=rules.CARRIER_MAX, help_text="e.g. UPS")
    service = StrictCharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=rules.SERVICE_MAX,
        help_text="e.g. Ground",
    )
    lines = LineQuantityInput(many=True, allow_empty=False, max_length=rules.MAX_LINES)
    packages = PackageInput(many=True, allow_empty=False, max_length=rules.MAX_PACKAGES)

    def validate_shipped_at(self, value: dt.datetime) -> dt.datetime:
        if value > timezone.now() + rules.SHIPPED_AT_FUTURE_TOLERANCE:
            raise serializers.ValidationError("Cannot be more than a day in the future.")
        if value < rules.SHIPPED_AT_EARLIEST:
            raise serializers.ValidationError("Cannot be before 2000.")
        return value


class OrderFilter(serializers.Serializer):
    """The query string of ``GET /api/v1/orders``."""

    status = serializers.CharField(required=False)
    store = serializers.IntegerField(required=False, min_value=1, max_value=rules.MAX_ID)
    updated_since = UtcDateTimeField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=500)

    def validate_status(self, value: str) -> list[str]:
        wanted = [part.strip() for part in value.split(",") if part.strip()]
        unknown = [part for part in wanted if part not in OrderStatus.values]
        if unknown or not wanted:
            raise serializers.ValidationError(
                f"Unknown status {', '.join(unknown) or repr(value)}; use one or more "
                f"(comma-separated) of {', '.join(OrderStatus.values)}."
            )
        return wanted


# --- answers ------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "decimal", "example": "2.5"})
class PlainDecimalField(serializers.Field):
    """A decimal as a string without trailing zeros ("2", "2.5"): exact, unlike a JSON number."""

    def to_representation(self, value):
        if value is None:
            return None
        text = format(Decimal(value).normalize(), "f")
        return "0" if text == "-0" else text


class ShipToSerializer(serializers.Serializer):
    name = serializers.CharField(source="ship_to_name")
    attention = serializers.CharField(source="ship_to_attention")
    email = serializers.CharField(source="ship_to_email")
    phone = serializers.CharField(source="ship_to_phone")
    address_line1 = serializers.CharField(source="ship_to_address_line1")
    address_line2 = serializers.CharField(source="ship_to_address_line2")
    city = serializers.CharField(source="ship_to_city")
    state = serializers.CharField(source="ship_to_state")
    postal_code = serializers.CharField(source="ship_to_postal_code")
    country = serializers.CharField(source="ship_to_country")


class OrderLineSerializer(serializers.ModelSerializer):
    quantity = PlainDecimalField(
        source="open_quantity", help_text="What the warehouse is asked to ship in all."
    )
    shipped_quantity = PlainDecimalField(help_text="Shipped so far by recorded fulfillments.")
    remaining_quantity = serializers.SerializerMethodField(
        help_text="quantity - shipped_quantity: what a fulfillment may still ship."
    )

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "line_nbr",
            "inventory_id",
            "description",
            "quantity",
            "uom",
            "shipped_quantity",
            "remaining_quantity",
            "warehouse",
        ]

    @extend_schema_field({"type": "string", "format": "decimal"})
    def get_remaining_quantity(self, line: OrderLine) -> str:
        return PlainDecimalField().to_representation(
            max(line.open_quantity - line.shipped_quantity, Decimal(0))
        )


class OrderSerializer(serializers.ModelSerializer):
    store_name = serializers.CharField(source="store.name")
    merchant = serializers.CharField(source="store.merchant.name")
    ship_to = ShipToSerializer(source="*")
    lines = OrderLineSerializer(many=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "store",
            "store_name",
            "merchant",
            "source_kind",
            "status",
            "status_reason",
            "erp_order_type",
            "erp_order_nbr",
            "erp_shipment_nbr",
            "customer_id",
            "customer_reference",
            "order_date",
            "ship_via",
            "warehouse",
            "ship_to",
            "changed_at_source",
            "source_changes",
            "updated_at",
            "lines",
        ]


class FulfillmentLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(source="order_line_id")
    line_nbr = serializers.IntegerField(source="order_line.line_nbr")
    inventory_id = serializers.CharField(source="order_line.inventory_id")
    quantity = PlainDecimalField()


class PackageContentSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(source="order_line_id")
    quantity = PlainDecimalField()


class PackageSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    box_id = serializers.CharField()
    weight = PlainDecimalField()
    weight_unit = serializers.CharField()
    length = PlainDecimalField(allow_null=True)
    width = PlainDecimalField(allow_null=True)
    height = PlainDecimalField(allow_null=True)
    dimension_unit = serializers.CharField()
    tracking_number = serializers.CharField()
    contents = PackageContentSerializer(many=True)


class AttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    error = serializers.CharField()
    error_fields = serializers.JSONField()


class FulfillmentSerializer(serializers.ModelSerializer):
    attempt_count = serializers.IntegerField(
        source="attempts", help_text="Write-back attempts made so far."
    )
    attempts = AttemptSerializer(source="attempts_log", many=True)
    lines = FulfillmentLineSerializer(many=True)
    packages = PackageSerializer(many=True)
    last_error_fields = serializers.JSONField(
        help_text='Acumatica\'s field messages: [{"path": "...", "message": "..."}].'
    )

    class Meta:
        model = Fulfillment
        fields = [
            "id",
            "reference",
            "order",
            "store",
            "source",
            "idempotency_key",
            "status",
            "status_reason",
            "erp_shipment_nbr",
            "shipped_at",
            "carrier",
            "service",
            "ship_via",
            "lines",
            "packages",
            "attempt_count",
            "attempts",
            "last_error",
            "last_error_fields",
            "created_at",
            "updated_at",
            "written_back_at",
        ]


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation only: field path (e.g. `lines[0].quantity`) → messages.",
    )
    fulfillment_id = serializers.IntegerField(
        required=False, help_text="409 idempotency_conflict: the fulfillment that has the key."
    )
    order_status = serializers.CharField(
        required=False, help_text="409 order_not_shippable / order_not_in_queue."
    )

"""Forms of the order page (recording a fulfillment by hand) and of the carrier mappings page.
They check shape and turn what was typed into the services' arguments; the rules themselves
are the services' (``fulfillment_record``, ``carrier_mapping_*``)."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django import forms
from django.utils import timezone

from .fulfillments import rules
from .models import CarrierMapping, OrderLine


class CarrierMappingForm(forms.Form):
    carrier = forms.CharField(max_length=100, help_text="As the warehouse sends it, e.g. UPS.")
    service = forms.CharField(
        max_length=100,
        required=False,
        help_text="e.g. Ground; leave blank to map every service of the carrier.",
    )
    ship_via = forms.CharField(
        label="Ship Via", max_length=15, help_text="The Acumatica Ship Via code (CS207500)."
    )
    default_box_id = forms.CharField(
        label="Default box",
        max_length=15,
        required=False,
        help_text="Acumatica Box ID for packages sent without one (CS207600).",
    )

    @classmethod
    def for_mapping(cls, mapping: CarrierMapping, data=None) -> CarrierMappingForm:
        return cls(
            data,
            initial={
                "carrier": mapping.carrier,
                "service": mapping.service,
                "ship_via": mapping.ship_via,
                "default_box_id": mapping.default_box_id,
            },
        )


class ShipmentForm(forms.Form):
    """Carrier, service, time and the quantity shipped of each line of the order."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    carrier = forms.CharField(max_length=rules.CARRIER_MAX)
    service = forms.CharField(max_length=rules.SERVICE_MAX, required=False)
    shipped_at = forms.DateTimeField(
        label="Shipped at (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, lines: list[OrderLine], **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                # A new key per form shown: a double submit records one fulfillment.
                "idempotency_key": secrets.token_urlsafe(16),
                "shipped_at": timezone.now().replace(second=0, microsecond=0),
            },
        )
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            left = max(line.open_quantity - line.shipped_quantity, Decimal(0))
            self.fields[self.line_field(line)] = forms.DecimalField(
                label=f"Line {line.line_nbr} {line.inventory_id}",
                required=False,
                min_value=0,
                max_digits=rules.QUANTITY_DIGITS,
                decimal_places=rules.QUANTITY_PLACES,
                disabled=left <= 0,
                widget=forms.NumberInput(attrs={"step": "any", "size": 6}),
            )
            line.left_to_ship = left

    @staticmethod
    def line_field(line: OrderLine) -> str:
        return f"line_{line.pk}"

    def line_rows(self):
        return [(line, self[self.line_field(line)]) for line in self.lines]

    def clean(self):
        cleaned = super().clean()
        if not self.shipped_lines(cleaned):
            raise forms.ValidationError("Enter the quantity shipped of at least one line.")
        return cleaned

    def shipped_lines(self, cleaned=None) -> list[dict]:
        cleaned = self.cleaned_data if cleaned is None else cleaned
        return [
            {"line_id": line.pk, "quantity": cleaned[self.line_field(line)]}
            for line in self.lines
            if cleaned.get(self.line_field(line))
        ]


class PackageForm(forms.Form):
    box_id = forms.CharField(label="Box", max_length=rules.BOX_ID_MAX, required=False)
    weight = forms.DecimalField(
        min_value=Decimal("0.0001"),
        max_digits=rules.MEASURE_DIGITS,
        decimal_places=rules.MEASURE_PLACES,
        widget=forms.NumberInput(attrs={"step": "any", "size": 6}),
    )
    # An initial value, so that an untouched spare row counts as empty.
    weight_unit = forms.ChoiceField(
        label="Unit", choices=[(unit, unit) for unit in rules.WEIGHT_UNITS], initial="lb"
    )
    tracking_number = forms.CharField(max_length=rules.TRACKING_NUMBER_MAX)


# The first package is required; the others are there to fill in when there are more boxes.
PackageFormSet = forms.formset_factory(
    PackageForm, extra=2, min_num=1, validate_min=True, max_num=rules.MAX_PACKAGES
)


def fulfillment_request(shipment: ShipmentForm, packages) -> dict:
    """The forms' values as the request ``fulfillment_record`` takes (the API's shape)."""
    data = shipment.cleaned_data
    return {
        "shipped_at": data["shipped_at"],
        "carrier": data["carrier"],
        "service": data["service"],
        "lines": shipment.shipped_lines(),
        "packages": [
            {
                "box_id": package.cleaned_data.get("box_id", ""),
                "weight": package.cleaned_data["weight"],
                "weight_unit": package.cleaned_data["weight_unit"],
                "tracking_number": package.cleaned_data["tracking_number"],
                "contents": [],
            }
            for package in packages
            if package.cleaned_data
        ],
    }


class OrderFilterForm(forms.Form):
    """The orders list's filters (GET). Every field is optional; a value that does not parse is
    ignored with a message (``problems``) rather than refused: a bookmarked or hand-edited link
    still shows orders."""

    DATE_FIELDS = (("imported", "Imported"), ("updated", "Updated"))
    FULFILLMENT_STATUSES = (
        ("pending", "Pending write-back"),
        ("held", "Held"),
        ("failed", "Failed"),
        ("written_back", "Written back"),
    )

    store = forms.IntegerField(required=False, min_value=1)
    status = forms.ChoiceField(required=False, choices=())
    fulfillment_status = forms.ChoiceField(
        required=False, choices=(("", "Any fulfillment"), *FULFILLMENT_STATUSES)
    )
    q = forms.CharField(required=False, max_length=100, strip=True)
    date_field = forms.ChoiceField(required=False, choices=DATE_FIELDS)
    from_date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    to_date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    # ``from`` is a Python keyword: the query string's names differ from the field names.
    PARAMS = {"from": "from_date", "to": "to_date", "dates": "date_field"}

    def __init__(self, params, **kwargs) -> None:
        from .models import OrderStatus

        data = {self.PARAMS.get(name, name): params.get(name, "") for name in params}
        super().__init__(data, **kwargs)
        self.fields["status"].choices = (("", "Any status"), *OrderStatus.choices)

    def values(self) -> dict:
        """The fields that parsed (invalid ones dropped), and ``problems``: one sentence per
        value ignored."""
        self.is_valid()
        values = {
            name: self.cleaned_data[name]
            for name in self.fields
            if name not in self.errors and self.cleaned_data.get(name) not in (None, "")
        }
        names = {field: param for param, field in self.PARAMS.items()}
        problems = [
            f"Ignored {names.get(field, field)}={self.data.get(field, '')!r}: "
            + (
                "use a date like 2025-06-30."
                if field in ("from_date", "to_date")
                else " ".join(errors)
            )
            for field, errors in self.errors.items()
            if field in self.fields
        ]
        if (
            values.get("from_date")
            and values.get("to_date")
            and values["from_date"] > values["to_date"]
        ):
            problems.append("The 'from' date is after the 'to' date: no order can match.")
        return {**values, "problems": problems}


class OrderSkipForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text="Why the warehouse should not ship it; kept in the audit log and the timeline.",
    )


class ConfirmForm(forms.Form):
    """An action without input: the POST itself is the confirmation."""


class ApiTokenForm(forms.Form):
    """A new warehouse API token. Whom it serves is always said: the merchants ticked, or every
    merchant (3PL admins only); never implied by ticking none."""

    SCOPES = [
        ("merchants", "Only the merchants ticked below"),
        ("all", "Every merchant, present and future (3PL admins only)"),
    ]
    name = forms.CharField(
        max_length=100, help_text="To recognise the token by, e.g. “WMS production”."
    )
    scope = forms.ChoiceField(choices=SCOPES, widget=forms.RadioSelect, label="Serves")
    merchants = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, merchants, may_serve_all: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merchants"].queryset = merchants
        self.may_serve_all = may_serve_all

    def clean(self):
        values = super().clean()
        scope, chosen = values.get("scope"), list(values.get("merchants") or [])
        if scope == "all" and not self.may_serve_all:
            self.add_error("scope", "Only a 3PL admin may make a token for every merchant.")
        elif scope == "all" and chosen:
            self.add_error(
                "merchants", "A token for every merchant needs no merchant ticked: untick them."
            )
        elif scope == "merchants" and not chosen:
            self.add_error("merchants", "Tick the merchants this token serves.")
        return values


class OrderBulkForm(forms.Form):
    """The orders list's bulk action: what to do (the ids are the ticked rows, ``order``)."""

    action = forms.ChoiceField(label="With the selected orders")
    reason = forms.CharField(required=False, max_length=500, label="Reason (for skip)")

    def __init__(self, *args, actions: dict[str, tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Choose an action…")] + [
            (key, label) for key, (label, _) in actions.items()
        ]

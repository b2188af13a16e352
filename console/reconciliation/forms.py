"""The "Reconcile" window picker and the report's backfill selection."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class _LocalDateTime(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, dt.datetime):
            # The field hands aware values over in the current time zone, made naive.
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class ReconcileForm(forms.Form):
    """From (blank with "everything": the store's whole history) to (blank: now), in the
    server's time zone."""

    since = forms.DateTimeField(
        label="From",
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=_LocalDateTime(),
        help_text="Records changed in Acumatica, orders imported and fulfillments recorded "
        "from then on.",
    )
    until = forms.DateTimeField(
        label="To",
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=_LocalDateTime(),
        help_text="Blank: now.",
    )
    everything = forms.BooleanField(
        label="Everything, from the store's first record",
        required=False,
        help_text="Reads every record of the store's order type: one request per 500.",
    )

    def clean(self):
        data = super().clean()
        since, until, everything = data.get("since"), data.get("until"), data.get("everything")
        now = timezone.now()
        if everything:
            data["since"] = None
        elif since is None and "since" not in self.errors:
            self.add_error("since", "Pick when the window starts, or tick “Everything”.")
        if until is not None and until > now + dt.timedelta(minutes=1):
            self.add_error("until", "The window cannot end in the future: leave it blank for now.")
        if data.get("since") and until and data["since"] > until:
            self.add_error("until", "The window ends before it starts: pick a later 'To'.")
        if data.get("since") and data["since"] > now:
            self.add_error("since", "The window starts in the future: pick a time in the past.")
        return data


class BackfillForm(forms.Form):
    row = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)

    def __init__(self, *args, row_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["row"].choices = [(i, i) for i in row_ids]
        self.fields["row"].error_messages["required"] = "Select at least one difference."
        self.fields["row"].error_messages["invalid_choice"] = (
            "A selected difference is not in this report (reload the page)."
        )

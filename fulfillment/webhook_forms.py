"""The webhook subscription form: shape only; the address rules (SSRF guard) and the kinds
are checked by ``fulfillment.events.subscriptions.subscription_create``."""

from __future__ import annotations

from django import forms

from stores.models import Merchant

from .models import EventKind


class SubscriptionForm(forms.Form):
    merchant = forms.ModelChoiceField(queryset=Merchant.objects.none(), required=True)
    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="Where events are POSTed, e.g. https://wms.example.com/hooks/acumatica.",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    description = forms.CharField(max_length=200, required=False)
    kinds = forms.MultipleChoiceField(
        label="Events",
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every kind, including kinds added later.",
    )

    def __init__(self, *args, merchants, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchant"].queryset = merchants
        if merchants.count() == 1:
            # A merchant user: their own merchant, nothing to choose.
            self.fields["merchant"].initial = merchants.first()
            self.fields["merchant"].widget = forms.HiddenInput()

"""Forms of credentials links: sending one (the merchant's email address), revoking one, and the
sign-in form the merchant fills in on the link's page."""

from __future__ import annotations

from django import forms

from .steps import CredentialsForm


class SendLinkForm(forms.Form):
    email = forms.EmailField(
        label="Merchant's email address",
        help_text="Who enters the Acumatica sign-in: usually the merchant's Acumatica admin.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class RevokeLinkForm(forms.Form):
    handoff_id = forms.IntegerField(widget=forms.HiddenInput)


class LinkCredentialsForm(CredentialsForm):
    """The store's sign-in fields, as on the wizard's credentials step, and whether to submit
    when the connection test does not pass."""

    submit_anyway = forms.BooleanField(
        label="Submit even though the connection test does not pass",
        required=False,
        help_text="Your warehouse sees the test's result and will get in touch.",
    )

"""The forms of the actions on a store: activate (or force it) and pause."""

from __future__ import annotations

from django import forms


class ActivateForm(forms.Form):
    """Activation after a passing test, or (3PL staff) a forced one whose reason is recorded."""

    force = forms.BooleanField(required=False, widget=forms.HiddenInput)
    force_reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with your name and the time, e.g. “Acumatica partner confirmed the "
        "role; the test cannot reach Stock Items from here”.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("force") and not cleaned.get("force_reason", "").strip():
            self.add_error("force_reason", "Say why the store should run without a passing test.")
        return cleaned

    @property
    def reason(self) -> str:
        if not self.cleaned_data.get("force"):
            return ""
        return self.cleaned_data.get("force_reason", "").strip()


class PauseForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=500,
        label="Reason (optional)",
        help_text="Shown on the store's page and kept in the audit log.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. stock count this weekend"}),
    )

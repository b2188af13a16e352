"""The console's forms: the audit log's filters."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from stores.access import stores_for
from stores.models import AuditEntry

from .selectors import audit_actions


class AuditFilterForm(forms.Form):
    store = forms.TypedChoiceField(label="Store", required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label="Action", required=False)
    actor = forms.CharField(label="Who", required=False, max_length=150)
    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")
    q = forms.CharField(required=False, max_length=200, label="Search")

    def __init__(self, *args, user, entries: QuerySet[AuditEntry], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", "All stores")] + [
            (store.pk, str(store)) for store in stores_for(user)
        ]
        actions = audit_actions(entries)
        groups = sorted({a.split(".", 1)[0] + "." for a in actions if "." in a})
        self.fields["action"].choices = (
            [("", "All actions")]
            + [(group, f"{group}*") for group in groups]
            + [(action, action) for action in actions if action not in groups]
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "“To” is before “From”.")
            cleaned.pop("date_to", None)
        return cleaned

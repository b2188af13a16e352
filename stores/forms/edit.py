"""The store's edit page: every editable value on one form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from ..models import StoreConnection
from .help_texts import HELP
from .steps import CredentialsForm, SettingsForm, credentials_initial, settings_initial
from .values import CREDENTIAL_FIELDS, LICENCE_FIELDS, SETTINGS_FIELDS


class StoreEditForm(CredentialsForm, SettingsForm):
    """Every editable value on one page: name, credentials, endpoint and order settings, and
    how often to import."""

    name = forms.CharField(max_length=200, help_text=HELP["name"])
    import_interval_minutes = forms.IntegerField(
        label="Import every (minutes)",
        min_value=1,
        max_value=24 * 60,
        help_text=HELP["import_interval_minutes"],
    )

    field_order = (
        "name",
        *CREDENTIAL_FIELDS,
        *SETTINGS_FIELDS,
        *LICENCE_FIELDS,
        "import_interval_minutes",
    )

    def __init__(self, *args, store: StoreConnection, **kwargs):
        self.store = store
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = StoreConnection.objects.filter(merchant_id=self.store.merchant_id, name=name)
        if taken.exclude(pk=self.store.pk).exists():
            raise ValidationError(f"{self.store.merchant} already has a store named {name!r}.")
        return name

    def store_values(self) -> dict:
        return {
            "name": self.cleaned_data["name"],
            "import_interval_minutes": self.cleaned_data["import_interval_minutes"],
            **CredentialsForm.store_values(self),
            **SettingsForm.store_values(self),
        }


def edit_initial(store: StoreConnection) -> dict:
    return {
        "name": store.name,
        "import_interval_minutes": store.import_interval_minutes,
        **credentials_initial(store),
        **settings_initial(store),
    }

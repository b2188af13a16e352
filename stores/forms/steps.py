"""The Add Connection wizard's forms, one per step: store basics, Acumatica credentials, endpoint
and order settings (and the initial values a step shows for a store that exists). The edit page
combines the credentials and settings steps (``edit``).

Secrets are write-only: their inputs never render a value, and left blank they keep what is
stored (a store being created has nothing stored, so there they are required)."""

from __future__ import annotations

from django import forms

from connector.acumatica.config import DEFAULT_ENDPOINT_NAME, DEFAULT_ENDPOINT_VERSION

from .. import access
from ..models import AuthMethod, Merchant, StoreConnection
from .help_texts import HELP, KEEP_STORED
from .values import (
    CREDENTIAL_FIELDS,
    LICENCE_FIELDS,
    OAUTH_ONLY_FIELDS,
    SECRET_FIELDS,
    SETTINGS_FIELDS,
    StoreValuesForm,
)


class StoreBasicsForm(forms.Form):
    """Name and merchant. 3PL staff pick an existing merchant or type a new one; a merchant
    user's store always belongs to their own merchant, so they see no merchant field."""

    name = forms.CharField(max_length=200, help_text=HELP["name"])
    merchant = forms.ModelChoiceField(
        queryset=Merchant.objects.none(),
        required=False,
        empty_label="— choose a merchant —",
        help_text="The 3PL customer whose Acumatica this is.",
    )
    new_merchant = forms.CharField(
        max_length=200,
        required=False,
        label="…or a new merchant",
        help_text="Type a name to add a merchant that is not in the list yet.",
    )

    def __init__(self, *args, user, store: StoreConnection | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = store
        self.own_merchant = None
        if store is not None or not access.is_3pl_staff(user):
            # A created store keeps its merchant (services do not move stores between them).
            del self.fields["merchant"], self.fields["new_merchant"]
            self.own_merchant = store.merchant if store else user.connector_profile.merchant
        else:
            self.fields["merchant"].queryset = access.merchants_for(user)

    def clean(self):
        cleaned = super().clean()
        if self.own_merchant is None:
            if cleaned.get("merchant") and cleaned.get("new_merchant", "").strip():
                self.add_error("new_merchant", "Choose a merchant or type a new one, not both.")
            elif not cleaned.get("merchant") and not cleaned.get("new_merchant", "").strip():
                self.add_error("merchant", "Choose the merchant, or type a new merchant's name.")
        merchant = self.own_merchant or cleaned.get("merchant")
        if not merchant and cleaned.get("new_merchant"):
            merchant = Merchant.objects.filter(name__iexact=cleaned["new_merchant"].strip()).first()
        name = cleaned.get("name", "").strip()
        if merchant and name:
            taken = StoreConnection.objects.filter(merchant=merchant, name=name)
            if self.store is not None:
                taken = taken.exclude(pk=self.store.pk)
            if taken.exists():
                self.add_error("name", f"{merchant} already has a store named {name!r}.")
        return cleaned

    def store_values(self) -> dict:
        return {"name": self.cleaned_data["name"]}

    def session_data(self) -> dict:
        """What step 1 keeps until the store exists: names and ids, never a secret."""
        merchant = self.own_merchant or self.cleaned_data.get("merchant")
        return {
            "name": self.cleaned_data["name"].strip(),
            "merchant_id": merchant.pk if merchant else None,
            "new_merchant": "" if merchant else self.cleaned_data["new_merchant"].strip(),
        }


class CredentialsForm(StoreValuesForm):
    auth_method = forms.ChoiceField(
        label="Sign-in method",
        choices=AuthMethod.choices,
        initial=AuthMethod.OAUTH,
        required=False,
        widget=forms.RadioSelect,
        help_text=HELP["auth_method"],
    )
    instance_url = forms.CharField(
        label="Instance URL",
        max_length=500,
        help_text=HELP["instance_url"],
        widget=forms.TextInput(attrs={"placeholder": "https://erp.example.com/AcumaticaERP"}),
    )
    client_id = forms.CharField(
        label="Client ID (OAuth)", max_length=200, required=False, help_text=HELP["client_id"]
    )
    client_secret = forms.CharField(
        label="Client Secret (OAuth)",
        required=False,
        strip=False,
        help_text=HELP["client_secret"],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    username = forms.CharField(max_length=150, help_text=HELP["username"])
    password = forms.CharField(
        required=False,
        strip=False,
        help_text=HELP["password"],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    tenant = forms.CharField(
        label="Tenant (optional)", max_length=100, required=False, help_text=HELP["tenant"]
    )

    def __init__(self, *args, stored_secrets: dict[str, bool] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_secrets = stored_secrets or {}
        for name in SECRET_FIELDS:
            if self.stored_secrets.get(name):
                self.fields[name].help_text = f"{KEEP_STORED} {self.fields[name].help_text}"

    def clean_auth_method(self):
        # Left out (a form from before the choice existed): OAuth, as before.
        return self.cleaned_data["auth_method"] or AuthMethod.OAUTH

    def clean_instance_url(self):
        # Browsers show the address with a trailing slash; the client adds its own paths.
        return self.cleaned_data["instance_url"].rstrip("/")

    def clean(self):
        cleaned = super().clean()
        cookie = cleaned.get("auth_method") == AuthMethod.COOKIE
        for name in SECRET_FIELDS:
            if cookie and name in OAUTH_ONLY_FIELDS:
                continue
            if not cleaned.get(name) and not self.stored_secrets.get(name):
                self.add_error(name, "This field is required.")
        if not cookie and not cleaned.get("client_id") and "client_id" not in self.errors:
            self.add_error("client_id", "This field is required for OAuth.")
        return cleaned

    def credential_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CREDENTIAL_FIELDS]

    def store_values(self) -> dict:
        """For store_create / store_update. A blank secret is left out: it keeps the stored one."""
        return {
            name: self.cleaned_data[name]
            for name in CREDENTIAL_FIELDS
            if name not in SECRET_FIELDS or self.cleaned_data[name]
        }


def _licence_field(label: str, name: str) -> forms.IntegerField:
    """A licence limit: a positive whole number, or blank when not known."""
    return forms.IntegerField(
        label=label, required=False, min_value=1, max_value=1_000_000, help_text=HELP[name]
    )


class SettingsForm(StoreValuesForm):
    endpoint_name = forms.CharField(
        max_length=100,
        initial=DEFAULT_ENDPOINT_NAME,
        help_text=HELP["endpoint_name"],
    )
    endpoint_version = forms.CharField(
        max_length=20,
        initial=DEFAULT_ENDPOINT_VERSION,
        help_text=HELP["endpoint_version"],
    )
    order_type = forms.CharField(
        max_length=10,
        initial="SO",
        help_text=HELP["order_type"],
    )
    default_warehouse = forms.CharField(
        label="Default Warehouse ID",
        max_length=30,
        required=False,
        help_text=HELP["default_warehouse"],
    )
    oauth_scope = forms.CharField(
        label="OAuth Scope",
        max_length=200,
        initial="api offline_access",
        help_text=HELP["oauth_scope"],
    )
    shipment_mode = forms.BooleanField(
        label="Import orders via shipments", required=False, help_text=HELP["shipment_mode"]
    )
    include_package_contents = forms.BooleanField(
        label="Include package contents", required=False, help_text=HELP["include_package_contents"]
    )
    licence_api_users = _licence_field("API users (sessions)", "licence_api_users")
    licence_api_users_reserved = forms.IntegerField(
        label="API users kept for other programs",
        required=False,
        min_value=0,
        max_value=1_000_000,
        initial=0,
        help_text=HELP["licence_api_users_reserved"],
    )
    licence_concurrent_requests = _licence_field(
        "Concurrent API requests", "licence_concurrent_requests"
    )
    licence_requests_per_minute = _licence_field(
        "API requests per minute", "licence_requests_per_minute"
    )

    # Acumatica's ids are upper case; accepting "so" or "wholesale" spares a round trip.
    def clean_order_type(self):
        return self.cleaned_data["order_type"].upper()

    def clean_default_warehouse(self):
        return self.cleaned_data["default_warehouse"].upper()

    def clean_licence_api_users_reserved(self):
        return self.cleaned_data["licence_api_users_reserved"] or 0

    def clean(self):
        cleaned = super().clean()
        users = cleaned.get("licence_api_users")
        reserved = cleaned.get("licence_api_users_reserved")
        if users and reserved and reserved >= users:
            self.add_error(
                "licence_api_users_reserved",
                f"Keep fewer than the licence's {users} API users for other programs: the "
                "connector needs at least one.",
            )
        return cleaned

    def settings_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SETTINGS_FIELDS]

    def licence_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in LICENCE_FIELDS]

    def store_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in (*SETTINGS_FIELDS, *LICENCE_FIELDS)}


def settings_initial(store: StoreConnection) -> dict:
    return {name: getattr(store, name) for name in (*SETTINGS_FIELDS, *LICENCE_FIELDS)}


def credentials_initial(store: StoreConnection) -> dict:
    return {name: getattr(store, name) for name in CREDENTIAL_FIELDS if name not in SECRET_FIELDS}

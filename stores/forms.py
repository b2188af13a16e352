"""Forms of the stores pages. They parse and validate what a person typed, with the messages of
``stores.validation``; the views hand the cleaned values to ``stores.services``.

Secrets are write-only: their inputs never render a value, and left blank they keep what is
stored (a store being created has nothing stored, so there they are required)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from . import access, validation
from .models import Merchant, StoreConnection

HELP = {
    "name": "Your name for this connection, e.g. the company or brand; shown on every page here.",
    "instance_url": (
        "The address you open Acumatica at, up to the site name, e.g. "
        "https://erp.example.com/AcumaticaERP (without /Main or /Frames/… after it)."
    ),
    "client_id": (
        "Integration > Connected Applications (SM303010): the Client ID, copied whole with its "
        "@Tenant ending, e.g. 88358B02-A48D-A50E-F710-39C1636C30F6@MyTenant."
    ),
    "client_secret": (
        "The Shared Secret on the Secrets tab of that connected application; Acumatica shows "
        "its value only once, when you add it."
    ),
    "username": (
        "The Acumatica user the connector signs in as (Users, SM201010); its role needs "
        "Sales Orders, Shipments and Stock Items."
    ),
    "password": "That user's password.",
    "tenant": (
        "Only for instances with several tenants: the tenant's login name from the sign-in "
        "page. Leave blank otherwise."
    ),
    "endpoint_name": (
        "The web service endpoint the connector calls (Integration > Web Service Endpoints, "
        "SM207060). Keep Default unless your partner built your own."
    ),
    "endpoint_version": (
        "The endpoint version on that same form, e.g. 24.200.001; the connection test lists "
        "the versions your instance has."
    ),
    "order_type": (
        "The order type imported in sales-order mode (Order Types, SO201000); usually SO."
    ),
    "default_warehouse": (
        "Optional. In shipment mode, only shipments from this warehouse are imported "
        "(Warehouses, IN204000), e.g. WHOLESALE."
    ),
    "oauth_scope": (
        'Keep "api offline_access": offline_access gives a refresh token, so the store stays '
        "connected without anyone typing the password again."
    ),
    "shipment_mode": (
        "On: import open Shipments (SO302000), for when Acumatica already creates the shipment. "
        "Off: import open Sales Orders (SO301000)."
    ),
    "include_package_contents": (
        "On: each package written back says which lines and quantities it holds. Needs an "
        "endpoint that exposes package contents on Shipments."
    ),
    "import_interval_minutes": "How often new and changed orders are fetched from Acumatica.",
    "licence_api_users": (
        "Maximum Number of Web Services API Users on the License Monitoring Console "
        "(SM604000): how many API sessions may be open at once (a trial licence allows 2). "
        "Blank: not known."
    ),
    "licence_concurrent_requests": (
        "Maximum Number of Concurrent Web Services API Requests (SM604000). The connector never "
        "sends more at once to this instance. Blank: not known."
    ),
    "licence_requests_per_minute": (
        "Maximum Number of Web Services API Requests per Minute (SM604000). The connector stays "
        "below it; usage against it is shown on the store's page. Blank: not known."
    ),
}
KEEP_STORED = "Stored — leave blank to keep it."

CREDENTIAL_FIELDS = ("instance_url", "client_id", "client_secret", "username", "password", "tenant")
SETTINGS_FIELDS = (
    "endpoint_name",
    "endpoint_version",
    "order_type",
    "default_warehouse",
    "oauth_scope",
    "shipment_mode",
    "include_package_contents",
)
# Not connection settings: changing them keeps the last connection test valid.
LICENCE_FIELDS = (
    "licence_api_users",
    "licence_concurrent_requests",
    "licence_requests_per_minute",
)
SECRET_FIELDS = ("client_secret", "password")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to a field the form has, else on top.
    A service knows model fields; a wizard step shows only some of them."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            label = "" if target or field == "__all__" else f"{field.replace('_', ' ')}: "
            for error in errors:
                for message in error.messages:
                    form.add_error(target, f"{label}{message}")
    else:
        for message in exc.messages:
            form.add_error(None, message)


# --------------------------------------------------------------------------- step 1: basics
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


class StoreValuesForm(forms.Form):
    """Checks the store values it holds with ``validation.store_field_errors``, the rules every
    entry point shares (wizard, edit page, admin, command line)."""

    def clean(self):
        cleaned = super().clean()
        values = {
            name: value
            for name, value in cleaned.items()
            if isinstance(value, str) and name not in SECRET_FIELDS
        }
        for name, errors in validation.store_field_errors(values).items():
            for message in errors:
                self.add_error(name, message)
        return cleaned


# --------------------------------------------------------------------------- step 2: credentials
class CredentialsForm(StoreValuesForm):
    instance_url = forms.CharField(
        label="Instance URL",
        max_length=500,
        help_text=HELP["instance_url"],
        widget=forms.TextInput(attrs={"placeholder": "https://erp.example.com/AcumaticaERP"}),
    )
    client_id = forms.CharField(label="Client ID", max_length=200, help_text=HELP["client_id"])
    client_secret = forms.CharField(
        label="Client Secret",
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

    def clean_instance_url(self):
        # Browsers show the address with a trailing slash; the client adds its own paths.
        return self.cleaned_data["instance_url"].rstrip("/")

    def clean(self):
        cleaned = super().clean()
        for name in SECRET_FIELDS:
            if not cleaned.get(name) and not self.stored_secrets.get(name):
                self.add_error(name, "This field is required.")
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


# --------------------------------------------------------------------------- step 3: settings
def _licence_field(label: str, name: str) -> forms.IntegerField:
    """A licence limit: a positive whole number, or blank when not known."""
    return forms.IntegerField(
        label=label, required=False, min_value=1, max_value=1_000_000, help_text=HELP[name]
    )


class SettingsForm(StoreValuesForm):
    endpoint_name = forms.CharField(
        max_length=100,
        initial="Default",
        help_text=HELP["endpoint_name"],
    )
    endpoint_version = forms.CharField(
        max_length=20,
        initial="24.200.001",
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


# --------------------------------------------------------------------------- edit page
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


# --------------------------------------------------------------------------- actions
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

"""What the store forms share: which fields each step holds, the check of the values every entry
point applies, and how a service's ValidationError lands on a form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .. import validation

CREDENTIAL_FIELDS = (
    "auth_method",
    "instance_url",
    "client_id",
    "client_secret",
    "username",
    "password",
    "tenant",
)
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
    "licence_api_users_reserved",
    "licence_concurrent_requests",
    "licence_requests_per_minute",
)
SECRET_FIELDS = ("client_secret", "password")
# What cookie sign-in does without: it has no Connected Application.
OAUTH_ONLY_FIELDS = ("client_id", "client_secret")


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

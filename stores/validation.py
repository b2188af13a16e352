"""Shapes of the values a merchant types, checked the same way by the wizard, the edit page,
the admin and the command line. Each validator raises ValidationError with a message that says
what is wrong and what a right value looks like."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from connector.acumatica.config import DEFAULT_ENDPOINT_VERSION

from .url_safety import UnsafeInstanceURL, check_instance_url

CLIENT_ID_RE = re.compile(
    r"^(?P<guid>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})"
    r"(?:@(?P<tenant>.*))?$"
)
ENDPOINT_VERSION_RE = re.compile(r"^\d{2}\.\d{3}\.\d{3}$")
ENDPOINT_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
ORDER_TYPE_RE = re.compile(r"^[A-Z0-9]{2}$")
WAREHOUSE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_\-./]{0,29}$")
SCOPE_TOKEN_RE = re.compile(r"^[a-z_:]+$")


def validate_instance_url(value: str, *, resolve: bool = True) -> None:
    try:
        check_instance_url(value, resolve=resolve)
    except UnsafeInstanceURL as exc:
        raise ValidationError(str(exc), code="unsafe_url") from None


def client_id_tenant(value: str) -> str | None:
    """The tenant after '@' in a Client ID, or None when it has none."""
    match = CLIENT_ID_RE.match(value.strip())
    return match.group("tenant") if match else None


def validate_client_id(value: str) -> None:
    match = CLIENT_ID_RE.match(value.strip())
    if not match:
        raise ValidationError(
            "A Client ID looks like 88358B02-A48D-A50E-F710-39C1636C30F6@MyTenant: the "
            "Connected Application's GUID (Integration > Connected Applications, SM303010), "
            "then @ and the tenant's login name.",
            code="client_id_shape",
        )
    if match.group("tenant") is None or not match.group("tenant").strip():
        raise ValidationError(
            "The Client ID is missing its @Tenant suffix. Copy it whole from the Connected "
            "Applications form (SM303010), e.g. "
            f"{match.group('guid').upper()}@YourTenant.",
            code="client_id_no_tenant",
        )


def validate_client_id_matches_tenant(client_id: str, tenant: str) -> None:
    suffix = client_id_tenant(client_id)
    if tenant and suffix and suffix.strip().lower() != tenant.strip().lower():
        raise ValidationError(
            f"The Client ID belongs to tenant {suffix!r} but Tenant says {tenant!r}. "
            "OAuth signs in to the tenant named in the Client ID: make them agree.",
            code="tenant_mismatch",
        )


def validate_endpoint_version(value: str) -> None:
    if not ENDPOINT_VERSION_RE.match(value.strip()):
        raise ValidationError(
            f"An endpoint version looks like {DEFAULT_ENDPOINT_VERSION} (Web Service Endpoints, "
            "SM207060).",
            code="endpoint_version_shape",
        )


def validate_endpoint_name(value: str) -> None:
    if not ENDPOINT_NAME_RE.match(value.strip()):
        raise ValidationError(
            "An endpoint name is letters, digits and underscores, e.g. Default.",
            code="endpoint_name_shape",
        )


def validate_order_type(value: str) -> None:
    if not ORDER_TYPE_RE.match(value.strip()):
        raise ValidationError(
            "An order type is two capital letters or digits, e.g. SO (Order Types, SO201000).",
            code="order_type_shape",
        )


def validate_warehouse_id(value: str) -> None:
    if value and not WAREHOUSE_RE.match(value.strip()):
        raise ValidationError(
            "A warehouse ID is up to 30 capital letters, digits or - _ . / (Warehouses, "
            "IN204000), e.g. WHOLESALE.",
            code="warehouse_shape",
        )


def validate_oauth_scope(value: str) -> None:
    scopes = value.split()
    if "api" not in scopes:
        raise ValidationError(
            'The OAuth scope must include "api" (use "api offline_access" to stay connected '
            "without re-entering the password).",
            code="scope_without_api",
        )
    bad = [s for s in scopes if not SCOPE_TOKEN_RE.match(s)]
    if bad:
        raise ValidationError(f"Unknown scope value(s): {', '.join(bad)}.", code="scope_shape")


# What each store field is checked with, wherever a store is entered (wizard, edit page, admin,
# store_add), so that no entry point accepts a value another one refuses.
STORE_FIELD_VALIDATORS: dict[str, tuple] = {
    "instance_url": (validate_instance_url,),
    "client_id": (validate_client_id,),
    "endpoint_name": (validate_endpoint_name,),
    "endpoint_version": (validate_endpoint_version,),
    "order_type": (validate_order_type,),
    "default_warehouse": (validate_warehouse_id,),
    "oauth_scope": (validate_oauth_scope,),
}


# Acumatica IDs are upper-case; accept what people type.
UPPER_CASE_FIELDS = ("order_type", "default_warehouse")


def normalised_store_fields(values: dict) -> dict:
    """Strip text and upper-case Acumatica IDs, the same way for every entry point."""
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    for name in UPPER_CASE_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = values[name].upper()
    return values


def store_field_errors(values: dict[str, str]) -> dict[str, list[str]]:
    """Messages per field for the values given (fields left out are not checked), including
    the Client ID / Tenant agreement (reported on "tenant", as the model does)."""
    values = normalised_store_fields(values)
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if name == "client_id" and not value and values.get("auth_method") == "cookie":
            continue  # cookie sign-in has no Connected Application
        for validator in STORE_FIELD_VALIDATORS.get(name, ()):
            try:
                validator(value)
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
    if "client_id" in values and "tenant" in values:
        try:
            validate_client_id_matches_tenant(values["client_id"], values["tenant"])
        except ValidationError as exc:
            errors.setdefault("tenant", []).extend(exc.messages)
    return errors

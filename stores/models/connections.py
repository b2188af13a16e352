"""Merchants, the people who use the connector and their roles, and store connections."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from connector.acumatica.config import DEFAULT_ENDPOINT_NAME, DEFAULT_ENDPOINT_VERSION

from .. import validation


def _validate_instance_url_shape(value: str) -> None:
    # The DNS/address check runs where a URL is entered and before every connection, not on
    # every model save.
    validation.validate_instance_url(value, resolve=False)


class Merchant(models.Model):
    """A customer of the 3PL whose orders live in Acumatica."""

    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    THREEPL_ADMIN = "3pl_admin", "3PL admin"
    THREEPL_OPERATOR = "3pl_operator", "3PL operator"
    MERCHANT_USER = "merchant_user", "Merchant user"


class UserProfile(models.Model):
    """What a user may see and do. A user without a profile sees nothing (superusers excepted)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connector_profile"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MERCHANT_USER)
    merchant = models.ForeignKey(
        Merchant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="users",
        help_text="Required for merchant users; empty for 3PL staff.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="merchant_user_has_merchant",
                condition=~models.Q(role="merchant_user") | models.Q(merchant__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class StoreStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"


class AuthMethod(models.TextChoices):
    """How the connector signs in to Acumatica: OAuth (a Connected Application, the password
    grant; tokens reused between jobs) or a cookie session (``/entity/auth/login`` with the
    username and password alone; signed out after every job)."""

    OAUTH = "oauth", "OAuth (Connected Application)"
    COOKIE = "cookie", "Cookie sign-in (username and password)"


class StoreConnection(models.Model):
    """One merchant's Acumatica tenant, and how to import from and write back to it.

    Secrets are not here: they live encrypted in StoreSecrets, read only by
    ``stores.credentials``.
    """

    PLATFORM_ACUMATICA = "acumatica"

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(max_length=200)
    platform = models.CharField(
        max_length=20,
        default=PLATFORM_ACUMATICA,
        choices=[(PLATFORM_ACUMATICA, "Acumatica")],
        editable=False,
    )

    instance_url = models.URLField(
        max_length=500, help_text="e.g. https://erp.example.com/AcumaticaERP"
    )
    auth_method = models.CharField(
        "sign-in method", max_length=10, choices=AuthMethod.choices, default=AuthMethod.OAUTH
    )
    # Not used by cookie sign-in.
    client_id = models.CharField(max_length=200, blank=True, help_text="<GUID>@<Tenant>")
    tenant = models.CharField(max_length=100, blank=True)
    username = models.CharField(max_length=150)

    endpoint_name = models.CharField(max_length=100, default=DEFAULT_ENDPOINT_NAME)
    endpoint_version = models.CharField(max_length=20, default=DEFAULT_ENDPOINT_VERSION)
    order_type = models.CharField(max_length=2, default="SO")
    default_warehouse = models.CharField(max_length=30, blank=True)
    oauth_scope = models.CharField(max_length=200, default="api offline_access")
    # What the store imports, said by its choice labels wherever it is shown.
    shipment_mode = models.BooleanField(
        default=False,
        choices=[(False, "Sales orders"), (True, "Shipments")],
        help_text="Import open Shipments instead of Sales Orders.",
    )
    include_package_contents = models.BooleanField(default=False)
    import_interval_minutes = models.PositiveIntegerField(default=5)

    # The licence's API limits (License Monitoring Console, SM604000). Blank: not known. The
    # request limits feed the client's limiter; all three are shown against actual usage.
    licence_api_users = models.PositiveIntegerField(
        null=True,
        blank=True,
        verbose_name="licence: API users (sessions)",
        help_text="Maximum Number of Web Services API Users. A trial licence allows 2.",
    )
    # Seats of licence_api_users the connector leaves to other programs (a person's API tool,
    # another integration): the connector holds at most licence_api_users minus these.
    licence_api_users_reserved = models.PositiveIntegerField(
        default=0,
        verbose_name="licence: API users kept for other programs",
        help_text="The connector never holds more sessions than the API users minus these.",
    )
    licence_concurrent_requests = models.PositiveIntegerField(
        null=True,
        blank=True,
        verbose_name="licence: concurrent API requests",
        help_text="Maximum Number of Concurrent Web Services API Requests.",
    )
    licence_requests_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        verbose_name="licence: API requests per minute",
        help_text="Maximum Number of Web Services API Requests per Minute.",
    )

    status = models.CharField(max_length=20, choices=StoreStatus.choices, default=StoreStatus.DRAFT)
    status_reason = models.TextField(blank=True)
    status_since = models.DateTimeField(default=timezone.now)
    forced_activation_reason = models.TextField(blank=True)

    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_passed = models.BooleanField(null=True, blank=True)
    # The checks of the last connection test: [{"key", "title", "status", "message", "fix"}].
    last_test_result = models.JSONField(default=list, blank=True)

    # Who started it (the wizard offers them to resume or discard an unfinished draft).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["merchant__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "name"], name="store_name_unique_per_merchant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant.name} / {self.name}"

    def clean(self) -> None:
        try:
            validation.validate_client_id_matches_tenant(self.client_id, self.tenant)
        except ValidationError as exc:
            raise ValidationError({"tenant": exc.messages}) from None
        users, reserved = self.licence_api_users, self.licence_api_users_reserved
        if users and reserved and reserved >= users:
            raise ValidationError(
                {
                    "licence_api_users_reserved": (
                        f"Keep fewer than the licence's {users} API users for other programs: "
                        "the connector needs at least one."
                    )
                }
            )

    @property
    def uses_cookie_sign_in(self) -> bool:
        return self.auth_method == AuthMethod.COOKIE

    @property
    def is_active(self) -> bool:
        return self.status == StoreStatus.ACTIVE

    @property
    def connector_seats(self) -> int | None:
        """How many Acumatica sessions the connector may hold on this store's instance (None:
        the licence is not known, so no limit is kept)."""
        if not self.licence_api_users:
            return None
        return max(1, self.licence_api_users - (self.licence_api_users_reserved or 0))


class StoreSecrets(models.Model):
    """Ciphertext only (see stores.crypto). Never shown, never logged; read through
    ``stores.credentials`` alone."""

    store = models.OneToOneField(StoreConnection, on_delete=models.CASCADE, related_name="secrets")
    client_secret = models.TextField(blank=True)
    password = models.TextField(blank=True)
    refresh_token = models.TextField(blank=True)
    access_token = models.TextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    # When each secret was last entered (not re-encrypted: rotating the key keeps these), and
    # when a reminder last said it is older than CONNECTOR_SECRET_MAX_AGE_DAYS.
    client_secret_set_at = models.DateTimeField(null=True, blank=True)
    password_set_at = models.DateTimeField(null=True, blank=True)
    client_secret_reminded_at = models.DateTimeField(null=True, blank=True)
    password_reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"secrets of store {self.store_id} (encrypted)"

    def __repr__(self) -> str:
        return f"<StoreSecrets store={self.store_id} (encrypted)>"

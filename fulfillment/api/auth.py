"""``Authorization: Token <key>``: the warehouse system's API token."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from ..models import ApiToken
from .tokens import TokenRefused, api_token_authenticate

KEYWORD = "Token"


class WarehouseClient:
    """Who is calling: a token, not a person. ``request.user`` for the API views."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.pk = None

    def __str__(self) -> str:
        return f"API token {self.token.name}"


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(f"Send the header as: Authorization: {KEYWORD} <key>.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None
        try:
            token = api_token_authenticate(key=key)
        except TokenRefused as exc:
            raise AuthenticationFailed(str(exc)) from None
        return WarehouseClient(token), token

    def authenticate_header(self, request) -> str:
        # Makes a missing or refused token a 401 (with WWW-Authenticate), not a 403.
        return KEYWORD


class HasApiToken(BasePermission):
    message = f"Authentication credentials were not provided: send Authorization: {KEYWORD} <key>."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiToken)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "fulfillment.api.auth.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                f"`{KEYWORD} <key>`; keys come from `manage.py create_api_token` and are shown "
                "once."
            ),
        }

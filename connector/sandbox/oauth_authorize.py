"""The browser side of the OAuth authorization-code flow, and the OIDC discovery document.

``GET <site>/identity/connect/authorize`` shows a sign-in form (Acumatica shows its login page);
posting it with the integration user's credentials redirects to ``redirect_uri`` with ``code`` and
``state``. The code is single-use, lives five minutes (IdentityServer's default) and, when the
request carried a PKCE ``code_challenge`` (S256 only), needs the matching ``code_verifier``.
No consent screen, no id_token: the flow exists so a "connect to Acumatica" button can be tested.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .clock import SandboxClock
from .config import SandboxConfig
from .http import Reply
from .incoming import IncomingRequest
from .oauth import SUPPORTED_SCOPES, SignIn, TokenError, requested_scopes
from .px_errors import INVALID_CREDENTIALS, PASSWORD_CHANGE_REQUIRED

CODE_LIFETIME = 300.0
_REQUEST_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


@dataclass
class _IssuedCode:
    sign_in: SignIn
    redirect_uri: str
    code_challenge: str
    expires_at: float


class AuthorizationEndpoint:
    def __init__(self, config: SandboxConfig, clock: SandboxClock):
        self._config = config
        self._clock = clock
        self._codes: dict[str, _IssuedCode] = {}
        self._lock = threading.Lock()

    def handle(self, request: IncomingRequest) -> Reply:
        params = request.form_body() if request.method == "POST" else dict(request.query)
        client_id = params.get("client_id", "")
        redirect_uri = params.get("redirect_uri", "")
        if client_id.lower() != self._config.client_id.lower() or "@" not in client_id:
            return _page(400, "Sign-in error", "The client application is unknown (client_id).")
        if not self._redirect_allowed(redirect_uri):
            return _page(
                400, "Sign-in error", "The redirect_uri is not registered for this client."
            )
        if params.get("response_type") != "code":
            return _redirect(redirect_uri, error="unsupported_response_type", state=params)
        try:
            scopes = requested_scopes(params.get("scope"))
        except TokenError:
            return _redirect(redirect_uri, error="invalid_scope", state=params)
        if params.get("code_challenge") and params.get("code_challenge_method") != "S256":
            return _redirect(redirect_uri, error="invalid_request", state=params)
        if request.method != "POST":
            return _sign_in_form(params)

        user, password = params.get("username", ""), params.get("password", "")
        if user.lower() != self._config.username.lower() or not hmac.compare_digest(
            password.encode(), self._config.password.encode()
        ):
            return _sign_in_form(params, INVALID_CREDENTIALS)
        if self._config.password_change_required:
            return _sign_in_form(params, PASSWORD_CHANGE_REQUIRED)
        code = secrets.token_urlsafe(32)
        tenant = self._tenant_of(client_id)
        with self._lock:
            self._codes[code] = _IssuedCode(
                SignIn(self._config.username, tenant, scopes),
                redirect_uri,
                params.get("code_challenge", ""),
                self._clock.now() + CODE_LIFETIME,
            )
        return _redirect(redirect_uri, code=code, state=params)

    def redeem(
        self, code: str, *, client_id: str, redirect_uri: str, code_verifier: str
    ) -> SignIn | None:
        """Spend an authorization code; None when unknown, used, expired or not matching."""
        with self._lock:
            issued = self._codes.pop(code, None)
        if issued is None or self._clock.now() >= issued.expires_at:
            return None
        if redirect_uri != issued.redirect_uri:
            return None
        if issued.code_challenge:
            digest = hashlib.sha256(code_verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not hmac.compare_digest(expected, issued.code_challenge):
                return None
        return issued.sign_in

    def openid_configuration(self, request: IncomingRequest) -> Reply:
        identity = request.host_url + self._config.site.rstrip("/") + "/identity"
        return Reply(
            200,
            {
                "issuer": identity,
                "jwks_uri": f"{identity}/.well-known/openid-configuration/jwks",
                "authorization_endpoint": f"{identity}/connect/authorize",
                "token_endpoint": f"{identity}/connect/token",
                "userinfo_endpoint": f"{identity}/connect/userinfo",
                "end_session_endpoint": f"{identity}/connect/endsession",
                "scopes_supported": list(SUPPORTED_SCOPES),
                # What the sandbox serves; Acumatica also offers implicit and hybrid.
                "grant_types_supported": ["authorization_code", "password", "refresh_token"],
                "response_types_supported": ["code"],
                "response_modes_supported": ["query"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
                "code_challenge_methods_supported": ["S256"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            },
        )

    def _redirect_allowed(self, redirect_uri: str) -> bool:
        if self._config.redirect_uris:
            return redirect_uri in self._config.redirect_uris
        parts = urlsplit(redirect_uri)
        return parts.scheme in ("http", "https") and bool(parts.netloc)

    def _tenant_of(self, client_id: str) -> str:
        wanted = client_id.split("@", 1)[1].lower()
        return next(
            (t for t in self._config.tenants if t.lower() == wanted), self._config.default_tenant
        )


def _redirect(redirect_uri: str, *, state: dict[str, str], **params: str) -> Reply:
    if state.get("state"):
        params["state"] = state["state"]
    separator = "&" if "?" in redirect_uri else "?"
    return Reply(302, None, headers={"Location": redirect_uri + separator + urlencode(params)})


def _sign_in_form(params: dict[str, str], error: str | None = None) -> Reply:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(params[name])}">'
        for name in _REQUEST_FIELDS
        if params.get(name)
    )
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = (
        "<!DOCTYPE html><html><head><title>Acumatica ERP - Sign In</title></head><body>"
        "<h1>Sign In</h1>"
        f'{message}<form method="post" action="authorize">{hidden}'
        '<label>Username <input name="username" autocomplete="username"></label>'
        '<label>Password <input name="password" type="password" '
        'autocomplete="current-password"></label>'
        '<button type="submit">Sign In</button></form></body></html>'
    )
    return Reply(200, body, content_type="text/html; charset=utf-8")


def _page(status: int, title: str, text: str) -> Reply:
    body = (
        f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
    return Reply(status, body, content_type="text/html; charset=utf-8")

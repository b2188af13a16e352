"""The checks up to signing in: the Client ID's shape and the Instance URL (before any request
to Acumatica), that the address is an Acumatica site (an anonymous request, so that no
credential goes to a site that is not), and the OAuth sign-in itself."""

from __future__ import annotations

import re

from connector.acumatica import (
    AccountLocked,
    InvalidClient,
    InvalidCredentials,
    InvalidScope,
    LoginLimitReached,
    NotFound,
    NotLoggedIn,
    OAuthError,
    PasswordChangeRequired,
    SeatsBusy,
    UnexpectedResponse,
    UnknownTenant,
    UnsupportedGrantType,
)

from ..credentials import acumatica_client_for, store_has_secrets
from ..url_safety import UnsafeInstanceURL
from ..validation import CLIENT_ID_RE, client_id_tenant
from .failures import host_of
from .outcome import CONNECTED_APPLICATIONS, USERS, Context, Outcome, fail, ok, skip

_OAUTH_CODE = re.compile(r"^[a-z_]{1,40}$")


# A person is waiting: the test waits this long for a licence seat, not a job's 120 s.
SEAT_WAIT = 20
# A person is waiting: no one answer may take longer than this.
CALL_DEADLINE = 30.0


def tenant_of(ctx: Context) -> str:
    if ctx.store.uses_cookie_sign_in:
        return ctx.store.tenant.strip()
    return (client_id_tenant(ctx.store.client_id) or "").strip()


def check_client_id(ctx: Context) -> Outcome:
    store = ctx.store
    if store.uses_cookie_sign_in:
        return skip("Not used: cookie sign-in needs no Connected Application.")
    client_id = store.client_id.strip()
    match = CLIENT_ID_RE.match(client_id)
    copy_it = (
        f"Copy the Client ID whole from {CONNECTED_APPLICATIONS}, signed in to the tenant "
        "the connector should use: it looks like 88358B02-A48D-A50E-F710-39C1636C30F6@MyTenant, "
        "where MyTenant is the tenant's Login Name (Tenants, SM203520)."
    )
    if not match:
        return fail(f"“{client_id}” is not a Client ID: a GUID, then @ and the tenant.", copy_it)
    tenant = (match.group("tenant") or "").strip()
    if not tenant:
        return fail(
            f"The Client ID {match.group('guid')} has no @Tenant suffix, so Acumatica cannot "
            "tell which tenant the connected application belongs to.",
            copy_it,
        )
    if store.tenant and store.tenant.strip().lower() != tenant.lower():
        return fail(
            f"The Client ID belongs to tenant “{tenant}” but the Tenant field says "
            f"“{store.tenant}”; OAuth signs in to the tenant named in the Client ID.",
            "Make the Tenant field match the part after @ in the Client ID, or leave it blank.",
        )
    return ok(f"The Client ID names tenant “{tenant}”.")


def check_instance_url(ctx: Context) -> Outcome:
    try:
        # The client is opened here and closed (signing out) when the run ends, on every path.
        ctx.client = ctx.stack.enter_context(
            acumatica_client_for(
                ctx.store,
                keep_tokens=False,
                sign_out_on_close=True,
                purpose="connection test",
                seat_wait=SEAT_WAIT,
                urgent=True,
                deadline=CALL_DEADLINE,
            )
        )
    except (UnsafeInstanceURL, ValueError) as exc:
        return fail(
            str(exc),
            "Enter the address you open Acumatica at in a browser, up to and including the "
            "site's name, e.g. https://erp.example.com/AcumaticaERP (without /Main?ScreenId=…).",
        )
    return ok(f"{ctx.acumatica.settings.instance_url} may be called.")


def check_reachable(ctx: Context) -> Outcome:
    # Anonymous, so that no credential is sent before the address proves to be Acumatica.
    url = f"{ctx.acumatica.settings.instance_url}/entity"
    not_acumatica_fix = (
        "Enter the address of the Acumatica site itself, including its virtual directory when "
        "it has one (e.g. https://erp.example.com/AcumaticaERP): what the browser shows before "
        "/Main or /Frames when you are signed in."
    )
    try:
        info = ctx.acumatica.discover(anonymous=True)
    except NotLoggedIn:
        return ok(f"{host_of(ctx)} answers as Acumatica (it lists its endpoints after sign-in).")
    except UnexpectedResponse as exc:
        if (exc.status_code or 0) >= 500:
            raise
        # Nothing was sent but a GET, so the answer may be quoted: it often names the server.
        return fail(
            f"{url} is not Acumatica's API (HTTP {exc.status_code}): {exc.message}",
            not_acumatica_fix,
        )
    except NotFound:
        return fail(f"{url} answered 404: there is no Acumatica API there.", not_acumatica_fix)
    build = f" {info.build_version}" if info.build_version else ""
    return ok(f"Acumatica{build} answers at {ctx.acumatica.settings.instance_url}.")


def check_sign_in(ctx: Context) -> Outcome:
    store = ctx.store
    stored = store_has_secrets(store)
    needed = (("client_secret", "Shared Secret"), ("password", "Password"))
    if store.uses_cookie_sign_in:
        needed = (("password", "Password"),)
    missing = [label for name, label in needed if not stored[name]]
    if missing or not store.username:
        absent = missing + ([] if store.username else ["Username"])
        return fail(
            f"No {' and no '.join(absent)} is stored for this store.",
            "Enter the missing credentials on the store's Acumatica credentials step.",
        )
    if store.uses_cookie_sign_in:
        return _cookie_sign_in(ctx)
    tenant, user, client_id = tenant_of(ctx), store.username, store.client_id.strip()
    try:
        ctx.acumatica.sign_in()
    except SeatsBusy:
        return _seats_busy(store)
    except LoginLimitReached:
        return _login_limit()
    except PasswordChangeRequired:
        return _password_change(user)
    except UnknownTenant:
        return fail(
            f"This Acumatica instance has no tenant “{tenant}” (the part after @ in the Client "
            "ID).",
            "Use the tenant's Login Name exactly as Tenants (SM203520) shows it: copy the Client "
            f"ID from {CONNECTED_APPLICATIONS} while signed in to that tenant.",
        )
    except AccountLocked:
        return fail(
            f"The Acumatica user “{user}” is locked out or disabled.",
            f"Ask an Acumatica administrator to unlock or enable it in {USERS}, then test again.",
        )
    except InvalidClient:
        # Acumatica answers a wrong secret and a tenant the application is not registered in
        # alike (invalid_client); only a tenant the instance lacks has its own answer.
        return fail(
            f"Acumatica does not accept the connected application {client_id} "
            "(invalid_client): wrong secret, or wrong tenant after the @ — Acumatica answers "
            "both the same way. Either the Shared Secret is wrong or has expired, or no "
            f"application with this id is registered in tenant “{tenant}” (or it does not use "
            "the password flow).",
            f"In tenant {tenant}, open {CONNECTED_APPLICATIONS}: check that the application "
            "is there and copy its Client ID whole, @tenant included; on the Secrets tab check "
            "the secret's expiration date, or add a new shared secret and enter it here "
            "(Acumatica shows a secret only once). The OAuth 2.0 Flow must be Resource Owner "
            "Password Credentials.",
        )
    except InvalidCredentials:
        return fail(
            f"Acumatica rejected the username “{user}” or its password (invalid_grant).",
            f"Check both by signing in to Acumatica in a browser, make sure the user is active "
            f"in {USERS}, then enter the password again here.",
        )
    except InvalidScope:
        return fail(
            f"The connected application may not use the scope “{store.oauth_scope}”.",
            "Use the scope “api offline_access” (the default).",
        )
    except UnsupportedGrantType:
        return fail(
            "The connected application does not allow signing in with a username and password.",
            f"On {CONNECTED_APPLICATIONS}, add an application whose OAuth 2.0 Flow is Resource "
            "Owner Password Credentials and use its Client ID and secret.",
        )
    except OAuthError as exc:
        # Only a well-formed RFC 6749 code is quoted: the request carried the secrets.
        code = exc.error if _OAUTH_CODE.match(exc.error) else f"HTTP {exc.status_code}"
        return fail(
            f"Acumatica's token endpoint refused the sign-in ({code}).",
            f"Check the connected application on {CONNECTED_APPLICATIONS} and the user on {USERS}.",
        )
    except UnexpectedResponse as exc:
        if (exc.status_code or 0) >= 500:
            raise
        return fail(
            f"{host_of(ctx)} has no working OAuth token endpoint at /identity/connect/token "
            f"(HTTP {exc.status_code}).",
            "Check that the Instance URL includes the site's virtual directory and that the "
            "site is served over https.",
        )
    return ok(f"Signed in as {user} to tenant {tenant} (scope “{store.oauth_scope}”).")


def _seats_busy(store) -> Outcome:
    return fail(
        f"Every licence seat the connector may use on this instance ({store.connector_seats}: "
        "the licence's API users minus those kept for other programs) stayed in use by the "
        f"connector's own jobs for {SEAT_WAIT} s, so the test did not sign in.",
        "Test again in a minute, when a job has ended and given its seat back; or, if the "
        "licence has more API users, raise “API users (sessions)” or lower “API users kept "
        "for other programs” in the store's settings.",
    )


def _login_limit() -> Outcome:
    return fail(
        "Every API user seat of the Acumatica licence is in use (“API Login Limit”), so "
        "Acumatica refused a new session. Seats are held by other integrations and API "
        "users that are signed in, and by sessions that were never signed out until they "
        "expire: 10 minutes after their last request, up to an hour for OAuth sessions with "
        "the “api” scope alone.",
        "Sign out or pause the other integrations that use this instance, or wait up to 10 "
        "minutes (up to an hour) and test again. The License Monitoring Console (SM604000) "
        "shows the licence's Maximum Number of Web Services API Users (a trial licence has "
        "2) and what uses them.",
    )


def _password_change(user: str) -> Outcome:
    return fail(
        f"Acumatica requires user “{user}” to change its password before it can sign in "
        "(a new user, a password reset, or an expired password).",
        f"Sign in to Acumatica once in a browser as {user}, set a new password, and enter it "
        f"here. For an integration user, tick Password Never Expires in {USERS}.",
    )


def _cookie_sign_in(ctx: Context) -> Outcome:
    """Cookie sign-in (``/entity/auth/login``): the answers differ from OAuth's, and a wrong
    tenant is told apart from a wrong password (API.md §1.1)."""
    store = ctx.store
    tenant, user = tenant_of(ctx), store.username
    try:
        ctx.acumatica.sign_in()
    except SeatsBusy:
        return _seats_busy(store)
    except LoginLimitReached:
        return _login_limit()
    except PasswordChangeRequired:
        return _password_change(user)
    except UnknownTenant:
        return fail(
            f"This Acumatica instance has no tenant “{tenant}” (the Tenant field).",
            "Enter the tenant's Login Name exactly as the sign-in page's tenant list or Tenants "
            "(SM203520) shows it, or leave it blank to sign in to the default tenant.",
        )
    except AccountLocked:
        return fail(
            f"The Acumatica user “{user}” is locked out or disabled.",
            f"Ask an Acumatica administrator to unlock or enable it in {USERS}, then test again.",
        )
    except InvalidCredentials:
        where = f" in tenant “{tenant}”" if tenant else ""
        return fail(
            f"Acumatica rejected the username “{user}” or its password{where} "
            "(“Invalid credentials”).",
            "Check both by signing in to Acumatica in a browser (to the same tenant), make sure "
            f"the user is active in {USERS}, then enter the password again here.",
        )
    except UnexpectedResponse as exc:
        if (exc.status_code or 0) >= 500:
            raise
        return fail(
            f"{host_of(ctx)} has no working sign-in at /entity/auth/login "
            f"(HTTP {exc.status_code}).",
            "Check that the Instance URL includes the site's virtual directory.",
        )
    where = f"tenant {tenant}" if tenant else "the default tenant"
    return ok(f"Signed in as {user} to {where} (cookie sign-in; signed out after the test).")

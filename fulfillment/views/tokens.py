"""The API tokens page (``/api-tokens/``): the warehouse API's tokens, making one and revoking one.

Who may do what is ``api.token_access``: 3PL staff make and revoke tokens (an operator for named
merchants, a 3PL admin for every merchant too); a merchant user sees the tokens that serve their
merchant, read-only. A new key is shown once, on the answer to the POST that made it (never in
the session, a message or a redirect), with ``Cache-Control: no-store``; only its hash is kept."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from stores.access import merchants_for
from stores.models import AuditEntry
from stores.views.guards import stores_page

from ..api.token_access import (
    api_tokens_for,
    can_make_all_merchant_tokens,
    can_make_api_tokens,
    can_revoke_api_token,
)
from ..api.tokens import api_token_create, api_token_revoke
from ..forms import ApiTokenForm
from .carriers import form_service_errors


def _form(request, data=None) -> ApiTokenForm:
    return ApiTokenForm(
        data,
        merchants=merchants_for(request.user),
        may_serve_all=can_make_all_merchant_tokens(request.user),
    )


def _list(request, form: ApiTokenForm | None, *, status: int = 200):
    tokens = list(api_tokens_for(request.user))
    for token in tokens:
        token.revocable = token.is_active and can_revoke_api_token(request.user, token)
    return render(
        request,
        "fulfillment/api_tokens.html",
        {"tokens": tokens, "form": form, "can_make": form is not None},
        status=status,
    )


@never_cache
@stores_page
def api_token_list(request):
    may_make = can_make_api_tokens(request.user)
    if request.method != "POST":
        return _list(request, _form(request) if may_make else None)
    if not may_make:
        raise Http404("No such page.")
    form = _form(request, request.POST)
    if not form.is_valid():
        return _list(request, form, status=400)
    values = form.cleaned_data
    try:
        token, key = api_token_create(
            name=values["name"],
            merchants=list(values["merchants"]) if values["scope"] == "merchants" else [],
            all_merchants=values["scope"] == "all",
            actor=request.user,
            via=AuditEntry.Via.CONSOLE,
        )
    except ValidationError as exc:
        form_service_errors(form, exc)
        return _list(request, form, status=400)
    return render(
        request,
        "fulfillment/api_token_created.html",
        {
            "token": token,
            "key": key,
            "api_url": request.build_absolute_uri("/api/v1/orders"),
        },
    )


@stores_page
def api_token_revoke_view(request, token_id):
    # Looked up first: a token the user may not see is a 404 whatever the method.
    token = api_tokens_for(request.user).filter(pk=token_id).first()
    if token is None or not can_make_api_tokens(request.user):
        raise Http404("No such token.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not can_revoke_api_token(request.user, token):
        messages.error(request, "Only a 3PL admin may revoke a token made for every merchant.")
        return redirect("api_tokens:list")
    api_token_revoke(name=token.name, actor=request.user, via=AuditEntry.Via.CONSOLE)
    messages.success(
        request, f"Token {token.name} revoked: requests with it are refused (401) from now on."
    )
    return redirect("api_tokens:list")

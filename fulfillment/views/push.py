"""Push notifications: the webhook Acumatica posts to (``/push/<key>/``) and the store's set-up
page (``/stores/<id>/push/``). The webhook answers at once from the stored notification; the
import runs as a job. The set-up page is for anyone who may see the store (another merchant's
store is a 404); issuing or renewing the secret is a POST and shows the secret this once."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from stores import access

from ..modes import mode_for
from ..push.selectors import push_overview
from ..push.services import SECRET_HEADER, Receipt, push_endpoint_issue, push_receive


@csrf_exempt
def push_webhook(request, key):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    limit = settings.FULFILLMENT_PUSH_MAX_BODY_BYTES
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    body = b"" if declared > limit else request.read(limit + 1)
    if declared > limit or len(body) > limit:
        receipt = Receipt(413, "too_large", f"The body is over {limit} bytes.")
    else:
        receipt = push_receive(key=key, secret=request.headers.get(SECRET_HEADER), body=body)
    return JsonResponse(
        {"status": receipt.outcome, "message": receipt.message}, status=receipt.status
    )


@login_required
def push_setup(request, store_id):
    store = access.store_for(request.user, store_id)
    secret = ""
    if request.method == "POST":
        endpoint, secret = push_endpoint_issue(store=store, actor=request.user)
        messages.success(
            request,
            "Copy the secret now into Acumatica's Push Notifications (SM302000): it is not "
            "shown again.",
        )
    overview = push_overview(store)
    endpoint = overview["endpoint"]
    base = settings.CONNECTOR_BASE_URL.rstrip("/")
    mode = mode_for(store)
    response = render(
        request,
        "fulfillment/push_setup.html",
        {
            "store": store,
            "mode": mode,
            "secret": secret,
            "secret_header": SECRET_HEADER,
            "webhook_url": f"{base}{reverse('push_webhook', args=[endpoint.key])}"
            if endpoint
            else "",
            **overview,
        },
    )
    # The page may carry the secret: never from a cache.
    response["Cache-Control"] = "no-store"
    return response

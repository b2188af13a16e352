"""Webhooks (``/webhooks/``): a merchant's subscriptions (create with URL and kinds; the
secret is shown once; rotate it; disable / enable), their deliveries with every attempt, and
Replay of a delivery or an event. Everyone sees their merchants' only (another merchant's
subscription, delivery or event is a 404, on GET and POST). Changes are POSTs, audited by the
services; a page that shows a secret is never cached."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render

from stores import access

from ..events import selectors
from ..events.subscriptions import (
    delivery_replay,
    event_replay,
    subscription_create,
    subscription_disable,
    subscription_enable,
    subscription_rotate_secret,
)
from ..models import DeliveryStatus, EventKind
from ..webhook_forms import SubscriptionForm

RECENT_EVENTS = 20
DELIVERIES_PER_PAGE = 50


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def webhook_list(request):
    merchants = access.merchants_for(request.user).order_by("name")
    form = SubscriptionForm(request.POST or None, merchants=merchants)
    secret, created = "", None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, secret = subscription_create(
                merchant=data["merchant"],
                url=data["url"],
                kinds=data["kinds"],
                description=data["description"],
                actor=request.user,
            )
        except ValidationError as exc:
            for name, problems in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            form = SubscriptionForm(merchants=merchants)
    deliveries = selectors.deliveries_for(request.user, status=request.GET.get("status", ""))
    response = render(
        request,
        "fulfillment/webhooks.html",
        {
            "subscriptions": selectors.subscriptions_for(request.user),
            "form": form,
            "secret": secret,
            "created": created,
            "deliveries": deliveries[:DELIVERIES_PER_PAGE],
            "events": selectors.events_for(request.user)[:RECENT_EVENTS],
            "statuses": DeliveryStatus.choices,
            "status": request.GET.get("status", ""),
            "kinds": EventKind.choices,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
    return _no_store(response)


@login_required
def subscription_detail(request, subscription_id):
    subscription = selectors.subscription_for(request.user, subscription_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _detail_page(request, subscription)


def _detail_page(request, subscription, *, secret: str = ""):
    page = Paginator(
        selectors.deliveries_for(request.user, subscription=subscription), DELIVERIES_PER_PAGE
    ).get_page(request.GET.get("page"))
    labels = dict(EventKind.choices)
    response = render(
        request,
        "fulfillment/webhook_detail.html",
        {
            "subscription": subscription,
            "kind_labels": [labels.get(k, k) for k in subscription.kinds],
            "page": page,
            "secret": secret,
        },
    )
    return _no_store(response)


@login_required
def subscription_rotate(request, subscription_id):
    subscription = selectors.subscription_for(request.user, subscription_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    secret = subscription_rotate_secret(subscription=subscription, actor=request.user)
    messages.success(
        request,
        "New secret made: copy it now, it is not shown again. The previous one also signs "
        "until the time shown below, so the receiver can switch without missing an event.",
    )
    subscription.refresh_from_db()
    return _detail_page(request, subscription, secret=secret)


@login_required
def subscription_off(request, subscription_id):
    subscription = selectors.subscription_for(request.user, subscription_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    subscription_disable(
        subscription=subscription, reason=request.POST.get("reason", ""), actor=request.user
    )
    messages.success(request, "Disabled: events are kept for it and sent when it is enabled.")
    return redirect("webhooks:detail", subscription.pk)


@login_required
def subscription_on(request, subscription_id):
    subscription = selectors.subscription_for(request.user, subscription_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    subscription_enable(subscription=subscription, actor=request.user)
    messages.success(request, "Enabled: the events that waited are being sent now.")
    return redirect("webhooks:detail", subscription.pk)


@login_required
def delivery_detail(request, delivery_id):
    delivery = selectors.delivery_for(request.user, delivery_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    event = delivery.event
    return render(
        request,
        "fulfillment/webhook_delivery.html",
        {
            "delivery": delivery,
            "event": event,
            "attempts": delivery.attempts.order_by("number"),
            "payload": json.dumps(event.payload, indent=2, sort_keys=True),
        },
    )


@login_required
def delivery_replay_view(request, delivery_id):
    delivery = selectors.delivery_for(request.user, delivery_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        delivery_replay(delivery=delivery, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"Event {delivery.event_id} is being sent again.")
    return redirect("webhooks:delivery", delivery.pk)


@login_required
def event_replay_view(request, event_id):
    event = selectors.event_for(request.user, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        deliveries = event_replay(event=event, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            f"Event {event.id} is being sent again to {len(deliveries)} "
            f"subscription{'s' if len(deliveries) != 1 else ''}.",
        )
    return redirect("webhooks:list")

"""Operator actions on an order and its fulfillments: skip, reprocess, retry a write-back, add the
carrier mapping a held fulfillment waits for.

Each action URL answers GET with a confirmation page (what will happen, a reason when one is
needed) and POST by calling one service, which audits it; then a message and back to the order
page. Only 3PL staff act: for anyone else, merchant users included, the URLs do not exist (404),
as another merchant's objects do not."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from stores import access

from .. import selectors
from ..forms import CarrierMappingForm, ConfirmForm, OrderSkipForm
from ..fulfillments.selectors import fulfillment_for, stopped_fulfillment_count
from ..models import Fulfillment, FulfillmentStatus, Order
from ..order_actions import SKIPPABLE_STATUSES, order_reprocess, order_skip
from ..writeback.carriers import carrier_mapping_add
from ..writeback.services import RETRYABLE, writeback_retry
from .carriers import carrier_mapping_saved_messages, form_service_errors


def _staff_only(request) -> None:
    if not access.is_3pl_staff(request.user):
        raise Http404("No such page.")


def _fulfillment_for(request, fulfillment_id) -> Fulfillment:
    _staff_only(request)
    return fulfillment_for(request.user, fulfillment_id)


def _order_url(order_id: int, fulfillment: Fulfillment | None = None) -> str:
    url = reverse("fulfillment:order_detail", args=[order_id])
    return f"{url}#fulfillment-{fulfillment.pk}" if fulfillment else url


def _confirm(request, *, status: int = 200, **context):
    context.setdefault("refusal", "")
    return render(request, "fulfillment/confirm_action.html", context, status=status)


# --- Order actions ---------------------------------------------------------------------------


def _skip_page(request, order: Order, form, *, status: int = 200):
    refusal = ""
    if order.status not in SKIPPABLE_STATUSES:
        refusal = (
            f"{order.document_label} is {order.get_status_display().lower()}: only an order "
            "that is ready, acknowledged, on hold in Acumatica or in error can be skipped."
        )
    return _confirm(
        request,
        status=status,
        title=f"Skip {order.document_label}",
        order=order,
        what=[
            "The order leaves the warehouse queue: its status becomes “Skipped by an operator” "
            "with your name and reason.",
            "The warehouse API refuses to acknowledge or fulfill it, and no longer lists it "
            "among ready orders; a warehouse polling for changes sees it change.",
            "Imports leave it skipped (changes in Acumatica are flagged) until someone "
            "reprocesses it.",
        ],
        form=form,
        submit_label="Skip the order",
        danger=True,
        refusal=refusal,
        cancel_url=_order_url(order.pk),
    )


def _reprocess_page(request, order: Order, form, *, status: int = 200):
    what = [
        f"The order is read again from {order.store.name}'s Acumatica now and updated as an "
        "import would (recorded as an import run).",
    ]
    if order.status == "skipped":
        what.append(
            "It is no longer skipped: its status is decided afresh from Acumatica (or from its "
            "fulfillments if the warehouse shipped some). If Acumatica cannot be read it stays "
            "skipped."
        )
    stopped = stopped_fulfillment_count(order)
    if stopped:
        what.append(
            f"{stopped} failed or held write-back{'s are' if stopped != 1 else ' is'} retried."
        )
    return _confirm(
        request,
        status=status,
        title=f"Reprocess {order.document_label}",
        order=order,
        what=what,
        form=form,
        submit_label="Reprocess now",
        danger=False,
        cancel_url=_order_url(order.pk),
    )


@login_required
def order_action(request, order_id, action):
    if action not in ("skip", "reprocess"):
        raise Http404("No such action.")
    order = selectors.order_for(request.user, order_id)
    _staff_only(request)
    if action == "skip":
        form = OrderSkipForm(request.POST or None)
        if request.method != "POST":
            return _skip_page(request, order, form)
        if not form.is_valid():
            return _skip_page(request, order, form, status=400)
        try:
            order_skip(order=order, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            form_service_errors(form, exc)
            order.refresh_from_db()
            return _skip_page(request, order, form, status=400)
        messages.success(request, f"{order.document_label} skipped; the warehouse won't get it.")
        return redirect(_order_url(order.pk))

    form = ConfirmForm(request.POST or None)
    if request.method != "POST":
        return _reprocess_page(request, order, form)
    result = order_reprocess(order=order, actor=request.user)
    (messages.success if result.ok else messages.warning)(request, result.message)
    return redirect(_order_url(order.pk))


# --- Fulfillment actions ----------------------------------------------------------------------


def _retry_page(request, fulfillment: Fulfillment, form, *, status: int = 200, refusal=""):
    if not refusal and fulfillment.status not in RETRYABLE:
        refusal = (
            f"Fulfillment {fulfillment.reference} is {fulfillment.get_status_display().lower()}: "
            "there is nothing to retry."
        )
    if fulfillment.status == FulfillmentStatus.PENDING:
        what = ["It is waiting out a back-off after a failed attempt: it is written back now."]
    else:
        what = [
            f"It goes from {fulfillment.get_status_display().lower()} back to pending and is "
            "written back now.",
            "What Acumatica already holds for it is looked up first (by its reference), so a "
            "retry never creates a second Shipment.",
        ]
        if fulfillment.last_error:
            what.append(f"Last error: {fulfillment.last_error}")
    return _confirm(
        request,
        status=status,
        title=f"Retry the write-back of fulfillment {fulfillment.reference}",
        order=fulfillment.order,
        fulfillment=fulfillment,
        what=what,
        form=form,
        submit_label="Retry write-back",
        danger=False,
        refusal=refusal,
        cancel_url=_order_url(fulfillment.order_id, fulfillment),
    )


@login_required
def fulfillment_retry(request, fulfillment_id):
    fulfillment = _fulfillment_for(request, fulfillment_id)
    form = ConfirmForm(request.POST or None)
    if request.method != "POST":
        return _retry_page(request, fulfillment, form)
    try:
        writeback_retry(fulfillment=fulfillment, actor=request.user)
    except ValidationError as exc:
        fulfillment.refresh_from_db()
        return _retry_page(request, fulfillment, form, status=400, refusal=" ".join(exc.messages))
    messages.success(
        request, f"Write-back of fulfillment {fulfillment.reference} queued; it runs now."
    )
    return redirect(_order_url(fulfillment.order_id, fulfillment))


@login_required
def fulfillment_add_carrier_mapping(request, fulfillment_id):
    fulfillment = _fulfillment_for(request, fulfillment_id)
    store = fulfillment.store
    if request.method == "POST":
        form = CarrierMappingForm(request.POST)
        if form.is_valid():
            try:
                mapping = carrier_mapping_add(store=store, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_service_errors(form, exc)
            else:
                carrier_mapping_saved_messages(request, store, mapping, "added")
                released = len(mapping.released)
                if fulfillment.pk not in mapping.released:
                    fulfillment.refresh_from_db()
                    if fulfillment.status == FulfillmentStatus.HELD:
                        messages.warning(
                            request,
                            f"Fulfillment {fulfillment.reference} is still held: "
                            f"{fulfillment.status_reason}",
                        )
                if not released:
                    messages.info(request, "No held write-back could be released by it.")
                return redirect(_order_url(fulfillment.order_id, fulfillment))
    else:
        form = CarrierMappingForm(
            initial={"carrier": fulfillment.carrier, "service": fulfillment.service}
        )
    refusal = ""
    if fulfillment.status != FulfillmentStatus.HELD:
        refusal = (
            f"Fulfillment {fulfillment.reference} is {fulfillment.get_status_display().lower()}, "
            "not held: it does not wait for a mapping. You can still add one on the store's "
            "carrier mappings page."
        )
    return render(
        request,
        "fulfillment/carrier_mapping_for_fulfillment.html",
        {
            "fulfillment": fulfillment,
            "store": store,
            "order": fulfillment.order,
            "form": form,
            "refusal": refusal,
            "cancel_url": _order_url(fulfillment.order_id, fulfillment),
        },
        status=400 if form.is_bound else 200,
    )

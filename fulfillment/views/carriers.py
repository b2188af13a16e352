"""A store's carrier mappings (``/stores/<id>/carriers/``): list, add, edit, delete.

Who: anyone who may see the store (``stores.access.store_for``; another merchant's store is a
404). Merchant users may change their own store's mappings: the Ship Via codes and boxes are
their Acumatica's, and they are the ones who know them. Adding or changing a mapping lets the
fulfillments held for want of it continue. Ship Via and box are looked up in the store's
Acumatica after saving; a miss is a warning, not a refusal (the instance may be unreachable
for a while, or the code about to be created)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from stores import access

from ..forms import CarrierMappingForm
from ..fulfillments.selectors import held_fulfillments
from ..models import CarrierMapping
from ..writeback.carrier_lookup import carrier_mappings_of
from ..writeback.carriers import (
    carrier_mapping_add,
    carrier_mapping_check,
    carrier_mapping_delete,
    carrier_mapping_update,
)


@login_required
def carrier_mapping_list(request, store_id):
    store = access.store_for(request.user, store_id)
    if request.method == "POST":
        form = CarrierMappingForm(request.POST)
        if form.is_valid():
            try:
                mapping = carrier_mapping_add(store=store, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_service_errors(form, exc)
            else:
                carrier_mapping_saved_messages(request, store, mapping, "added")
                return redirect("carriers:list", store.pk)
    else:
        # The held fulfillment's link pre-fills the carrier and service it needs.
        form = CarrierMappingForm(
            initial={
                "carrier": request.GET.get("carrier", "")[:100],
                "service": request.GET.get("service", "")[:100],
            }
        )
    held = held_fulfillments(store)
    return render(
        request,
        "fulfillment/carrier_mappings.html",
        {
            "store": store,
            "mappings": carrier_mappings_of(store),
            "form": form,
            "held": held,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
def carrier_mapping_edit(request, store_id, mapping_id):
    store = access.store_for(request.user, store_id)
    mapping = get_object_or_404(CarrierMapping, pk=mapping_id, store=store)
    form = CarrierMappingForm.for_mapping(mapping, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mapping = carrier_mapping_update(
                mapping=mapping, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_service_errors(form, exc)
        else:
            carrier_mapping_saved_messages(request, store, mapping, "saved")
            return redirect("carriers:list", store.pk)
    return render(
        request,
        "fulfillment/carrier_mapping_edit.html",
        {"store": store, "mapping": mapping, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def carrier_mapping_remove(request, store_id, mapping_id):
    # Found first: another merchant's mapping is a 404 whatever the method.
    store = access.store_for(request.user, store_id)
    mapping = get_object_or_404(CarrierMapping, pk=mapping_id, store=store)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    carrier_mapping_delete(mapping=mapping, actor=request.user)
    messages.success(request, f"Mapping {mapping} deleted.")
    return redirect("carriers:list", store.pk)


def carrier_mapping_saved_messages(request, store, mapping: CarrierMapping, what: str) -> None:
    released = len(getattr(mapping, "released", []))
    messages.success(
        request,
        f"Mapping {mapping} {what}."
        + (
            f" {released} held write-back{'s' if released != 1 else ''} released."
            if released
            else ""
        ),
    )
    for warning in carrier_mapping_check(
        store=store, ship_via=mapping.ship_via, default_box_id=mapping.default_box_id
    ):
        messages.warning(request, warning)


def form_service_errors(form: CarrierMappingForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, problems in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, exc.messages)

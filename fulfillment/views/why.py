""" "Why wasn't this order imported?": a store and a number in, the import's rules applied to the
live Acumatica record out, and "Import it now" when it would be imported.

GET diagnoses (read-only, so links can prefill it); POST with ``action=import`` imports the one
order through ``order_import_one`` (audited) and comes back to the diagnosis. Any user who may
see the store may do both, as with "Run now"."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from stores import access
from stores.models import StoreStatus

from ..importing import (
    CREATED,
    MAX_KEY_LENGTH,
    UNCHANGED,
    UPDATED,
    OrderKeyInvalid,
    order_diagnose,
    order_import_one,
    order_key_parse,
)
from ..selectors import stores_to_filter_by


class WhyForm(forms.Form):
    store = forms.ModelChoiceField(queryset=None, empty_label="Choose a store")
    number = forms.CharField(
        max_length=MAX_KEY_LENGTH,
        help_text="An order number (000123 or SO/000123), or a shipment number for stores "
        "in shipment mode.",
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        only = list(stores[:2])
        if len(only) == 1:
            self.fields["store"].initial = only[0].pk

    def clean(self):
        data = super().clean()
        store, number = data.get("store"), data.get("number")
        if store and number:
            try:
                order_key_parse(store=store, key=number)
            except OrderKeyInvalid as exc:
                self.add_error("number", str(exc))
        return data


@login_required
def order_why(request):
    stores = stores_to_filter_by(request.user)
    data = request.POST if request.method == "POST" else request.GET
    if data.get("store"):
        # Someone else's (or no such) store: it does not exist for this user.
        access.store_for(request.user, data["store"])
    if request.method == "POST":
        return _import_now(request, stores)

    submitted = "number" in data or "store" in data
    form = WhyForm(data if submitted else None, stores=stores)
    diagnosis = None
    if submitted and form.is_valid():
        store = form.cleaned_data["store"]
        diagnosis = order_diagnose(store=store, key=form.cleaned_data["number"])
    return render(
        request,
        "fulfillment/why.html",
        {"form": form, "diagnosis": diagnosis, "is_staff": access.is_3pl_staff(request.user)},
    )


def _import_now(request, stores):
    form = WhyForm(request.POST, stores=stores)
    if request.POST.get("action") != "import" or not form.is_valid():
        messages.error(request, "Nothing to import: choose a store and enter a number.")
        return redirect("fulfillment:order_why")
    store, number = form.cleaned_data["store"], form.cleaned_data["number"]
    back = f"{reverse('fulfillment:order_why')}?{urlencode({'store': store.pk, 'number': number})}"
    if store.status not in (StoreStatus.ACTIVE, StoreStatus.NEEDS_ATTENTION):
        messages.error(
            request, f"{store.name} is {store.get_status_display().lower()}: nothing is imported."
        )
        return redirect(back)
    result = order_import_one(store=store, key=number, actor=request.user)
    if result.outcome == CREATED:
        messages.success(request, f"{number}: {result.reason}")
    elif result.outcome in (UPDATED, UNCHANGED):
        messages.info(request, f"{number}: {result.reason}")
    else:
        messages.error(request, f"{number} was not imported. {result.reason}")
    if result.order is not None and result.outcome == CREATED:
        return redirect("fulfillment:order_detail", order_id=result.order.pk)
    return redirect(back)

"""The order page's fulfilments: the list with their write-back (status, Acumatica shipment
number, attempts, errors) and, for 3PL staff, the form that records one by hand through the
same service as the warehouse API. Merchant users see the list, never the form."""

from __future__ import annotations

import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from stores import access

from . import selectors
from .forms import PackageFormSet, ShipmentForm, fulfilment_request
from .fulfilments import (
    FulfillmentConflict,
    FulfillmentInvalid,
    OrderNotShippable,
    fulfillment_record,
)
from .fulfilments.rules import SHIPPABLE_STATUSES
from .fulfilments.selectors import fulfillments_of_order
from .models import FulfillmentSource, Order

PACKAGES_PREFIX = "packages"


def order_page(request, order: Order, *, status: int = 200, shipment=None, packages=None):
    """The order page, with the fulfilment forms as given (bound, after a refused POST)."""
    lines = list(order.lines.all())
    can_record = access.is_3pl_staff(request.user)
    context = {
        "order": order,
        "lines": lines,
        "raw_payload": json.dumps(order.raw_payload, indent=2, sort_keys=True),
        "fulfilments": fulfillments_of_order(order),
        "can_record": can_record,
        "shippable": order.status in SHIPPABLE_STATUSES,
    }
    if can_record and context["shippable"]:
        context["shipment_form"] = shipment or ShipmentForm(lines=lines)
        context["package_formset"] = packages or PackageFormSet(prefix=PACKAGES_PREFIX)
    return render(request, "fulfillment/order_detail.html", context, status=status)


@login_required
@require_POST
def order_fulfil(request, order_id):
    order = selectors.order_for(request.user, order_id)
    if not access.is_3pl_staff(request.user):
        raise PermissionDenied("Only 3PL staff record fulfilments by hand.")
    lines = list(order.lines.all())
    shipment = ShipmentForm(request.POST, lines=lines)
    packages = PackageFormSet(request.POST, prefix=PACKAGES_PREFIX)
    if shipment.is_valid() and packages.is_valid():
        try:
            fulfilment, created = fulfillment_record(
                order=order,
                data=fulfilment_request(shipment, packages),
                idempotency_key=shipment.cleaned_data["idempotency_key"],
                source=FulfillmentSource.OPERATOR,
                user=request.user,
            )
        except FulfillmentInvalid as exc:
            for path, problems in exc.errors.items():
                for problem in problems:
                    shipment.add_error(None, f"{_readable(path, shipment)}: {problem}")
        except (OrderNotShippable, FulfillmentConflict) as exc:
            messages.error(request, exc.message)
            return redirect("fulfillment:order_detail", order.pk)
        else:
            if created:
                messages.success(
                    request,
                    f"Fulfilment {fulfilment.reference} recorded; its write-back to Acumatica "
                    "is queued.",
                )
            else:
                messages.info(request, f"Fulfilment {fulfilment.reference} was recorded already.")
            return redirect("fulfillment:order_detail", order.pk)
    order.refresh_from_db()
    return order_page(request, order, status=400, shipment=shipment, packages=packages)


_PATH = re.compile(r"^(lines|packages)\[(\d+)\](?:\.(\w+))?")


def _readable(path: str, shipment: ShipmentForm) -> str:
    """``lines[0].quantity`` → "Line 2 quantity" (the form's lines, not the request's)."""
    match = _PATH.match(path)
    if not match:
        return path.replace("_", " ").capitalize()
    kind, index, field = match.group(1), int(match.group(2)), match.group(3) or ""
    field = field.replace("_", " ")
    if kind == "packages":
        return f"Package {index + 1} {field}".strip()
    shipped = shipment.shipped_lines()
    if index < len(shipped):
        line = next(ln for ln in shipment.lines if ln.pk == shipped[index]["line_id"])
        return f"Line {line.line_nbr} {field}".strip()
    return path

"""The order page's fulfillments: the list with their write-back (status, Acumatica shipment
number, attempts, errors) and, for 3PL staff, the form that records one by hand through the
same service as the warehouse API. Merchant users see the list, never the form."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render

from stores import access

from .. import selectors
from ..forms import PackageFormSet, ShipmentForm, fulfillment_request
from ..fulfillments import (
    FulfillmentConflict,
    FulfillmentInvalid,
    OrderNotShippable,
    fulfillment_record,
)
from ..fulfillments.rules import SHIPPABLE_STATUSES
from ..fulfillments.selectors import fulfillments_of_order
from ..models import FulfillmentSource, FulfillmentStatus, Order, OrderEventKind
from ..order_actions import SKIPPABLE_STATUSES
from ..timeline import order_timeline
from ..writeback.carrier_lookup import carrier_mapping_resolve

PACKAGES_PREFIX = "packages"


def order_page(request, order: Order, *, status: int = 200, shipment=None, packages=None):
    """The order page, with the fulfillment forms as given (bound, after a refused POST)."""
    lines = list(order.lines.all())
    is_staff = access.is_3pl_staff(request.user)
    fulfillments = list(fulfillments_of_order(order))
    for fulfillment in fulfillments:
        _fulfillment_actions(fulfillment, is_staff=is_staff)
    context = {
        "order": order,
        "lines": lines,
        "fulfillments": fulfillments,
        "written_shipments": [f for f in fulfillments if f.erp_shipment_nbr],
        "timeline": timeline_entries(order),
        "can_record": is_staff,
        "is_staff": is_staff,
        "shippable": order.status in SHIPPABLE_STATUSES,
        "can_skip": is_staff and order.status in SKIPPABLE_STATUSES,
    }
    if is_staff:
        # The raw record can hold the customer's details; staff need it for support.
        context["raw_payload"] = json.dumps(order.raw_payload, indent=2, sort_keys=True)
    if is_staff and context["shippable"]:
        context["shipment_form"] = shipment or ShipmentForm(lines=lines)
        context["package_formset"] = packages or PackageFormSet(prefix=PACKAGES_PREFIX)
    return render(request, "fulfillment/order_detail.html", context, status=status)


@dataclass(frozen=True)
class TimelineEntry:
    """One row of the order page's timeline, as the template shows it."""

    at: object
    kind: str
    label: str
    summary: str
    actor: str = ""
    is_error: bool = False
    import_run_id: int | None = None
    fulfillment_id: int | None = None
    fulfillment_reference: str = ""
    shipment_nbr: str = ""
    fields: list = field(default_factory=list)
    calls: int | None = None
    synthesized: bool = False


def timeline_entries(order: Order) -> list[TimelineEntry]:
    """The order's events in time order. An order imported before events were recorded has no
    "imported" event: a first entry is made up from ``imported_at`` (shown, never saved)."""
    entries = []
    for event in order_timeline(order):
        detail = event.detail if isinstance(event.detail, dict) else {}
        entries.append(
            TimelineEntry(
                at=event.at,
                kind=event.kind,
                label=event.get_kind_display(),
                summary=event.summary,
                actor=event.actor.get_username() if event.actor else "",
                is_error=event.is_error,
                import_run_id=event.import_run_id,
                fulfillment_id=event.fulfillment_id,
                fulfillment_reference=event.fulfillment.reference if event.fulfillment else "",
                shipment_nbr=str(detail.get("shipment_nbr") or "")
                if event.kind in (OrderEventKind.SHIPMENT_CREATED, OrderEventKind.WRITTEN_BACK)
                else "",
                fields=[f for f in detail.get("fields") or [] if isinstance(f, dict)],
                calls=detail.get("calls") if isinstance(detail.get("calls"), int) else None,
            )
        )
    if not any(entry.kind == OrderEventKind.IMPORTED for entry in entries):
        entries.insert(
            0,
            TimelineEntry(
                at=order.imported_at,
                kind=OrderEventKind.IMPORTED,
                label=OrderEventKind.IMPORTED.label,
                summary=f"Imported {order.document_label} from Acumatica.",
                synthesized=True,
            ),
        )
    return entries


def _fulfillment_actions(fulfillment, *, is_staff: bool) -> None:
    """Which buttons the fulfillment gets: retry when stopped, or waiting after a failed try;
    add a carrier mapping when it is held for want of one."""
    fulfillment.can_retry = is_staff and (
        fulfillment.status in (FulfillmentStatus.FAILED, FulfillmentStatus.HELD)
        or (fulfillment.status == FulfillmentStatus.PENDING and fulfillment.attempts > 0)
    )
    fulfillment.needs_carrier_mapping = (
        fulfillment.status == FulfillmentStatus.HELD
        and carrier_mapping_resolve(
            store=fulfillment.store, carrier=fulfillment.carrier, service=fulfillment.service
        )
        is None
    )


@login_required
def order_fulfill(request, order_id):
    # Found first: another merchant's order is a 404 whatever the method.
    order = selectors.order_for(request.user, order_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not access.is_3pl_staff(request.user):
        raise PermissionDenied("Only 3PL staff record fulfillments by hand.")
    lines = list(order.lines.all())
    shipment = ShipmentForm(request.POST, lines=lines)
    packages = PackageFormSet(request.POST, prefix=PACKAGES_PREFIX)
    if shipment.is_valid() and packages.is_valid():
        try:
            fulfillment, created = fulfillment_record(
                order=order,
                data=fulfillment_request(shipment, packages),
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
                    f"Fulfillment {fulfillment.reference} recorded; its write-back to Acumatica "
                    "is queued.",
                )
            else:
                messages.info(request, f"Fulfillment {fulfillment.reference} was recorded already.")
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

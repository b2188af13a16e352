"""What each event says: pure functions from the rows involved to the kind's documented data
(the schemas are in ``fulfillment.api.event_schemas`` and the OpenAPI docs). No database reads:
callers pass what they hold.

Every event is sent in one envelope, the same on a webhook and in the feed::

    {"id": "<uuid>", "type": "order.ready", "created_at": "<ISO 8601>",
     "merchant_id": 3, "store": {"id": 7, "name": "Acme US"}, "data": {...}}

``data`` is thin on purpose: it names the order or fulfillment and its state; the warehouse
reads the rest from ``GET /api/v1/orders/{id}`` (or ``/fulfillments/{id}``), so an event never
carries a stale copy of an order.
"""

from __future__ import annotations

import json
from typing import Any

ORDER_API = "/api/v1/orders/{id}"
FULFILLMENT_API = "/api/v1/fulfillments/{id}"


def order_ref(order, *, with_status: bool = True) -> dict[str, Any]:
    ref = {
        "id": order.pk,
        "store_id": order.store_id,
        "source_kind": order.source_kind,
        "erp_order_type": order.erp_order_type,
        "erp_order_nbr": order.erp_order_nbr,
        "erp_shipment_nbr": order.erp_shipment_nbr,
        "url": ORDER_API.format(id=order.pk),
    }
    if with_status:
        ref["status"] = order.status
        ref["status_reason"] = order.status_reason
    return ref


def order_data(
    order,
    *,
    previous_status: str = "",
    changes: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """order.ready, order.changed_at_source, order.cancelled_at_source, order.on_hold,
    order.released, order.closed_at_source."""
    return {
        "order": order_ref(order),
        "previous_status": previous_status,
        "changes": list(changes),
    }


def fulfillment_data(fulfillment, order) -> dict[str, Any]:
    """fulfillment.written_back, fulfillment.failed, fulfillment.held."""
    return {
        "fulfillment": {
            "id": fulfillment.pk,
            "order_id": fulfillment.order_id,
            "reference": fulfillment.reference,
            "idempotency_key": fulfillment.idempotency_key,
            "status": fulfillment.status,
            "status_reason": fulfillment.status_reason,
            "erp_shipment_nbr": fulfillment.erp_shipment_nbr,
            "attempt_count": fulfillment.attempts,
            "last_error": fulfillment.last_error,
            "last_error_fields": list(fulfillment.last_error_fields or []),
            "url": FULFILLMENT_API.format(id=fulfillment.pk),
        },
        # The order's own status moves on after the write-back (read it from its url).
        "order": order_ref(order, with_status=False),
    }


def store_data(store) -> dict[str, Any]:
    """store.needs_attention."""
    return {
        "store": {
            "id": store.pk,
            "name": store.name,
            "status": store.status,
            "status_reason": store.status_reason,
        }
    }


def envelope(event, *, store_name: str) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "type": event.kind,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "merchant_id": event.merchant_id,
        "store": {"id": event.store_id, "name": store_name},
        "data": event.payload,
    }


def body_bytes(event, *, store_name: str) -> bytes:
    """The webhook body: the envelope as compact JSON, the same bytes on every attempt."""
    return json.dumps(
        envelope(event, store_name=store_name), separators=(",", ":"), sort_keys=True
    ).encode()

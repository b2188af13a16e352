"""The issue's "done when": 200 fulfillments posted through the warehouse API (several packages,
some with contents), written back while the sandbox fails 10 % of the Shipment writes (PUT and
POST, lost replies included), end as exactly 200 confirmed Shipments with the right tracking
numbers, packages and quantities, no duplicate, and no Acumatica session left open."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command

from fulfillment.models import Fulfillment, FulfillmentStatus

from .writeback_support import (
    assert_written_as_sent,
    map_carrier,
    open_orders,
    shipments,
)

pytestmark = pytest.mark.django_db

FULFILLMENTS = 200
# Per Shipment write; the first rule that fires wins: 1 - .96 * .98^3 ≈ 10 %.
FAULTS = (("lost_reply", 0.04), ("drop", 0.02), ("error500", 0.02), ("error429", 0.02))


def fulfillment_request(order, index: int) -> dict:
    """Every open quantity of the order; odd orders in 1-3 packages that say what they hold,
    even ones in two packages without contents."""
    lines = list(order.lines.order_by("line_nbr"))
    count = 1 + index % 3 if index % 2 else 2
    packages = [
        {
            "box_id": "SMALL",
            "weight": str(n + 1),
            "weight_unit": "lb",
            "tracking_number": f"94001{index:05d}{n}",
            "contents": [],
        }
        for n in range(count)
    ]
    if index % 2:
        for position, line in enumerate(lines):
            packages[position % count]["contents"].append(
                {"line_id": line.pk, "quantity": str(line.open_quantity)}
            )
    return {
        "idempotency_key": f"wms-{order.pk}",
        "shipped_at": "2026-11-20T15:00:00Z",
        "carrier": "UPS",
        "service": "Ground",
        "lines": [{"line_id": line.pk, "quantity": str(line.open_quantity)} for line in lines],
        "packages": [
            p if p["contents"] else {k: v for k, v in p.items() if k != "contents"}
            for p in packages
        ],
    }


def test_200_fulfillments_through_10_percent_failing_writes_make_200_shipments_once(
    sandbox_factory, store_factory, run_import, settings, api_token, api_client
):
    # The sandbox applies a lost reply's write before dropping the connection, so nothing can
    # still be running: the wait for a lost write is not needed here (its own test covers it).
    settings.FULFILLMENT_WRITEBACK_LOST_WRITE_WAIT_SECONDS = 0
    # ConfirmShipment answers 204 at once; the 202 + Location path is covered elsewhere.
    sandbox = sandbox_factory(orders=0, action_duration=0, seed=7)
    store = store_factory(sandbox, include_package_contents=True)
    map_carrier(store)
    orders = open_orders(sandbox, store, run_import, count=FULFILLMENTS, max_lines=3, seed=7)
    # Posted through the warehouse API, as the warehouse would.
    _token, key = api_token(store.merchant)
    client = api_client(key)
    fulfillments = []
    for index, order in enumerate(orders):
        response = client.post(
            f"/api/v1/orders/{order.pk}/fulfillments",
            fulfillment_request(order, index),
            format="json",
        )
        assert response.status_code == 201, response.content
        fulfillments.append(Fulfillment.objects.get(pk=response.json()["id"]))
    rules = [
        sandbox.faults.add(kind=kind, match=match, probability=probability)
        for match in ("PUT */Shipment", "POST */Shipment/*")
        for kind, probability in FAULTS
    ]

    summaries = []
    for _ in range(3):
        out = io.StringIO()
        call_command("writeback_pending", "--now", stdout=out, stderr=io.StringIO())
        summaries.append(json.loads(out.getvalue().strip().splitlines()[-1]))
        if not summaries[-1]["pending"]:
            break

    statuses = Counter(Fulfillment.objects.values_list("status", flat=True))
    assert statuses == {FulfillmentStatus.WRITTEN_BACK: FULFILLMENTS}, (statuses, summaries)
    held = shipments(sandbox)
    assert len(held) == FULFILLMENTS
    assert all(s["Status"] == "Confirmed" for s in held)
    references = Counter(s["Description"].split()[-1] for s in held)
    assert set(references) == {f.reference for f in fulfillments}
    assert max(references.values()) == 1  # no duplicate
    for fulfillment in fulfillments:
        fulfillment.refresh_from_db()
        assert_written_as_sent(sandbox, fulfillment)
    assert sandbox.sessions.open_sessions() == []
    # The faults did happen, lost replies to writes that were applied included.
    fired = {(r.method, r.kind): r.fired for r in rules}
    assert fired[("PUT", "lost_reply")] > 0 and fired[("POST", "lost_reply")] > 0
    assert sum(fired.values()) >= 20

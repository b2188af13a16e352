"""The issue's "done when": 200 fulfilments (several packages, some with contents) written back
while the sandbox fails 10 % of the Shipment writes (PUT and POST, lost replies included) end as
exactly 200 confirmed Shipments with the right tracking numbers, packages and quantities, no
duplicate, and no Acumatica session left open."""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from fulfillment.models import Fulfillment, FulfillmentStatus
from fulfillment.writeback.samples import PackageSpec

from .writeback_support import (
    assert_written_as_sent,
    fulfil,
    map_carrier,
    open_orders,
    shipments,
)

pytestmark = pytest.mark.django_db

FULFILMENTS = 200
# Per Shipment write; the first rule that fires wins: 1 - .96 * .98^3 ≈ 10 %.
FAULTS = (("lost_reply", 0.04), ("drop", 0.02), ("error500", 0.02), ("error429", 0.02))


def test_200_fulfilments_through_10_percent_failing_writes_make_200_shipments_once(
    sandbox_factory, store_factory, run_import, settings
):
    # The sandbox applies a lost reply's write before dropping the connection, so nothing can
    # still be running: the wait for a lost write is not needed here (its own test covers it).
    settings.FULFILLMENT_WRITEBACK_LOST_WRITE_WAIT_SECONDS = 0
    # ConfirmShipment answers 204 at once; the 202 + Location path is covered elsewhere.
    sandbox = sandbox_factory(orders=0, action_duration=0, seed=7)
    store = store_factory(sandbox, include_package_contents=True)
    map_carrier(store)
    orders = open_orders(sandbox, store, run_import, count=FULFILMENTS, max_lines=3, seed=7)
    fulfilments = []
    for index, order in enumerate(orders):
        if index % 2:
            fulfilments.append(fulfil(order, packages=1 + index % 3))  # contents in each
        else:
            fulfilments.append(
                fulfil(
                    order,
                    packages=[
                        PackageSpec(tracking_number=f"94001{index:05d}{n}", weight=Decimal(n + 1))
                        for n in range(2)
                    ],
                )
            )
    rules = [
        sandbox.faults.add(kind=kind, match=match, probability=probability)
        for match in ("PUT */Shipment", "POST */Shipment/*")
        for kind, probability in FAULTS
    ]

    started = time.monotonic()
    summaries = []
    for _ in range(3):
        out = io.StringIO()
        call_command("writeback_pending", "--now", stdout=out, stderr=io.StringIO())
        summaries.append(json.loads(out.getvalue().strip().splitlines()[-1]))
        if not summaries[-1]["pending"]:
            break
    elapsed = time.monotonic() - started

    statuses = Counter(Fulfillment.objects.values_list("status", flat=True))
    assert statuses == {FulfillmentStatus.WRITTEN_BACK: FULFILMENTS}, (statuses, summaries)
    held = shipments(sandbox)
    assert len(held) == FULFILMENTS
    assert all(s["Status"] == "Confirmed" for s in held)
    references = Counter(s["Description"].split()[-1] for s in held)
    assert set(references) == {f.reference for f in fulfilments}
    assert max(references.values()) == 1  # no duplicate
    for fulfillment in fulfilments:
        fulfillment.refresh_from_db()
        assert_written_as_sent(sandbox, fulfillment)
    assert sandbox.sessions.open_sessions() == []
    # The faults did happen, lost replies to writes that were applied included.
    fired = {(r.method, r.kind): r.fired for r in rules}
    assert fired[("PUT", "lost_reply")] > 0 and fired[("POST", "lost_reply")] > 0
    assert sum(fired.values()) >= 20
    assert elapsed < 60, f"took {elapsed:.1f} s"

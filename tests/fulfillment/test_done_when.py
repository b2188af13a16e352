"""The issue's "done when": 1,000 eligible orders among ineligible ones; two scheduled runs and a
full re-scan leave exactly the eligible orders, once each; editing 10 at the source updates
exactly those 10 on the next run."""

from __future__ import annotations

import pytest

from fulfillment.models import ImportRunStatus, ImportTrigger, Order

pytestmark = pytest.mark.django_db

ELIGIBLE = 1_000


def test_exactly_the_eligible_orders_once_each_and_exactly_the_edited_ones_updated(
    sandbox, sandbox_data, store_factory, run_import
):
    # ~43 % of the seeded mix is eligible; the rest are other order types, on hold, credit
    # hold, completed, cancelled, shipping... Top up with new open orders to exactly 1,000.
    summary = sandbox_data.seed(orders=2_300, lines=3)
    eligible = sandbox_data.eligible_sales_orders()
    assert len(eligible) <= ELIGIBLE
    for _ in range(ELIGIBLE - len(eligible)):
        sandbox_data.create_order(
            customer="ZENWELL", lines=[{"inventory": "COFFEE-1KG", "qty": 1, "warehouse": "EAST"}]
        )
    eligible = sandbox_data.eligible_sales_orders()
    assert len(eligible) == ELIGIBLE
    assert summary["ordersByType"].get("RM") and summary["ordersByStatus"]["On Hold"]

    store = store_factory(sandbox)
    runs = [
        run_import(store, ImportTrigger.SCHEDULE),
        run_import(store, ImportTrigger.SCHEDULE),
        run_import(store, ImportTrigger.RESCAN),
    ]
    assert [run.status for run in runs] == [ImportRunStatus.SUCCEEDED] * 3
    assert [run.created for run in runs] == [ELIGIBLE, 0, 0]
    assert [run.updated for run in runs] == [0, 0, 0]
    keys = list(Order.objects.filter(store=store).values_list("erp_order_type", "erp_order_nbr"))
    assert len(keys) == ELIGIBLE and set(keys) == eligible

    edited = sorted(eligible)[::100][:10]
    for kind, nbr in edited:
        sandbox_data.edit(kind, nbr, shipTo={"AddressLine2": f"Suite {nbr}"})
    run = run_import(store, ImportTrigger.SCHEDULE)
    assert (run.created, run.updated, run.failed) == (0, 10, 0)
    changed = Order.objects.filter(store=store, ship_to_address_line2__startswith="Suite ")
    assert {(o.erp_order_type, o.erp_order_nbr) for o in changed} == set(edited)
    assert all(o.last_import_run_id == run.pk for o in changed)
    assert Order.objects.filter(store=store, last_import_run=run).count() == 10
    assert run.acumatica_requests <= 2

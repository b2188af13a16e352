"""Putting a written-back Shipment's tracking numbers back (``writeback.retrack``), against the
sandbox: a Shipment as shipped is left alone; one whose tracking number was edited in Acumatica
is reopened, corrected and handed back to the write-back, which confirms it again; one that
differs otherwise (a package's weight) is left for a person."""

from __future__ import annotations

import pytest

from connector.acumatica.values import value_of
from fulfillment.models import FulfillmentStatus, Order, OrderStatus
from fulfillment.writeback.retrack import RestoreOutcome, shipment_tracking_restore
from stores.credentials import acumatica_client_for
from stores.models import AuditEntry

from .writeback_support import map_carrier, shipment_package_edit, shipments_for, written_back

pytestmark = pytest.mark.django_db

VIA = AuditEntry.Via.CONSOLE


@pytest.fixture
def shipped(sandbox_factory, store_factory, run_import):
    """A fulfillment written back to the sandbox (a confirmed Shipment)."""
    sandbox = sandbox_factory(orders=20, action_duration=0)
    store = store_factory(sandbox)
    map_carrier(store)
    run_import(store)
    order = Order.objects.filter(store=store, status=OrderStatus.READY).order_by("pk").first()
    return sandbox, written_back(order)


def _edit_in_acumatica(fulfillment, **package_fields) -> None:
    shipment_package_edit(fulfillment.store, fulfillment.erp_shipment_nbr, **package_fields)


def test_a_shipment_as_shipped_is_left_alone(shipped):
    _sandbox, fulfillment = shipped

    outcome = shipment_tracking_restore(fulfillment_id=fulfillment.pk, via=VIA)

    assert outcome == RestoreOutcome(
        True,
        f"Read again: Shipment {fulfillment.erp_shipment_nbr} is as shipped now; "
        "nothing was changed.",
    )
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK
    assert not AuditEntry.objects.filter(action="reconciliation.restore_shipment").exists()


def test_an_edited_tracking_number_is_restored_and_confirmed_again(
    shipped, jobs_run_here, django_capture_on_commit_callbacks
):
    sandbox, fulfillment = shipped
    tracking = fulfillment.packages.get().tracking_number
    _edit_in_acumatica(fulfillment, TrackingNbr="EDITED-IN-ACUMATICA")

    with django_capture_on_commit_callbacks(execute=True):
        outcome = shipment_tracking_restore(fulfillment_id=fulfillment.pk, via=VIA)

    assert outcome.restored, outcome.text
    assert "reopened and its tracking numbers restored" in outcome.text
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK, fulfillment.last_error
    (shipment,) = shipments_for(sandbox, fulfillment.reference)
    assert shipment["Status"] == "Confirmed"
    assert [p["TrackingNbr"] for p in shipment["Packages"]] == [tracking]
    entry = AuditEntry.objects.get(action="reconciliation.restore_shipment")
    assert any("TrackingNbr" in d for d in entry.before["differences"])


def test_a_shipment_changed_in_more_than_its_tracking_is_left_for_a_person(shipped):
    _sandbox, fulfillment = shipped
    tracking = fulfillment.packages.get().tracking_number
    _edit_in_acumatica(fulfillment, Weight=99)

    outcome = shipment_tracking_restore(fulfillment_id=fulfillment.pk, via=VIA)

    assert not outcome.restored
    assert "differs in more than its tracking numbers" in outcome.text
    fulfillment.refresh_from_db()
    assert fulfillment.status == FulfillmentStatus.WRITTEN_BACK
    with acumatica_client_for(fulfillment.store, purpose="test") as client:
        record = client.get("Shipment", fulfillment.erp_shipment_nbr, expand="Packages")
    package = record["Packages"][0]
    assert value_of(package, "TrackingNbr") == tracking and value_of(package, "Weight") == 99

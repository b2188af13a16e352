"""Issue 16's cut-over "done when": on a sandbox with Default 24.200.001 and 26.200.001
installed, the check shows the differences (LastModified renamed, drop-downs wrapped, the new
_workflowActions), its dry-run import writes nothing and maps every order identically, and the
switch and the roll-back (both audited) lose or double no order across imports."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from connector.acumatica.endpoints import version_of
from fulfillment.cutover import (
    CutoverRefused,
    endpoint_cutover_apply,
    endpoint_cutover_check,
    endpoint_cutover_rollback,
)
from fulfillment.cutover.compare import compare, properties
from fulfillment.cutover.surface import TYPES, WRITTEN, surface
from fulfillment.models import ImportCursor, ImportRun, ImportTrigger, Order
from fulfillment.writeback import payloads
from fulfillment.writeback.plan import ContentPlan, LinePlan, PackagePlan, ShipmentPlan
from stores.models import AuditEntry, Role, StoreStatus

from .conftest import SandboxData

pytestmark = pytest.mark.django_db

V24, V26 = "24.200.001", "26.200.001"


@pytest.fixture
def two_versions(sandbox_factory):
    return sandbox_factory(endpoint_versions=[V24, V26], orders=120)


def _keys(store) -> list[tuple[str, str]]:
    return list(Order.objects.filter(store=store).values_list("erp_order_type", "erp_order_nbr"))


def _new_order(data: SandboxData) -> None:
    data.create_order(
        customer="ZENWELL", lines=[{"inventory": "COFFEE-1KG", "qty": 2, "warehouse": "EAST"}]
    )


def test_the_check_shows_what_26_changes_and_its_dry_run_writes_nothing(
    two_versions, store_factory, run_import
):
    store = store_factory(two_versions)
    run_import(store)
    orders, runs = Order.objects.count(), ImportRun.objects.count()
    cursors = list(ImportCursor.objects.values())

    report = endpoint_cutover_check(store=store)

    assert (report.pinned, report.target, report.ready) == (V24, V26, True), report.reasons
    changes = {(d.entity, d.field): d for d in report.comparison.differences}
    assert changes[("SalesOrder", "LastModified")].target == "LastModifiedDateTime: DateTimeValue"
    assert (
        "renamed LastModified → LastModifiedDateTime"
        in changes[("SalesOrder", "LastModified")].note
    )
    for wrapped in [("SalesOrder", "Status"), ("SalesOrder", "OrderType"), ("Shipment", "Type")]:
        assert changes[wrapped].pinned == "StringValue".join([f"{wrapped[1]}: ", ""])
        assert changes[wrapped].target.endswith("StringSingleSelectValue")
    assert "SalesOrder._workflowActions (new in 26.200.001, not used)" in report.comparison.unused
    assert report.comparison.problems == [] and report.comparison.fields_checked >= 70
    dry = report.dry_run
    assert dry.clean and dry.identical == orders == len(dry.target.orders)
    assert dry.imported == dry.imported_same == orders
    assert report.test.passed
    # Nothing written: no order, no run, no cursor move; the store is as it was.
    assert (Order.objects.count(), ImportRun.objects.count()) == (orders, runs)
    assert list(ImportCursor.objects.values()) == cursors
    store.refresh_from_db()
    assert store.endpoint_version == V24


def test_switch_and_roll_back_miss_and_double_no_order(
    two_versions, store_factory, run_import, user_factory
):
    data = SandboxData(two_versions)
    operator = user_factory(Role.THREEPL_OPERATOR)
    store = store_factory(two_versions, active=True)
    first = run_import(store)
    assert first.created == len(data.eligible_sales_orders())

    _, entry = endpoint_cutover_apply(store=store, actor=operator)
    store.refresh_from_db()
    assert store.endpoint_version == V26 and store.status == StoreStatus.ACTIVE
    assert store.last_test_passed is True
    assert (entry.action, entry.before, entry.after) == (
        "store.endpoint_cutover",
        {"endpoint_version": V24},
        {"endpoint_version": V26},
    )
    assert entry.actor == operator and "after the cut-over check" in entry.summary

    for _ in range(4):
        _new_order(data)
    edited = sorted(data.eligible_sales_orders())[:2]
    for kind, nbr in edited:
        data.edit(kind, nbr, shipTo={"AddressLine2": f"Unit {nbr}"})
    on_26 = run_import(store)
    assert (on_26.created, on_26.updated, on_26.failed) == (4, 2, 0)

    rollback = endpoint_cutover_rollback(store=store, actor=operator)
    store.refresh_from_db()
    assert store.endpoint_version == V24 and store.status == StoreStatus.ACTIVE
    assert rollback.before == {"endpoint_version": V26}
    assert rollback.after == {"endpoint_version": V24}
    assert f"#{entry.pk}" in rollback.summary
    for _ in range(3):
        _new_order(data)
    back = run_import(store)
    assert (back.created, back.updated, back.failed) == (3, 0, 0)
    rescan = run_import(store, ImportTrigger.RESCAN)
    assert (rescan.created, rescan.updated, rescan.failed) == (0, 0, 0)

    keys = _keys(store)
    assert len(keys) == len(set(keys)) == len(data.eligible_sales_orders())
    assert set(keys) == data.eligible_sales_orders()
    with pytest.raises(CutoverRefused, match="Nothing to roll back"):
        endpoint_cutover_rollback(store=store, actor=operator)


def test_a_field_the_new_version_lacks_blocks_the_switch(sandbox_factory, store_factory):
    sandbox = sandbox_factory(
        endpoint_versions=[V24, V26], orders=20, package_contents_exposed=False
    )
    store = store_factory(sandbox, active=True)

    with pytest.raises(CutoverRefused) as refused:
        endpoint_cutover_apply(store=store)

    assert any("ShipmentPackage.PackageContents" in r for r in refused.value.reasons)
    store.refresh_from_db()
    assert store.endpoint_version == V24
    assert not AuditEntry.objects.filter(action="store.endpoint_cutover").exists()


def test_from_20_the_check_lists_what_22_added(sandbox_factory, store_factory):
    sandbox = sandbox_factory(endpoint_versions=["20.200.001", V24], orders=30)
    store = store_factory(sandbox)

    report = endpoint_cutover_check(store=store)

    assert report.ready, report.reasons
    changes = {(d.entity, d.field): d for d in report.comparison.differences}
    assert changes[("ShipmentPackage", "Length")].pinned == "—"
    assert changes[("ShipmentPackage", "Length")].note.startswith("added")
    assert ("SalesOrder", "LastModified") not in changes


def test_the_surface_covers_every_field_the_write_back_sends():
    fields = surface()
    assert all((entity, name) in TYPES for entity, names in fields.items() for name in names)
    contents = (ContentPlan("X", "EA", Decimal(1), "SO", "000001"),)
    package = PackagePlan("SMALL", Decimal(1), "1Z", Decimal(1), Decimal(1), Decimal(1), contents)
    plan = ShipmentPlan(
        creates_shipment=True,
        reference="F-1",
        customer_id="C",
        warehouse_id="W",
        shipment_date=dt.date(2026, 1, 1),
        ship_via="UPS",
        lines=(LinePlan("SO", "000001", 1, None, "X", "EA", Decimal(1)),),
        packages=(package,),
        include_contents=True,
    )
    body = payloads.new_shipment_body(plan)
    assert set(body) <= set(WRITTEN["Shipment"])
    assert set(body["Details"][0]) <= set(WRITTEN["ShipmentDetail"])
    assert set(body["Packages"][0]) <= set(WRITTEN["ShipmentPackage"])
    assert set(body["Packages"][0]["PackageContents"][0]) <= set(WRITTEN["ShipmentPackageDetail"])
    update = payloads.shipment_update_body(
        dataclasses.replace(plan, creates_shipment=False, shipment_nbr="000001"), {}
    )
    assert set(update) <= set(WRITTEN["Shipment"])


def test_the_command_checks_switches_and_rolls_back(two_versions, store_factory):
    store = store_factory(two_versions, active=True)

    def command(*args) -> dict:
        out = io.StringIO()
        call_command("endpoint_cutover", str(store.pk), *args, stdout=out)
        return json.loads(out.getvalue().strip().splitlines()[-1])

    checked = command()
    assert checked["target"] == V26 and checked["ready"] and not checked.get("switched")
    applied = command("--apply")
    assert applied["switched"] == V26
    rolled = command("--rollback")
    assert rolled["switched"] == V24
    store.refresh_from_db()
    assert store.endpoint_version == V24
    assert AuditEntry.objects.filter(store=store, via="cli").count() == 2


def test_the_store_page_action_is_for_3pl_staff_and_audited(
    two_versions, store_factory, client, user_factory
):
    store = store_factory(two_versions, active=True)
    url = reverse("endpoint_cutover:page", args=[store.pk])
    merchant_user = user_factory(Role.MERCHANT_USER, merchant=store.merchant)
    client.force_login(merchant_user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "apply"}).status_code == 403

    client.force_login(user_factory(Role.THREEPL_OPERATOR))
    page = client.get(url)
    assert page.status_code == 200 and "Check upgrade to 26.200.001" in page.content.decode()
    checked = client.post(url, {"action": "check"})
    text = checked.content.decode()
    assert checked.status_code == 200
    assert "LastModifiedDateTime" in text and "StringSingleSelectValue" in text
    applied = client.post(url, {"action": "apply"})
    assert applied.status_code == 302
    store.refresh_from_db()
    assert store.endpoint_version == V26
    rolled = client.post(url, {"action": "rollback"})
    assert rolled.status_code == 302
    store.refresh_from_db()
    assert store.endpoint_version == V24
    assert client.post(url, {"action": "nonsense"}).status_code == 400
    entries = AuditEntry.objects.filter(store=store, via="console").values_list("action", flat=True)
    assert set(entries) >= {"store.endpoint_cutover", "store.endpoint_rollback"}


def _acumatica_file(shared_dir, version: str) -> dict:
    """Acumatica's own swagger of a version: the whole file (22, 23, 24) or the 20.200.001
    extract (whole schemas of what the connector uses; its paths as a list)."""
    folder = shared_dir / "acumatica" / "swagger"
    whole = folder / f"Default_{version}.json"
    if whole.exists():
        return json.loads(whole.read_text(encoding="utf-8"))
    extract = json.loads(
        (folder / "extracts" / f"Default_{version}.extract.json").read_text(encoding="utf-8")
    )
    return {"definitions": extract["schemas"], "paths": {key: {} for key in extract["paths"]}}


@pytest.mark.shared
@pytest.mark.parametrize("pinned", ["20.200.001", "22.200.001", "23.200.001"])
def test_what_the_client_knows_matches_acumaticas_own_files(shared_dir, pinned):
    """Held to Acumatica's files rather than to the sandbox: no field or action the connector
    uses is missing or typed otherwise than the client expects, on either side."""
    result = compare(
        pinned=version_of(pinned),
        pinned_swagger=_acumatica_file(shared_dir, pinned),
        target=version_of(V24),
        target_swagger=_acumatica_file(shared_dir, V24),
    )
    assert (result.problems, result.warnings) == ([], [])
    added = {(d.entity, d.field) for d in result.differences}
    assert added == (
        {("ShipmentPackage", n) for n in ("Length", "Width", "Height")}
        | {("ShipmentPackageDetail", n) for n in ("OrigOrderType", "OrigOrderNbr")}
        if pinned == "20.200.001"
        else set()
    )


@pytest.mark.shared
@pytest.mark.parametrize("version", ["25.200.001", "26.200.001"])
def test_the_client_knows_25_and_26_as_the_schemas_read_from_acumatica(shared_dir, version):
    """25/26 were read in part (DIFF.md): every field the connector uses on the schemas read
    has there the name and type the client expects."""
    path = shared_dir / "acumatica" / "swagger" / "extracts" / f"Default_{version}.extract.json"
    schemas = json.loads(path.read_text(encoding="utf-8"))["schemas"]
    ev = version_of(version)
    checked = 0
    for entity, names in surface().items():
        if entity not in schemas:
            continue
        served = properties(schemas, entity)
        for name in names:
            expected = (ev.name_of(entity, name), ev.type_of(entity, name, TYPES[(entity, name)]))
            assert (expected[0], served.get(expected[0])) == expected, (entity, name)
            checked += 1
    assert checked >= 45

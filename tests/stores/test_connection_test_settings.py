"""The connection test's checks of what the connector uses: the endpoint and its version, the
role's access to each entity, the order type, the default warehouse and package contents."""

from __future__ import annotations

import pytest

from connector.acumatica import EndpointInfo
from stores.connection_test.checks_settings import closest_endpoint

from .connection_test_support import check, failing, run

# --- what the connector uses ----------------------------------------------------------------------


def test_endpoint_version_not_installed_lists_the_installed_ones(sandbox, store_factory):
    store = store_factory(sandbox, endpoint_version="25.200.001")

    result = run(store, sandbox)

    failed = failing(result, "endpoint")
    assert "Endpoint Default/25.200.001 is not installed" in failed.message
    assert "Default/24.200.001, Default/23.200.001, Default/22.200.001" in failed.message
    assert "Default / 24.200.001, the closest installed" in failed.fix
    assert "SM207060" in failed.fix
    assert {check(result, k).status for k in ("sales_orders", "order_type")} == {"skip"}


def test_endpoint_name_not_installed(sandbox, store_factory):
    store = store_factory(sandbox, endpoint_name="Fulfillment")

    result = run(store, sandbox)

    failed = check(result, "endpoint")
    assert "Endpoint Fulfillment/24.200.001 is not installed" in failed.message
    assert "Default / 24.200.001" in failed.fix


def test_closest_endpoint_prefers_the_same_name_then_the_nearest_version():
    installed = (
        EndpointInfo("Default", "22.200.001"),
        EndpointInfo("Default", "23.200.001"),
        EndpointInfo("Default", "25.200.001"),
        EndpointInfo("eCommerce", "24.200.001"),
    )

    assert closest_endpoint(installed, "Default", "24.200.001").version == "23.200.001"
    assert closest_endpoint(installed, "default", "25.100.001").version == "25.200.001"
    assert closest_endpoint(installed, "Custom", "24.200.001").name == "eCommerce"
    assert closest_endpoint((), "Default", "24.200.001") is None


@pytest.mark.parametrize(
    ("entity", "key", "screen"),
    [
        ("SalesOrder", "sales_orders", "SO301000"),
        ("Shipment", "shipments", "SO302000"),
        ("StockItem", "stock_items", "IN202500"),
    ],
)
def test_role_without_access_to_an_entity(sandbox_factory, store_factory, entity, key, screen):
    sandbox = sandbox_factory(denied_entities=[entity])
    store = store_factory(sandbox)

    result = run(store, sandbox)

    failed = check(result, key)
    assert failed.status == "fail"
    assert f"HTTP 403 on {entity}" in failed.message
    assert screen in failed.fix and "User Roles (SM201005)" in failed.fix
    others = {"sales_orders", "shipments", "stock_items"} - {key}
    assert {check(result, k).status for k in others} == {"pass"}
    assert check(result, "order_type").status == ("skip" if entity == "SalesOrder" else "pass")


def test_order_type_without_orders_is_a_warning(sandbox, store_factory):
    store = store_factory(sandbox, order_type="ZZ")

    result = run(store, sandbox)

    warned = check(result, "order_type")
    assert warned.status == "warn"
    assert "No sales order of type ZZ" in warned.message
    assert "does not exist in Acumatica, or it has no orders yet" in warned.message
    assert "Order Types (SO201000)" in warned.fix
    assert result.passed


def test_unknown_default_warehouse_lists_the_known_ones(sandbox, store_factory):
    store = store_factory(sandbox, default_warehouse="NOWHERE")

    result = run(store, sandbox)

    failed = failing(result, "default_warehouse")
    assert "Acumatica has no warehouse NOWHERE" in failed.message
    assert "Its warehouses: EAST, RETAIL, WHOLESALE." in failed.message
    assert "Warehouses (IN204000)" in failed.fix


def test_default_warehouse_unverifiable_without_access_is_a_warning(sandbox_factory, store_factory):
    sandbox = sandbox_factory(denied_entities=["Warehouse"])
    store = store_factory(sandbox, default_warehouse="RETAIL")

    result = run(store, sandbox)

    warned = check(result, "default_warehouse")
    assert warned.status == "warn"
    assert "could not be checked" in warned.message
    assert result.passed


def test_package_contents_not_exposed_while_the_toggle_is_on(sandbox_factory, store_factory):
    sandbox = sandbox_factory(package_contents_exposed=False)
    store = store_factory(sandbox, include_package_contents=True)

    result = run(store, sandbox)

    failed = failing(result, "package_contents")
    assert "does not expose the contents of shipment packages" in failed.message
    assert "Turn off “Include package contents”" in failed.fix
    assert not result.passed

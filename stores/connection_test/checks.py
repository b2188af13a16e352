"""The checks of a connection test, in the order they run (``STEPS``).

Each check is a function of the shared ``Context`` returning an ``Outcome``
(``checks_site``: up to signing in; ``checks_settings``: what the connector will use). A check
handles the failures specific to it; any other ``AcumaticaError`` it lets through, and the
runner describes it with ``failures.describe``. No check reports a secret, nor text a server
sent in answer to a request that carried one.
"""

from __future__ import annotations

from .checks_settings import (
    check_default_warehouse,
    check_endpoint,
    check_order_type,
    check_package_contents,
    entity_access,
)
from .checks_site import check_client_id, check_instance_url, check_reachable, check_sign_in
from .outcome import Step

STEPS: tuple[Step, ...] = (
    Step("client_id", "Client ID", check_client_id, network=False),
    Step("instance_url", "Instance URL", check_instance_url, network=False),
    Step("reachable", "Acumatica site", check_reachable, needs=("instance_url",)),
    Step("sign_in", "Sign-in", check_sign_in, needs=("client_id", "reachable")),
    Step("endpoint", "Web service endpoint", check_endpoint, needs=("sign_in",)),
    Step(
        "sales_orders",
        "Access to Sales Orders",
        entity_access(
            "SalesOrder",
            "Sales Orders",
            "SO301000",
            "OrderType,OrderNbr",
            "at least View Only, since the import reads them (Edit when shipments are created "
            "from orders)",
        ),
        needs=("endpoint",),
    ),
    Step(
        "shipments",
        "Access to Shipments",
        entity_access(
            "Shipment",
            "Shipments",
            "SO302000",
            "ShipmentNbr",
            "Insert or higher, since the connector creates, updates and confirms shipments",
        ),
        needs=("endpoint",),
    ),
    Step(
        "stock_items",
        "Access to Stock Items",
        entity_access(
            "StockItem",
            "Stock Items",
            "IN202500",
            "InventoryID",
            "at least View Only, for item descriptions and weights",
        ),
        needs=("endpoint",),
    ),
    Step("order_type", "Order type", check_order_type, needs=("sales_orders",)),
    Step("default_warehouse", "Default warehouse", check_default_warehouse, needs=("endpoint",)),
    Step("package_contents", "Package contents", check_package_contents, needs=("endpoint",)),
)

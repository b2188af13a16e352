"""The mapper: pure translation of Acumatica records, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fulfillment.modes import SALES_ORDERS, SHIPMENTS, MappingError
from fulfillment.modes.mapping import payload_hash, record_key_text, record_last_modified

from .records import line, reread, sales_order, shipment, w


def test_sales_order_maps_keys_customer_address_and_lines():
    order = SALES_ORDERS.map(sales_order("000123"))
    assert order.key == ("SO", "000123")
    assert order.key_text == "SO 000123"
    assert order.erp_shipment_nbr == ""
    assert (order.customer_id, order.customer_reference) == ("GOODFOOD", "PO-43461")
    assert (order.ship_via, order.warehouse) == ("UPSGROUND", "WHOLESALE")
    assert order.erp_status == "Open" and order.erp_hold is False
    assert order.erp_last_modified == dt.datetime(2025, 1, 15, 17, 30, 5, 120000, tzinfo=dt.UTC)
    assert order.ship_to.name == "Good Food One Ltd"
    assert order.ship_to.address_line1 == "18 Elm Avenue"
    assert order.ship_to.address_line2 == ""
    assert (order.ship_to.city, order.ship_to.state, order.ship_to.country) == (
        "Chicago",
        "IL",
        "US",
    )
    first, second = order.lines
    assert (first.line_nbr, first.inventory_id, first.ordered_quantity) == (
        1,
        "WATCH-SPORT",
        Decimal(1),
    )
    assert (second.ordered_quantity, second.open_quantity) == (Decimal(10), Decimal(4))
    assert second.uom == "EA" and second.warehouse == "WHOLESALE"


def test_customer_reference_falls_back_to_external_ref():
    record = sales_order(CustomerOrder=None, ExternalRef="#4411")
    assert SALES_ORDERS.map(record).customer_reference == "#4411"


def test_zero_open_quantity_stays_zero():
    record = sales_order(lines=[line(1, "MUG", 3, open_qty=0)])
    assert SALES_ORDERS.map(record).lines[0].open_quantity == Decimal(0)


def test_shipment_maps_ship_to_settings_and_origin_order_lines():
    order = SHIPMENTS.map(shipment("000045", warehouse="EAST"))
    assert order.key == ("000045",)
    assert order.erp_shipment_nbr == "000045"
    assert (order.erp_order_type, order.erp_order_nbr) == ("SO", "000004")
    assert order.warehouse == "EAST"
    assert order.ship_to.city == "Toronto" and order.ship_to.name == "Home Plus Retail"
    (only,) = order.lines
    assert only.open_quantity == Decimal(2)
    assert (only.erp_order_type, only.erp_order_nbr, only.erp_order_line_nbr) == ("SO", "000004", 2)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r.update(OrderNbr={}), "OrderNbr missing"),
        (lambda r: r.update(OrderType=w(12)), "OrderType is not text"),
        (lambda r: r.update(Status={}), "Status missing"),
        (lambda r: r.update(LastModified={}), "LastModified missing"),
        (lambda r: r.update(LastModified=w("yesterday")), "LastModified is not a date"),
        (
            lambda r: r.update(LastModified=w("2025-01-15T17:30:05")),
            "LastModified has no UTC offset",
        ),
        (lambda r: r.update(Hold=w("no")), "Hold is not true/false"),
        (lambda r: r.pop("Details"), "Details missing"),
        (lambda r: r.update(Details=[]), "no lines to ship"),
        (lambda r: r.update(Details={"LineNbr": 1}), "Details is not a list"),
        (lambda r: r["Details"][1].update(InventoryID={}), "line 2: InventoryID missing"),
        (lambda r: r["Details"][0].update(OrderQty=w("many")), "line 1: OrderQty is not a number"),
        (lambda r: r["Details"][0].update(OrderQty=w(-1)), "line 1: OrderQty is out of range"),
        (lambda r: r["Details"][0].update(LineNbr=w(1.5)), "line 1: LineNbr is not a whole"),
        (lambda r: r["Details"][1].update(LineNbr=w(1)), "line number 1 appears twice"),
        (lambda r: r.update(CustomerOrder=w("X" * 101)), "CustomerOrder is longer than 100"),
        (lambda r: r.update(ShipToAddress="18 Elm Avenue"), "ShipToAddress is not an object"),
        (lambda r: r.update(ShipVia={"Carrier": {"value": "UPS"}}), "ShipVia is not a value"),
    ],
)
def test_malformed_sales_orders_raise_a_mapping_error_with_the_reason(change, reason):
    record = sales_order("000777")
    change(record)
    with pytest.raises(MappingError) as info:
        SALES_ORDERS.map(record)
    assert reason in info.value.reason
    assert info.value.key in ("SO 000777", f"id {record['id']}")


def test_malformed_shipment_line():
    record = shipment("000046")
    record["Details"][0]["ShippedQty"] = {}
    with pytest.raises(MappingError, match="line 1: ShippedQty missing") as info:
        SHIPMENTS.map(record)
    assert info.value.key == "000046"


def test_free_text_is_trimmed_not_refused():
    record = sales_order(lines=[line(1, "MUG", 1, LineDescription="d" * 400)])
    assert len(SALES_ORDERS.map(record).lines[0].description) == 255


def test_not_a_record_at_all():
    with pytest.raises(MappingError, match="not a JSON object"):
        SALES_ORDERS.map(["SO", "000001"])


def test_keys_and_last_modified_are_readable_from_broken_records():
    record = sales_order("000321", LastModified="garbage")
    assert record_key_text(record, SALES_ORDERS.key_fields) == "SO 000321"
    assert record_last_modified(record, SALES_ORDERS.last_modified_field) is None
    record["OrderNbr"] = {}
    assert record_key_text(record, SALES_ORDERS.key_fields) == f"id {record['id']}"
    assert record_key_text(shipment("000009"), SHIPMENTS.key_fields) == "000009"
    assert record_last_modified(shipment(), SHIPMENTS.last_modified_field) == dt.datetime(
        2025, 1, 16, 9, tzinfo=dt.UTC
    )


def test_payload_hash_ignores_what_changes_between_reads():
    record = sales_order()
    assert payload_hash(reread(record)) == payload_hash(record)
    assert SALES_ORDERS.map(reread(record)).payload_hash == SALES_ORDERS.map(record).payload_hash


def test_payload_hash_and_content_hashes_see_real_changes():
    record = sales_order()
    before = SALES_ORDERS.map(record)
    record["Details"][0]["OrderQty"] = w(2)
    record["ShipToAddress"]["City"] = w("Denver")
    after = SALES_ORDERS.map(record)
    assert after.payload_hash != before.payload_hash
    changed = {
        k for k in before.content_hashes if before.content_hashes[k] != after.content_hashes[k]
    }
    assert changed == {"lines", "line_items", "ship_to"}


def test_a_quote_inside_a_value_does_not_confuse_the_hash():
    first = sales_order(Description='he said "id":"x" and left')
    second = sales_order(Description='he said "id":"y" and left')
    assert payload_hash(first) != payload_hash(second)

"""Value wrapping (API.md §4.1) and field-error collection (§6, 422)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from connector.acumatica.values import (
    FieldError,
    collect_field_errors,
    is_wrapped,
    unwrap,
    value_of,
    wrap,
)

# Inline copy of the shape of shared/acumatica/examples/put_bill_422_field_error.json.
BILL_422 = {
    "id": "b6410d82-9476-ef11-8c65-ac198e472cfe",
    "rowNumber": 1,
    "error": "Inserting  'AP Transactions' record raised at least one error. "
    "Please review the errors.",
    "Amount": {"value": 201.73},
    "Details": [
        {
            "id": "b8410d82-9476-ef11-8c65-ac198e472cfe",
            "rowNumber": 1,
            "note": {"value": ""},
            "Amount": {"value": 201.73},
            "InventoryID": {},
            "Project": {
                "value": "TES2323T",
                "error": "Project 'TES2323T  ' cannot be found in the system.",
            },
            "_links": {"files:put": "/23r211/entity/Default/20.200.001/files/x/{filename}"},
        }
    ],
    "ReferenceNbr": {"value": "<NEW>"},
    "_links": {"self": "/23r211/entity/Default/20.200.001/Bill/b6410d82"},
}


def test_wrap_plain_fields_keeps_system_fields_bare():
    body = wrap(
        {
            "id": "abc",
            "rowNumber": 3,
            "ShipmentNbr": "000123",
            "Hold": False,
            "Weight": Decimal("1.5000"),
            "Qty": Decimal("2"),
            "ShipmentDate": dt.date(2024, 11, 1),
            "Cleared": None,
        }
    )
    assert body == {
        "id": "abc",
        "rowNumber": 3,
        "ShipmentNbr": {"value": "000123"},
        "Hold": {"value": False},
        "Weight": {"value": 1.5},
        "Qty": {"value": 2},
        "ShipmentDate": {"value": "2024-11-01"},
        "Cleared": {"value": None},
    }
    json.dumps(body)  # serialisable as is


def test_wrap_details_linked_note_custom_and_delete():
    body = wrap(
        {
            "Type": "Shipment",
            "note": "from the warehouse",
            "ShipToAddress": {"City": "Oslo", "Validated": {"value": True}},
            "Packages": [
                {"id": "p1", "delete": True},
                {"BoxID": "SMALL", "TrackingNbr": "1Z999", "PackageContents": [{"Quantity": 2}]},
            ],
            "custom": {
                "Document": {
                    "UsrRef": "W-1",
                    "UsrFlag": {"type": "CustomBooleanField", "value": True},
                }
            },
            "_links": {"self": "/x"},
            "error": "ignored on the way in",
        }
    )
    assert body == {
        "Type": {"value": "Shipment"},
        "note": {"value": "from the warehouse"},
        "ShipToAddress": {"City": {"value": "Oslo"}, "Validated": {"value": True}},
        "Packages": [
            {"id": "p1", "delete": True},
            {
                "BoxID": {"value": "SMALL"},
                "TrackingNbr": {"value": "1Z999"},
                "PackageContents": [{"Quantity": {"value": 2}}],
            },
        ],
        "custom": {
            "Document": {
                "UsrRef": {"value": "W-1"},
                "UsrFlag": {"type": "CustomBooleanField", "value": True},
            }
        },
    }


def test_wrap_is_idempotent():
    once = wrap({"OrderNbr": "1", "Details": [{"OrderQty": 5}], "note": "n"})
    assert wrap(once) == once


def test_wrap_aware_datetime_keeps_offset():
    when = dt.datetime(2025, 8, 20, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert wrap({"ShipmentDate": when}) == {"ShipmentDate": {"value": "2025-08-20T00:00:00+03:00"}}


def test_unwrap_response():
    plain = unwrap(
        {
            "id": "x",
            "rowNumber": 1,
            "note": {"value": ""},
            "CustomerOrder": {},
            "Amount": {"value": 5427.96},
            "BillingSettings": {
                "id": "y",
                "note": None,
                "BillToAddressOverride": {"value": False},
                "custom": {},
            },
            "Details": [{"id": "d", "LineNbr": {"value": 1}}],
            "custom": {"Document": {"UsrX": {"type": "CustomStringField", "value": "A"}}},
            "_links": {"self": "/s"},
            "files": [],
        }
    )
    assert plain == {
        "id": "x",
        "rowNumber": 1,
        "note": "",
        "CustomerOrder": None,
        "Amount": 5427.96,
        "BillingSettings": {"id": "y", "note": None, "BillToAddressOverride": False, "custom": {}},
        "Details": [{"id": "d", "LineNbr": 1}],
        "custom": {"Document": {"UsrX": "A"}},
        "_links": {"self": "/s"},
        "files": [],
    }


def test_value_of_follows_links_and_defaults():
    order = {"ShipToAddress": {"City": {"value": "Oslo"}}, "Empty": {}, "Status": {"value": "Open"}}
    assert value_of(order, "Status") == "Open"
    assert value_of(order, "ShipToAddress/City") == "Oslo"
    assert value_of(order, "Empty", "-") == "-"
    assert value_of(order, "Missing/Path") is None


def test_is_wrapped():
    assert is_wrapped({})
    assert is_wrapped({"value": 1, "error": "x"})
    assert not is_wrapped({"City": {"value": "x"}})
    assert not is_wrapped("x")


def test_collect_field_errors_inline_422():
    errors = collect_field_errors(BILL_422)
    assert errors == [
        FieldError("", BILL_422["error"]),
        FieldError("Details[0].Project", "Project 'TES2323T  ' cannot be found in the system."),
    ]
    assert (
        str(errors[1]) == "Details[0].Project: Project 'TES2323T  ' cannot be found in the system."
    )


def test_collect_field_errors_nested_linked_and_custom():
    body = {
        "Packages": [
            {"BoxID": {"value": "OK"}},
            {
                "BoxID": {"value": "NOPE", "error": "'Box ID' cannot be found in the system."},
                "PackageContents": [{"Quantity": {"value": 9, "error": "Too many."}}],
            },
        ],
        "ShippingSettings": {
            "error": "linked error",
            "ShipToAddress": {"City": {"error": "City?"}},
        },
        "custom": {
            "Document": {"UsrX": {"type": "CustomStringField", "value": "", "error": "bad"}}
        },
    }
    assert [str(e) for e in collect_field_errors(body)] == [
        "Packages[1].BoxID: 'Box ID' cannot be found in the system.",
        "Packages[1].PackageContents[0].Quantity: Too many.",
        "ShippingSettings: linked error",
        "ShippingSettings.ShipToAddress.City: City?",
        "custom.Document.UsrX: bad",
    ]


def test_collect_field_errors_from_shared_example(shared_dir):
    body = json.loads((shared_dir / "acumatica/examples/put_bill_422_field_error.json").read_text())
    paths = [e.path for e in collect_field_errors(body)]
    assert paths == ["", "Details[0].Project"]

"""Actions (202 + Location polled to 204) against the sandbox, on sites with and without a
virtual directory: the status URL must be joined to scheme + host."""

from __future__ import annotations

import pytest

from connector.acumatica import (
    ActionFailed,
    ActionOutcomeUnknown,
    ActionTimeout,
    NotFound,
    ServerError,
)
from connector.acumatica.odata import and_, eq
from connector.acumatica.values import value_of

from .conftest import open_sessions, requests_to


def _open_order(client) -> dict:
    query = and_(eq("OrderType", "SO"), eq("Status", "Open"))
    return client.list("SalesOrder", filter=query, expand="Details", top=1)[0]


@pytest.mark.parametrize("site", ["/AcumaticaERP", "", "/erp/Acumatica2024R2"])
def test_create_shipment_then_confirm(sandbox_factory, make_client, site):
    server = sandbox_factory(site=site, action_duration=0.15)
    with make_client(server, "cookie") as client:
        order = _open_order(client)
        nbr = value_of(order, "OrderNbr")
        created = client.invoke_action(
            "SalesOrder",
            "SalesOrderCreateShipment",
            {"id": order["id"]},
            {"WarehouseID": value_of(order["Details"][0], "WarehouseID")},
        )
        assert created.completed and created.polls >= 1
        assert created.status_url.startswith(server.site_url + f"{site}/entity/Default/")
        shipped = client.get("SalesOrder", "SO", nbr, expand="Shipments")
        assert value_of(shipped, "Status") == "Shipping"
        shipment_nbr = value_of(shipped["Shipments"][0], "ShipmentNbr")

        client.put(
            "Shipment",
            {
                "ShipmentNbr": shipment_nbr,
                "Hold": False,
                "Packages": [{"BoxID": "MEDIUM", "Weight": 4, "TrackingNbr": "940010000000001"}],
            },
        )
        confirmed = client.invoke_action(
            "Shipment", "ConfirmShipment", {"Type": "Shipment", "ShipmentNbr": shipment_nbr}
        )
        assert confirmed.completed
        assert value_of(client.get("Shipment", shipment_nbr), "Status") == "Confirmed"
        requests_made = client.request_count

    paths = [r["path"] for r in server.request_log.as_json()]
    status_polls = [p for p in paths if "/status/" in p]
    assert len(status_polls) == created.polls + confirmed.polls
    # Joined to scheme + host: the site segment appears once, never twice.
    assert all(p.startswith(f"{site}/entity/Default/24.200.001/") for p in status_polls)
    # Every status poll ran in the session that started the action.
    log = server.request_log.as_json()
    assert (
        len({r["session_id"] for r in log if "/status/" in r["path"] or "Shipment" in r["path"]})
        == 1
    )
    # login + list + action + polls + get + put + action + polls + get + logout
    assert requests_made == 7 + created.polls + confirmed.polls
    assert open_sessions(server) == 0


def test_action_with_oauth_polls_in_the_same_grant(sandbox, make_client):
    with make_client(sandbox) as client:
        order = _open_order(client)
        result = client.invoke_action("SalesOrder", "SalesOrderCreateShipment", {"id": order["id"]})
    assert result.completed
    assert open_sessions(sandbox) == 0


def test_action_done_at_once_answers_204(sandbox_factory, make_client):
    server = sandbox_factory(action_duration=0)
    with make_client(server, "cookie") as client:
        order = _open_order(client)
        result = client.invoke_action("SalesOrder", "SalesOrderCreateShipment", {"id": order["id"]})
    assert result.completed and result.polls == 0
    assert requests_to(server, "/status/") == 0


def test_action_timeout_is_bounded(sandbox_factory, make_client):
    server = sandbox_factory(action_duration=30)
    with make_client(server, "cookie") as client:
        order = _open_order(client)
        with pytest.raises(ActionTimeout) as info:
            client.invoke_action(
                "SalesOrder",
                "SalesOrderCreateShipment",
                {"id": order["id"]},
                poll_interval=0.05,
                timeout=0.3,
            )
    error = info.value
    assert error.retryable
    assert error.action == "SalesOrder/SalesOrderCreateShipment"
    assert "/status/" in error.location
    assert 0.3 <= error.waited < 2
    assert open_sessions(server) == 0


def test_action_not_started_without_wait(sandbox_factory, make_client):
    server = sandbox_factory(action_duration=0.2)
    with make_client(server, "cookie") as client:
        order = _open_order(client)
        started = client.invoke_action(
            "SalesOrder", "SalesOrderCreateShipment", {"id": order["id"]}, wait=False
        )
        assert not started.completed
        done = client.wait_for_action(started.status_url, poll_interval=0.05, timeout=5)
        assert done.completed
    assert open_sessions(server) == 0


def test_action_refused_up_front(sandbox, make_client):
    with make_client(sandbox, "cookie") as client:
        order = _open_order(client)
        client.invoke_action("SalesOrder", "SalesOrderCreateShipment", {"id": order["id"]})
        shipment_nbr = value_of(
            client.get("SalesOrder", "SO", value_of(order, "OrderNbr"), expand="Shipments")[
                "Shipments"
            ][0],
            "ShipmentNbr",
        )
        # On Hold: Acumatica refuses at once with a 500 PXException.
        with pytest.raises(ServerError) as info:
            client.invoke_action("Shipment", "ConfirmShipment", {"ShipmentNbr": shipment_nbr})
    assert "On Hold" in info.value.exception_message
    assert open_sessions(sandbox) == 0


def test_action_failing_while_running_is_action_failed(sandbox, make_client):
    with make_client(sandbox, "cookie") as client:
        order = _open_order(client)
        client.invoke_action("SalesOrder", "SalesOrderCreateShipment", {"id": order["id"]})
        shipped = client.get("SalesOrder", "SO", value_of(order, "OrderNbr"), expand="Shipments")
        nbr = value_of(shipped["Shipments"][0], "ShipmentNbr")
        shipment = client.get("Shipment", nbr, expand="Details")
        # Nothing shipped on any line: the confirmation starts, then fails on the status URL.
        client.put(
            "Shipment",
            {
                "ShipmentNbr": nbr,
                "Hold": False,
                "Details": [{"id": line["id"], "ShippedQty": 0} for line in shipment["Details"]],
            },
        )
        with pytest.raises(ActionFailed) as info:
            client.invoke_action("Shipment", "ConfirmShipment", {"ShipmentNbr": nbr})
    assert not info.value.retryable
    assert "no quantity is shipped" in str(info.value)
    assert info.value.action == "Shipment/ConfirmShipment"
    assert open_sessions(sandbox) == 0


def test_unknown_action_is_not_found(sandbox, make_client):
    with make_client(sandbox, "cookie") as client, pytest.raises(NotFound) as info:
        client.invoke_action("Shipment", "NoSuchAction", {"ShipmentNbr": "000001"})
    assert info.value.status_code == 404
    assert "NoSuchAction" in str(info.value)
    assert open_sessions(sandbox) == 0


def test_lost_reply_on_an_action_is_reported(sandbox, make_client):
    sandbox.faults.add(kind="lost_reply", match="POST */SalesOrderCreateShipment", times=1)
    with make_client(sandbox, "cookie") as client:
        order = _open_order(client)
        with pytest.raises(Exception) as info:
            client.invoke_action("SalesOrder", "SalesOrderCreateShipment", {"id": order["id"]})
        assert getattr(info.value, "outcome_unknown", False)
    assert requests_to(sandbox, "/SalesOrderCreateShipment", "POST") == 1
    assert open_sessions(sandbox) == 0


def test_session_lost_while_polling_makes_the_outcome_unknown(sandbox_factory, make_client):
    server = sandbox_factory(action_duration=5)
    with make_client(server, "cookie") as client:
        order = _open_order(client)
        started = client.invoke_action(
            "SalesOrder", "SalesOrderCreateShipment", {"id": order["id"]}, wait=False
        )
        server.sessions.close_all()  # idle timeout, or a restart of the site
        # The new session cannot see the old operation and would be told 204: not "done".
        with pytest.raises(ActionOutcomeUnknown) as info:
            client.wait_for_action(started.status_url, poll_interval=0.01, timeout=5)
        assert not isinstance(info.value, ActionTimeout)
        assert client.stats.reauthentications == 1
    assert open_sessions(server) == 0

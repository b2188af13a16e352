"""The sandbox's push notifications: real HTTP POSTs in Acumatica's format to a receiver, with
retries on non-2xx (five tries at most), and the drops and duplicates tests ask for."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from connector.sandbox.push import MAX_TRIES, PushDestination, PushNotifier


class Receiver:
    """A webhook on a free loopback port that answers ``status`` and keeps what it got."""

    def __init__(self, status: int = 202) -> None:
        self.status = status
        self.received: list[tuple[dict, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((json.loads(body), dict(self.headers)))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/push/abc/"

    def wait_for(self, count: int, timeout: float = 10) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return [body for body, _ in self.received]

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    made = []

    def make(status=202):
        made.append(Receiver(status))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def notifier(sandbox):
    made = PushNotifier(sandbox.data, interval=0.02, seed=7)
    yield made
    made.stop()


def _edit(sandbox, order_type, nbr, **spec):
    response = requests.patch(
        f"{sandbox.site_url}/_sandbox/data/orders/{order_type}/{nbr}", json=spec, timeout=10
    )
    assert response.status_code < 300, response.text


def _open_order(sandbox):
    return next(r for r in sandbox.data.records["SalesOrder"].values() if r["Status"] == "Open")


def test_a_changed_order_is_posted_in_acumatica_format_with_the_header(sandbox, notifier, receiver):
    webhook = receiver()
    notifier.add(
        PushDestination(
            address=webhook.url, header_name="X-Connector-Push-Secret", header_value="s3cret"
        )
    )
    order = _open_order(sandbox)
    time.sleep(0.1)  # nothing is sent for what was there before the destination

    _edit(sandbox, order["OrderType"], order["OrderNbr"], Description={"value": "changed"})

    (body,) = webhook.wait_for(1)
    assert set(body) == {
        "Inserted",
        "Deleted",
        "Query",
        "CompanyId",
        "Id",
        "TimeStamp",
        "AdditionalInfo",
    }
    assert body["Query"] == "Connector orders" and body["CompanyId"] == "Company"
    assert isinstance(body["TimeStamp"], int) and body["TimeStamp"] > 636295833829493672
    (row,) = body["Inserted"]
    assert (row["OrderType"], row["OrderNbr"]) == (order["OrderType"], order["OrderNbr"])
    assert set(row) == {"OrderType", "OrderNbr", "Status", "Hold", "LastModifiedDateTime"}
    assert len(body["Deleted"]) == 1  # the old state of the row
    assert webhook.received[0][1]["X-Connector-Push-Secret"] == "s3cret"
    assert "s3cret" not in json.dumps([d.public() for d in notifier.destinations()])


def test_non_2xx_is_retried_five_times_at_most(sandbox, notifier, receiver):
    webhook = receiver(status=500)
    notifier.add(PushDestination(address=webhook.url, retry_seconds=0.05))
    order = _open_order(sandbox)
    _edit(sandbox, order["OrderType"], order["OrderNbr"], Description={"value": "retry me"})

    bodies = webhook.wait_for(MAX_TRIES)
    time.sleep(0.3)
    assert len(webhook.received) == MAX_TRIES
    assert len({b["Id"] for b in bodies}) == 1  # the same notification each time
    assert notifier.stats.failed == 1


def test_drops_and_duplicates(sandbox, notifier, receiver):
    webhook = receiver()
    notifier.add(PushDestination(address=webhook.url, drop_rate=1.0))
    order = _open_order(sandbox)
    _edit(sandbox, order["OrderType"], order["OrderNbr"], Description={"value": "dropped"})
    time.sleep(0.3)
    assert webhook.received == [] and notifier.stats.dropped == 1

    (first,) = notifier.destinations()
    notifier.remove(first.id)
    notifier.add(PushDestination(address=webhook.url, duplicate_rate=1.0))
    _edit(sandbox, order["OrderType"], order["OrderNbr"], Description={"value": "twice"})
    bodies = webhook.wait_for(2)
    assert len(bodies) == 2 and bodies[0]["Id"] == bodies[1]["Id"]


def test_only_changes_matching_the_conditions_are_sent(sandbox, notifier, receiver):
    webhook = receiver()
    order = _open_order(sandbox)
    notifier.add(PushDestination(address=webhook.url, conditions={"OrderType": "XX"}))
    notifier.add(PushDestination(address=webhook.url, conditions={"OrderType": order["OrderType"]}))
    _edit(sandbox, order["OrderType"], order["OrderNbr"], Description={"value": "one of two"})

    (body,) = webhook.wait_for(1)
    time.sleep(0.2)
    assert len(webhook.received) == 1 and body["Inserted"][0]["OrderNbr"] == order["OrderNbr"]


@pytest.mark.parametrize(
    "bad",
    [
        {"address": "ftp://x"},
        {"address": "http://x", "entity": "Invoice"},
        {"address": "http://x", "drop_rate": 2},
        {"address": "http://x", "delay": -1},
        {"address": "http://x", "conditions": {"Colour": "red"}},
    ],
)
def test_a_bad_destination_is_refused(notifier, bad):
    with pytest.raises(ValueError):
        notifier.add(PushDestination(**bad))


def test_destinations_are_set_through_the_control_endpoint(sandbox, receiver):
    webhook = receiver()
    control = f"{sandbox.site_url}/_sandbox/push"
    added = requests.post(
        control,
        json={"address": webhook.url, "header_name": "X-Secret", "header_value": "hidden"},
        timeout=10,
    )
    assert added.status_code == 201 and added.json()["header_value"] == "(set)"
    order = _open_order(sandbox)
    _edit(sandbox, order["OrderType"], order["OrderNbr"], Description={"value": "via control"})

    assert len(webhook.wait_for(1)) == 1
    listed = requests.get(control, timeout=10).json()
    assert listed["stats"]["delivered"] == 1 and "hidden" not in json.dumps(listed)
    refused = requests.post(control, json={"address": webhook.url, "colour": "red"}, timeout=10)
    assert refused.status_code == 400
    gone = requests.delete(f"{control}/{added.json()['id']}", timeout=10)
    assert (
        gone.status_code == 200 and requests.get(control, timeout=10).json()["destinations"] == []
    )

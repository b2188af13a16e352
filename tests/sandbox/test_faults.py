"""Injected faults: each kind, when rules fire, and their scope."""

from __future__ import annotations

import time

import pytest
import requests

from connector.sandbox.faults import FaultInjector, FaultRule
from tests.sandbox.transport_support import echo_entities, entity_url, login


@pytest.fixture
def echo(sandbox):
    return echo_entities(sandbox)


@pytest.fixture
def client(sandbox, echo):
    return login(sandbox)


def put_order(sandbox, client) -> requests.Response:
    return client.put(
        entity_url(sandbox, "SalesOrder"), json={"OrderNbr": {"value": "1"}}, timeout=5
    )


def test_error500_answers_an_acumatica_http_error_once(sandbox, client, echo):
    sandbox.faults.add(kind="error500", match="PUT */SalesOrder", times=1)

    failed = put_order(sandbox, client)
    unaffected = client.get(entity_url(sandbox, "SalesOrder"), timeout=5)
    retried = put_order(sandbox, client)

    assert failed.status_code == 500
    assert failed.json() == {
        "message": "An error has occurred.",
        "exceptionMessage": "Operation failed",
        "exceptionType": "PX.Data.PXInvalidOperationException",
    }
    assert unaffected.status_code == 200
    assert retried.status_code == 200
    assert len(echo.writes) == 1  # the failed PUT never reached the entity layer


def test_error429_carries_retry_after(sandbox, client):
    sandbox.faults.add(kind="error429", match="GET */SalesOrder", retry_after=7)

    reply = client.get(entity_url(sandbox, "SalesOrder"), timeout=5)

    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "7"


def test_slow_delays_then_answers_normally(sandbox, client):
    sandbox.faults.add(kind="slow", match="GET */SalesOrder", delay=0.3)

    started = time.monotonic()
    reply = client.get(entity_url(sandbox, "SalesOrder"), timeout=5)

    assert reply.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_drop_closes_the_connection_before_processing(sandbox, client, echo):
    sandbox.faults.add(kind="drop", match="PUT */SalesOrder", times=1)

    with pytest.raises(requests.ConnectionError):
        put_order(sandbox, client)

    assert echo.writes == []
    assert put_order(sandbox, client).status_code == 200  # the client can reconnect


def test_lost_reply_applies_the_write_but_never_answers(sandbox, client, echo):
    sandbox.faults.add(kind="lost_reply", match="PUT */SalesOrder", times=1)

    with pytest.raises(requests.ConnectionError):
        put_order(sandbox, client)

    assert [w.method for w in echo.writes] == ["PUT"]
    log = sandbox.request_log.entries()[-1]
    assert (log.status, log.fault) == (None, "lost_reply")


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (500, "500 - Internal server error."),
        (502, "502 - Web server received an invalid response"),
        (503, "HTTP Error 503. The service is unavailable."),
    ],
)
def test_html_serves_an_iis_error_page(sandbox, client, status, text):
    sandbox.faults.add(kind="html", match="POST */ConfirmShipment", status=status)

    reply = client.post(
        entity_url(sandbox, "Shipment", "ConfirmShipment"), json={"entity": {}}, timeout=5
    )

    assert reply.status_code == status
    assert reply.headers["Content-Type"].startswith("text/html")
    assert text in reply.text


def test_every_nth_matching_request(sandbox, client):
    sandbox.faults.add(kind="error500", match="GET */SalesOrder*", every=3)

    statuses = [
        client.get(entity_url(sandbox, "SalesOrder", "SO", str(n)), timeout=5).status_code
        for n in range(6)
    ]

    assert statuses == [200, 200, 500, 200, 200, 500]


def test_probability_is_reproducible_from_the_seed():
    def firing_pattern(seed: int) -> list[bool]:
        injector = FaultInjector(seed=seed)
        injector.add(FaultRule(kind="error500", probability=0.5))
        return [
            injector.pick("GET", "/entity/Default/24.200.001/SalesOrder", "entity") is not None
            for _ in range(40)
        ]

    assert firing_pattern(7) == firing_pattern(7)
    assert 5 < sum(firing_pattern(7)) < 35
    assert firing_pattern(7) != firing_pattern(8)


def test_entity_scope_leaves_sign_in_alone_and_auth_scope_hits_it(sandbox):
    sandbox.faults.add(kind="error500", match="POST *")
    login(sandbox)  # entity-scoped rule: sign-in unaffected

    sandbox.faults.clear()
    sandbox.faults.add(kind="drop", match="POST */auth/login", scope="auth", times=1)
    with pytest.raises(requests.ConnectionError):
        login(sandbox)
    login(sandbox)


def test_method_and_path_must_both_match(sandbox, client):
    sandbox.faults.add(kind="error500", match="PUT */Shipment")

    assert put_order(sandbox, client).status_code == 200
    assert client.get(entity_url(sandbox, "Shipment"), timeout=5).status_code == 200
    assert client.put(entity_url(sandbox, "Shipment"), json={}, timeout=5).status_code == 500


@pytest.mark.parametrize(
    "settings",
    [
        {"kind": "explode"},
        {"kind": "html", "status": 404},
        {"kind": "error500", "times": 0},
        {"kind": "error500", "probability": 2},
        {"kind": "error500", "scope": "everywhere"},
        {"kind": "error500", "colour": "red"},
    ],
)
def test_invalid_rules_are_refused(settings):
    with pytest.raises(ValueError):
        FaultRule.from_json(settings)

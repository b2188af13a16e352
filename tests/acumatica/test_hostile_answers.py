"""Answers a broken or hostile server sends, over real HTTP from the sandbox: a body that drips
forever, one too large to read, JSON nested to exhaust the stack, JSON that does not parse.
Each is a clear error of its own, recorded without a traceback, and no session is left open."""

from __future__ import annotations

import time

import pytest

from connector.acumatica import (
    AnswerTooLarge,
    MemoryRecorder,
    RequestTimeout,
    UnexpectedResponse,
)

from .conftest import open_sessions

ORDERS = "GET */SalesOrder"


def test_a_body_that_drips_forever_ends_at_the_calls_deadline(sandbox, make_client):
    # A byte every 0.2 s never trips the 5 s read timeout; only the deadline ends it.
    sandbox.faults.add(kind="drip", match=ORDERS, delay=0.2, times=1)
    settings = {"read_timeout": 5.0, "deadline": 1.5}
    started = time.monotonic()
    with make_client(sandbox, settings=settings) as client, pytest.raises(RequestTimeout) as info:
        client.list("SalesOrder", top=1)
    assert time.monotonic() - started < 5
    assert "still arriving after 1.5s" in info.value.message
    assert not info.value.outcome_unknown  # a GET: safe to send again
    assert open_sessions(sandbox) == 0


def test_an_answer_past_the_size_cap_is_not_read(sandbox, make_client):
    sandbox.faults.add(kind="drip", match=ORDERS, delay=0, size=8 * 1024 * 1024, times=1)
    settings = {"max_answer_bytes": 1024 * 1024}
    with make_client(sandbox, settings=settings) as client, pytest.raises(AnswerTooLarge) as info:
        client.list("SalesOrder", top=1)
    assert "larger than 1 MiB" in info.value.message
    # The next call on the same client works: the connection was dropped, not left half-read.
    with make_client(sandbox) as client:
        assert isinstance(client.list("SalesOrder", top=1), list)


@pytest.mark.parametrize("depth", [100, 200_000])
def test_json_nested_to_exhaust_the_stack_is_a_bad_answer_not_a_crash(sandbox, make_client, depth):
    body = "[" * depth + "]" * depth
    sandbox.faults.add(kind="raw", match=ORDERS, status=200, body=body, times=1)
    recorder = MemoryRecorder()
    with (
        make_client(sandbox, recorder=recorder) as client,
        pytest.raises(UnexpectedResponse) as info,
    ):
        client.list("SalesOrder", top=1)
    assert "nested deeper than 64 levels" in info.value.message
    # The recorder kept the exchange (its body redacted as text) instead of raising.
    (listed,) = [e for e in recorder.exchanges if "/SalesOrder" in e.url]
    assert listed.status == 200


def test_an_error_body_nested_too_deep_is_classified_by_its_status(sandbox, make_client):
    body = '{"message":' * 5000 + '"x"' + "}" * 5000
    sandbox.faults.add(kind="raw", match=ORDERS, status=500, body=body, times=1)
    with make_client(sandbox) as client, pytest.raises(UnexpectedResponse) as info:
        client.list("SalesOrder", top=1)
    assert info.value.status_code == 500


def test_json_that_does_not_parse_says_so_rather_than_expected_json(sandbox, make_client):
    sandbox.faults.add(kind="raw", match=ORDERS, status=200, body='[{"OrderNbr": ', times=1)
    with make_client(sandbox) as client, pytest.raises(UnexpectedResponse) as info:
        client.list("SalesOrder", top=1)
    message = info.value.message
    assert "says it is JSON (application/json; charset=utf-8) but cannot be read" in message
    assert "Expected JSON" not in message

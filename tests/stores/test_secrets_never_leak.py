"""No secret (client secret, password, OAuth token) in a repr, a str, or any log line, whatever
the connector does with a store."""

from __future__ import annotations

import logging

import pytest

from connector.acumatica import MemoryRecorder
from stores import crypto
from stores.connection_test import connection_test_run
from stores.credentials import acumatica_client_for
from stores.models import StoreSecrets


def _issued_tokens(store) -> list[str]:
    secrets = StoreSecrets.objects.get(store=store)
    tokens = [crypto.decrypt(value) for value in (secrets.refresh_token, secrets.access_token)]
    assert all(tokens), "the run should have stored both OAuth tokens"
    return tokens


def _assert_absent(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text


def test_reprs_hold_no_secret(sandbox, store_factory):
    store = store_factory(sandbox)
    config = sandbox.config
    with acumatica_client_for(store) as client:
        client.list("SalesOrder", top=1)
        shown = [repr(client), str(client), repr(client._auth), str(client._auth)]
        credentials = client._auth.credentials
        shown += [repr(credentials), str(credentials)]
        shown += [repr(client._auth.tokens), str(client._auth.tokens)]
    secrets = StoreSecrets.objects.get(store=store)
    shown += [repr(secrets), str(secrets), repr(store), str(store)]
    _assert_absent(
        "\n".join(shown), [config.password, config.client_secret, *_issued_tokens(store)]
    )


def test_a_client_run_logs_no_secret(sandbox, store_factory, caplog):
    caplog.set_level(logging.DEBUG)
    store = store_factory(sandbox)
    recorder = MemoryRecorder()
    with acumatica_client_for(store, recorder=recorder) as client:
        assert client.list("SalesOrder", top=3)
    # Tokens are refreshed and reused by the next job: run again on the stored ones.
    with acumatica_client_for(store, recorder=recorder) as client:
        assert client.list("SalesOrder", top=3)

    assert caplog.records, "DEBUG logging should have captured the HTTP exchanges"
    recorded = "\n".join(repr(exchange) for exchange in recorder.exchanges)
    secrets = [sandbox.config.password, sandbox.config.client_secret, *_issued_tokens(store)]
    _assert_absent(caplog.text, secrets)
    _assert_absent(recorded, secrets)


@pytest.mark.parametrize("broken", ["password", "client_secret"])
def test_a_connection_test_logs_no_secret_even_when_it_fails(
    sandbox, store_factory, caplog, broken
):
    caplog.set_level(logging.DEBUG)
    wrong = f"wrong-{broken}-value"
    passing = store_factory(sandbox)
    failing = store_factory(sandbox, **{broken: wrong})

    assert connection_test_run(store=passing).passed
    result = connection_test_run(store=failing)

    assert not result.passed
    shown = caplog.text + repr(result) + str([check.to_dict() for check in result.checks])
    shown += str(failing.last_test_result)
    _assert_absent(shown, [sandbox.config.password, sandbox.config.client_secret, wrong])

"""/metrics after a real import against the sandbox: the exposition parses as Prometheus text
format 0.0.4, and the gauges say what happened (requests by status, import lag, orders
waiting, write-backs, alerts, store status)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from connector.services import heartbeat_record
from console.models import Alert, AlertCause
from fulfillment.models import ImportState, Order, OrderStatus
from stores.models import AcumaticaCall, StoreStatus
from stores.services import store_pause

TOKEN = "ops-token-for-tests-0123456789"

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:{LABEL})(?:,{LABEL})*)?\}})? (\S+)$")
VALUE = re.compile(r"^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$")


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), value)


def parse_exposition(text: str) -> list[tuple[str, dict[str, str], float]]:
    """A tiny strict parser: every line is HELP, TYPE or ``name{labels} value``; each sample's
    family has a TYPE line before it."""
    assert text.endswith("\n")
    typed: set[str] = set()
    samples = []
    for line in text.splitlines():
        if line.startswith("# HELP "):
            assert re.match(rf"^# HELP {NAME} \S", line), line
            continue
        if line.startswith("# TYPE "):
            match = re.match(rf"^# TYPE ({NAME}) (gauge|counter|histogram|summary|untyped)$", line)
            assert match, line
            typed.add(match.group(1))
            continue
        match = SAMPLE.match(line)
        assert match, f"not a valid sample line: {line!r}"
        name, labels_text, value = match.group(1), match.group(2) or "", match.group(7)
        assert name in typed, f"{name} has no TYPE line before it"
        assert VALUE.match(value), line
        labels = {k: _unescape(v) for k, v in re.findall(LABEL, labels_text)}
        samples.append((name, labels, float(value)))
    return samples


def _samples(samples, name, **labels):
    return [
        value
        for sample_name, sample_labels, value in samples
        if sample_name == name and all(sample_labels.get(k) == v for k, v in labels.items())
    ]


@pytest.fixture
def ops_client(client, settings):
    settings.CONNECTOR_OPS_TOKEN = TOKEN
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    return client


def test_metrics_after_a_real_import(
    ops_client, sandbox, store_factory, merchant_factory, run_import
):
    merchant = merchant_factory('Acme "West"\\Coast')
    store = store_factory(sandbox, merchant=merchant, name='Main "US"\nstore')
    idle = store_factory(sandbox, name="Never imported")
    paused = store_factory(sandbox, name="Paused one")
    store_pause(store=paused, reason="holiday")
    run = run_import(store)
    assert run.status == "succeeded", run.error
    heartbeat_record(component="scheduler")
    Alert.objects.create(store=store, cause=AlertCause.IMPORT_FAILING, title="Imports failing")
    Alert.objects.create(
        store=store, cause=AlertCause.THROTTLED, title="old", closed_at=timezone.now()
    )

    response = ops_client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.content.decode()
    samples = parse_exposition(text)

    label = f"{merchant.name} / {store.name}"
    # The quote, backslash and newline of the names are escaped on the wire…
    assert 'store_name="Acme \\"West\\"\\\\Coast / Main \\"US\\"\\nstore"' in text
    # …and read back as the original text.
    ok_calls = AcumaticaCall.objects.filter(store=store, status=200).count()
    assert ok_calls > 0
    assert _samples(
        samples,
        "connector_acumatica_requests_last_hour",
        store=str(store.pk),
        store_name=label,
        status="200",
    ) == [ok_calls]

    (lag,) = _samples(samples, "connector_import_lag_seconds", store=str(store.pk))
    assert 0 <= lag < 3600
    assert _samples(samples, "connector_import_never_succeeded", store=str(store.pk)) == [0]
    assert _samples(samples, "connector_import_never_succeeded", store=str(idle.pk)) == [1]
    assert _samples(samples, "connector_import_lag_seconds", store=str(idle.pk)) == []
    # Paused stores are not expected to import: no lag for them.
    assert _samples(samples, "connector_import_never_succeeded", store=str(paused.pk)) == []

    waiting = Order.objects.filter(
        store=store, status__in=[OrderStatus.READY, OrderStatus.ACKNOWLEDGED]
    ).count()
    assert waiting > 0
    assert _samples(samples, "connector_orders_waiting", store=str(store.pk)) == [waiting]
    assert _samples(samples, "connector_orders_waiting", store=str(idle.pk)) == [0]
    for status in ("pending", "writing", "held", "failed"):
        assert _samples(samples, "connector_writebacks", store=str(store.pk), status=status) == [0]

    assert _samples(samples, "connector_open_alerts", cause="import_failing") == [1]
    assert _samples(samples, "connector_open_alerts", cause="throttled") == [0]
    assert len(_samples(samples, "connector_open_alerts")) == len(AlertCause.values)

    assert _samples(samples, "connector_store_status", store=str(paused.pk), status="paused") == [1]
    statuses = _samples(samples, "connector_store_status", store=str(store.pk))
    assert sorted(statuses) == [0] * (len(StoreStatus.values) - 1) + [1]

    (age,) = _samples(samples, "connector_scheduler_heartbeat_age_seconds")
    assert 0 <= age < 60
    assert _samples(samples, "connector_task_queue_depth", queue="celery") or _samples(
        samples, "connector_task_queue_depth_unknown"
    )


def test_failed_calls_count_under_their_status_and_none(ops_client, sandbox, store_factory):
    store = store_factory(sandbox, name="Calls")
    now = timezone.now()
    for status in (200, 200, 500, None):
        AcumaticaCall.objects.create(store=store, at=now, method="GET", path="/x", status=status)
    AcumaticaCall.objects.create(
        store=store, at=now - dt.timedelta(hours=2), method="GET", path="/old", status=200
    )
    samples = parse_exposition(ops_client.get("/metrics").content.decode())
    name = "connector_acumatica_requests_last_hour"
    assert _samples(samples, name, store=str(store.pk), status="200") == [2]
    assert _samples(samples, name, store=str(store.pk), status="500") == [1]
    assert _samples(samples, name, store=str(store.pk), status="none") == [1]


def test_import_lag_grows_with_the_last_success(ops_client, sandbox, store_factory):
    store = store_factory(sandbox, name="Lagging")
    ImportState.objects.update_or_create(
        store=store, defaults={"last_succeeded_at": timezone.now() - dt.timedelta(hours=2)}
    )
    samples = parse_exposition(ops_client.get("/metrics").content.decode())
    (lag,) = _samples(samples, "connector_import_lag_seconds", store=str(store.pk))
    assert 7200 <= lag < 7300


def test_the_parser_rejects_broken_lines():
    with pytest.raises(AssertionError):
        parse_exposition('# TYPE x gauge\nx{a="unterminated} 1\n')
    with pytest.raises(AssertionError):
        parse_exposition('# TYPE x gauge\nx{a="raw"quote"} 1\n')
    with pytest.raises(AssertionError):
        parse_exposition("y 1\n")


def test_writebacks_are_counted_by_status(ops_client, shippable_order):
    from fulfillment.models import Fulfillment, FulfillmentStatus

    order = shippable_order()
    statuses = ["held", "held", "failed", FulfillmentStatus.WRITTEN_BACK]
    for n, status in enumerate(statuses):
        Fulfillment.objects.create(
            order=order,
            store=order.store,
            idempotency_key=f"k{n}",
            request_hash="0" * 64,
            raw_request={},
            shipped_at=timezone.now(),
            carrier="UPS",
            reference=f"METRICS-{n}",
            status=status,
        )
    samples = parse_exposition(ops_client.get("/metrics").content.decode())
    store = str(order.store_id)
    assert _samples(samples, "connector_writebacks", store=store, status="held") == [2]
    assert _samples(samples, "connector_writebacks", store=store, status="failed") == [1]
    assert _samples(samples, "connector_writebacks", store=store, status="pending") == [0]
    assert _samples(samples, "connector_writebacks", status="written_back") == []

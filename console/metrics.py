"""``/metrics``: gauges in the Prometheus text exposition format 0.0.4, computed from the
database at scrape time with a handful of grouped queries (one per metric family, whatever the
number of stores). Written by hand: the format is a few lines of text and needs no library.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping

from django.db.models import Count
from django.utils import timezone

from console.models import Alert, AlertCause
from fulfillment.models import (
    WAREHOUSE_QUEUE_STATUSES,
    Fulfillment,
    FulfillmentStatus,
    ImportState,
    Order,
)
from stores.calls import calls_since
from stores.models import StoreConnection, StoreStatus

from . import ops

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
WRITEBACK_STATUSES = (
    FulfillmentStatus.PENDING,
    FulfillmentStatus.WRITING,
    FulfillmentStatus.HELD,
    FulfillmentStatus.FAILED,
)

Labels = Mapping[str, str]


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _format_value(value: float) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


class Exposition:
    """Collects metric families, then renders them as one text document."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def gauge(self, name: str, help_text: str, samples: Iterable[tuple[Labels, float]]) -> None:
        self._lines.append(f"# HELP {name} {_escape_help(help_text)}")
        self._lines.append(f"# TYPE {name} gauge")
        for labels, value in samples:
            if labels:
                rendered = ",".join(
                    f'{k}="{escape_label_value(str(v))}"' for k, v in labels.items()
                )
                self._lines.append(f"{name}{{{rendered}}} {_format_value(value)}")
            else:
                self._lines.append(f"{name} {_format_value(value)}")

    def render(self) -> str:
        return "\n".join(self._lines) + "\n"


def _count_by(queryset, *fields: str) -> dict:
    """One grouped query: {value: count} for one field, {(value, value): count} for several."""
    rows = queryset.values(*fields).annotate(n=Count("id")).order_by(*fields)
    if len(fields) == 1:
        return {row[fields[0]]: row["n"] for row in rows}
    return {tuple(row[name] for name in fields): row["n"] for row in rows}


def _store_labels(store: dict) -> dict[str, str]:
    return {"store": str(store["id"]), "store_name": f"{store['merchant__name']} / {store['name']}"}


def metrics_render(*, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    out = Exposition()
    stores = list(
        StoreConnection.objects.order_by("id").values("id", "name", "status", "merchant__name")
    )
    by_id = {store["id"]: store for store in stores}

    out.gauge(
        "connector_store_status",
        "1 for the store's current connection status (draft, active, paused, needs_attention), "
        "0 for the others.",
        (
            ({**_store_labels(store), "status": status}, int(store["status"] == status))
            for store in stores
            for status in StoreStatus.values
        ),
    )

    calls = _count_by(calls_since(since=now - dt.timedelta(hours=1)), "store_id", "status")
    out.gauge(
        "connector_acumatica_requests_last_hour",
        "Requests sent to the store's Acumatica in the last hour, by HTTP status of the answer "
        '(status="none": no answer came back: timeout, refused or dropped connection).',
        (
            (
                {
                    **_store_labels(by_id[store_id]),
                    "status": "none" if status is None else str(status),
                },
                count,
            )
            for (store_id, status), count in calls.items()
            if store_id in by_id
        ),
    )

    last_succeeded = dict(
        ImportState.objects.filter(store__status=StoreStatus.ACTIVE).values_list(
            "store_id", "last_succeeded_at"
        )
    )
    active = [store for store in stores if store["status"] == StoreStatus.ACTIVE]
    out.gauge(
        "connector_import_lag_seconds",
        "Seconds since the last successful import of an active store (absent when it never "
        "succeeded: see connector_import_never_succeeded).",
        (
            (_store_labels(store), max(0.0, (now - last_succeeded[store["id"]]).total_seconds()))
            for store in active
            if last_succeeded.get(store["id"])
        ),
    )
    out.gauge(
        "connector_import_never_succeeded",
        "1 when an active store has never had a successful import, else 0.",
        (
            ({"store": str(store["id"])}, int(not last_succeeded.get(store["id"])))
            for store in active
        ),
    )

    writebacks = _count_by(
        Fulfillment.objects.filter(status__in=WRITEBACK_STATUSES), "store_id", "status"
    )
    out.gauge(
        "connector_writebacks",
        "Fulfillments not yet written back to Acumatica, by write-back status: pending (waiting "
        "or retrying), writing (a worker is on it), held (waits for a fix), failed (gave up).",
        (
            (
                {**_store_labels(store), "status": str(status)},
                writebacks.get((store["id"], status), 0),
            )
            for store in stores
            for status in WRITEBACK_STATUSES
        ),
    )

    waiting = _count_by(Order.objects.filter(status__in=WAREHOUSE_QUEUE_STATUSES), "store_id")
    out.gauge(
        "connector_orders_waiting",
        "Orders in the warehouse's queue (ready or acknowledged, not shipped yet).",
        ((_store_labels(store), waiting.get(store["id"], 0)) for store in stores),
    )

    open_alerts = _count_by(Alert.objects.filter(closed_at__isnull=True), "cause")
    out.gauge(
        "connector_open_alerts",
        "Open alerts in the console, by cause.",
        (({"cause": cause}, open_alerts.get(cause, 0)) for cause in AlertCause.values),
    )

    depth = ops.task_queue_depth("celery")
    if depth is None:
        out.gauge(
            "connector_task_queue_depth_unknown",
            "1 when the broker's queue depth could not be read (unknown transport or error).",
            [({}, 1)],
        )
    else:
        out.gauge(
            "connector_task_queue_depth",
            "Tasks waiting in the Celery broker queue, not yet taken by a worker.",
            [({"queue": "celery"}, depth)],
        )

    age = ops.scheduler_heartbeat_age_seconds(now=now)
    if age is not None:
        out.gauge(
            "connector_scheduler_heartbeat_age_seconds",
            "Seconds since the beat scheduler's last heartbeat was recorded by a worker "
            "(absent when there has never been one).",
            [({}, age)],
        )
    return out.render()

"""What the end-to-end benchmarks share: this project's web app on a loopback port (push
notifications and the warehouse's API calls arrive over real HTTP), the warehouse's fulfillment
body, percentiles, the depth of the Celery queues on a Redis broker, and CPU used."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application

from connector.sandbox.push import PushDestination
from fulfillment.jobs import IMPORT_QUEUE, INTERACTIVE_QUEUE, ROUTES, WRITEBACK_QUEUE
from fulfillment.models import ImportRun, WriteBackAttempt
from fulfillment.push.services import SECRET_HEADER, push_endpoint_issue
from fulfillment.writeback.carriers import carrier_mapping_set
from stores.services import store_activate, store_create

# kombu's Redis transport keeps a queue as a list named after it, and one list per priority
# step above 0 ("<queue>\x06\x16<step>"); tasks sent without a priority go to the plain one.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def web_start() -> tuple[ThreadedWSGIServer, str]:
    """This project's WSGI app served from threads on a free loopback port: (server, base URL).
    Stop it with ``server.shutdown()``."""
    web = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler)
    web.set_app(get_wsgi_application())
    threading.Thread(target=web.serve_forever, daemon=True).start()
    return web, f"http://127.0.0.1:{web.server_port}"


def sandbox_store(server, merchant, name: str):
    """An active store of ``merchant`` signed in to the sandbox ``server`` as its admin."""
    config = server.config
    store = store_create(
        merchant=merchant,
        name=name,
        instance_url=server.base_url,
        client_id=config.client_id,
        username=config.username,
        client_secret=config.client_secret,
        password=config.password,
    )
    return store_activate(store=store, force_reason="benchmark store")


def store_ships_ups(store) -> None:
    """Map the warehouse's carrier (UPS Ground, what ``fulfillment_body`` posts) for ``store``."""
    carrier_mapping_set(
        store=store, carrier="UPS", service="Ground", ship_via="UPSGROUND", default_box_id="SMALL"
    )


def store_pushed_by(sandbox, store, base: str, **destination) -> PushDestination:
    """Give ``store`` a push endpoint on the web app at ``base`` and have ``sandbox`` notify it
    (``destination``: more PushDestination fields, e.g. drop_rate, conditions)."""
    endpoint, secret = push_endpoint_issue(store=store)
    return sandbox.push.add(
        PushDestination(
            address=f"{base}/push/{endpoint.key}/",
            header_name=SECRET_HEADER,
            header_value=secret,
            **destination,
        )
    )


def fulfillment_body(order, *, idempotency_key: str | None = None) -> dict:
    """What the warehouse posts to ship every open line of ``order`` in one package."""
    return {
        "idempotency_key": idempotency_key or f"bench-{order.pk}",
        "shipped_at": "2025-06-01T12:00:00Z",
        "carrier": "UPS",
        "service": "Ground",
        "lines": [
            {"line_id": line.pk, "quantity": str(line.open_quantity)}
            for line in order.lines.order_by("line_nbr")
        ],
        "packages": [
            {
                "box_id": "SMALL",
                "weight": "2",
                "weight_unit": "lb",
                "tracking_number": f"1Z{order.pk:012d}",
            }
        ],
    }


def pct(values: list[float], percent: int) -> float | None:
    """The ``percent``-th percentile of sorted ``values`` (None for none), rounded to ms."""
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[percent - 1], 3)


def rate(times, duration: float) -> float:
    """Events per second over ``duration`` seconds from the first of ``times`` (epoch s)."""
    times = sorted(times)
    if len(times) < 2:
        return 0.0
    return round(sum(1 for t in times if t <= times[0] + duration) / duration, 2)


def job_seconds(*, store_ids: list[int], since) -> dict[str, list]:
    """The stores' import runs and write-back attempts since ``since``, by kind: [count, p50
    seconds, p99 seconds] — what the workers spent their time on."""
    runs = defaultdict(list)
    for trigger, scan, began, ended in ImportRun.objects.filter(
        store_id__in=store_ids, started_at__gte=since, finished_at__isnull=False
    ).values_list("trigger", "scan", "started_at", "finished_at"):
        runs[f"import {trigger} {scan}"].append((ended - began).total_seconds())
    for outcome, began, ended in WriteBackAttempt.objects.filter(
        fulfillment__store_id__in=store_ids, started_at__gte=since, finished_at__isnull=False
    ).values_list("outcome", "started_at", "finished_at"):
        runs[f"write-back {outcome}"].append((ended - began).total_seconds())
    return {
        kind: [len(times), pct(sorted(times), 50), pct(sorted(times), 99)]
        for kind, times in sorted(runs.items())
    }


def celery_queues() -> list[str]:
    """Every queue a worker must take: the routed ones and Celery's default."""
    return sorted(set(ROUTES.values()) | {"celery"})


class QueueDepth:
    """Messages waiting in each Celery queue, read from the Redis broker (None without one:
    the filesystem transport has no cheap count)."""

    def __init__(self) -> None:
        self._redis = None
        if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
            import redis

            self._redis = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    def sample(self) -> dict[str, int] | None:
        if self._redis is None:
            return None
        pipe = self._redis.pipeline(transaction=False)
        queues = celery_queues()
        for queue in queues:
            pipe.llen(queue)
            for step in _PRIORITY_STEPS:
                pipe.llen(f"{queue}{_PRIORITY_SEPARATOR}{step}")
        lengths = pipe.execute()
        per_queue = len(_PRIORITY_STEPS) + 1
        return {
            queue: sum(lengths[i * per_queue : (i + 1) * per_queue])
            for i, queue in enumerate(queues)
        }


class Backlog:
    """Samples over time of the Celery queues' depth and of the work waiting (orders placed
    and not imported, fulfillments posted and not written back)."""

    def __init__(self) -> None:
        self._depth = QueueDepth()
        self.samples: list[dict] = []

    def sample(self, at: float, *, orders: int, fulfillments: int) -> None:
        queues = self._depth.sample() or {}
        self.samples.append(
            {
                "t": round(at),
                "queues": queues,
                "messages": sum(queues.values()),
                "orders": max(0, orders),
                "fulfillments": max(0, fulfillments),
            }
        )

    def peaks(self) -> dict[str, int]:
        """The most messages seen in each queue."""
        peaks: dict[str, int] = {}
        for sample in self.samples:
            for queue, n in sample["queues"].items():
                peaks[queue] = max(peaks.get(queue, 0), n)
        return peaks

    def series(self, *, every: float) -> list[list[int]]:
        """A sample each ``every`` seconds: [t, messages queued, orders waiting, fulfillments
        waiting]."""
        kept, next_t = [], 0.0
        for sample in self.samples:
            if sample["t"] >= next_t:
                kept.append([sample[k] for k in ("t", "messages", "orders", "fulfillments")])
                next_t = sample["t"] + every
        return kept

    def bounded(self, *, until: float, growth: float, slack: float) -> bool:
        """Whether the backlog (the largest of messages, orders and fulfillments waiting)
        stopped growing before ``until``: the last third's peak is at most ``growth`` times
        the first third's plus ``slack``."""
        samples = [s for s in self.samples if s["t"] <= until]
        if len(samples) < 3:
            return True
        third = len(samples) // 3

        def peak(part):
            return max(max(s["messages"], s["orders"], s["fulfillments"]) for s in part)

        return peak(samples[-third:]) <= peak(samples[:third]) * growth + slack


def workers_start(options: dict) -> subprocess.Popen:
    """``celery worker`` taking every queue, in a process group of its own (``workers_stop``
    ends it): ``options["workers"]`` processes (or threads with ``pool``), through the
    configured broker and database, with the benchmark's import page size, store lease,
    session idle timeout and seat wait."""
    return _worker(
        options,
        queues=celery_queues(),
        pool=options.get("pool", "prefork"),
        concurrency=options["workers"],
    )


def workers_start_by_queue(options: dict) -> list[subprocess.Popen]:
    """The README's deployment: one worker for the interactive queue on
    ``options["interactive_threads"]`` threads, one for the import queue (and Celery's
    default) on ``options["import_processes"]`` prefork processes, one for the writeback queue
    on ``options["writeback_threads"]`` threads (a write-back mostly waits on Acumatica)."""
    layout = (
        ([INTERACTIVE_QUEUE], "threads", options["interactive_threads"]),
        ([IMPORT_QUEUE, "celery"], "prefork", options["import_processes"]),
        ([WRITEBACK_QUEUE], "threads", options["writeback_threads"]),
    )
    return [
        _worker(options, queues=queues, pool=pool, concurrency=concurrency)
        for queues, pool, concurrency in layout
    ]


def _worker(options: dict, *, queues: list[str], pool: str, concurrency: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "CONNECTOR_ALLOW_PRIVATE_INSTANCE_URLS": "true",
        "FULFILLMENT_IMPORT_PAGE_SIZE": str(options["page_size"]),
        "FULFILLMENT_IMPORT_LEASE_SECONDS": str(options.get("import_lease", 300)),
        "ACUMATICA_SESSION_IDLE_SECONDS": str(options.get("session_idle", 600.0)),
        "ACUMATICA_SEAT_WAIT_SECONDS": str(options.get("seat_wait", 120.0)),
        "DJANGO_SETTINGS_MODULE": "connector.settings",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "connector",
        "worker",
        "--pool",
        pool,
        "--concurrency",
        str(concurrency),
        "-Q",
        ",".join(queues),
        "--hostname",
        f"{queues[0]}-{uuid.uuid4().hex[:6]}@%h",
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
    ]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        command,
        env=env,
        cwd=settings.BASE_DIR,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def workers_stop(workers: subprocess.Popen) -> None:
    """Stop worker processes started with ``workers_start`` (a process group:
    the worker and its prefork children): a warm shutdown, then a kill after a minute."""
    os.killpg(workers.pid, signal.SIGTERM)
    try:
        workers.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(workers.pid, signal.SIGKILL)


def cpu_seconds(pid: int | None = None, *, group: bool = False, command: str = "") -> float:
    """CPU time (user + system, reaped children included) of process ``pid``; with ``group``
    of every process in the process group ``pid`` leads (a worker and its prefork children);
    with ``command`` of every process of that name ("postgres": the server and its backends,
    ended ones included through the server's reaped children). Linux's /proc; else 0.0."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in _proc_stats():
        if command:
            chosen = stat["command"] == command
        else:
            chosen = (stat["pgrp"] if group else stat["pid"]) == pid
        if chosen:
            total += stat["ticks"]
    return total / tick


def machine_cpu() -> tuple[int, int]:
    """(busy, total) CPU ticks of the machine so far, all CPUs; (0, 0) without /proc."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:]]
    except OSError:
        return 0, 0
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return sum(ticks) - idle, sum(ticks)


def machine_busy_share(since: tuple[int, int]) -> float | None:
    """The share of all CPUs busy since a ``machine_cpu()`` reading."""
    busy, total = machine_cpu()
    if total <= since[1]:
        return None
    return round((busy - since[0]) / (total - since[1]), 3)


def _proc_stats():
    for name in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                text = stat.read()
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after its ')'.
        fields = text[text.rindex(")") + 2 :].split()
        yield {
            "pid": int(name),
            "command": text[text.index("(") + 1 : text.rindex(")")],
            "pgrp": int(fields[2]),
            "ticks": sum(int(n) for n in fields[11:15]),  # utime stime cutime cstime
        }

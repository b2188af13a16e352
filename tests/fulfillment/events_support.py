"""Fixtures and helpers for the events tests: a real webhook receiver on a loopback port,
subscriptions, an independent Standard Webhooks verifier, and running queued delivery jobs."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from fulfillment import jobs
from fulfillment.management.webhook_receiver import Reply, WebhookReceiver


@pytest.fixture
def receiver():
    """``receiver(answer=None)``: a started WebhookReceiver (stopped after the test)."""
    started: list[WebhookReceiver] = []

    def start(answer=None) -> WebhookReceiver:
        server = WebhookReceiver(answer).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def subscription_for(db):
    """``subscription_for(merchant, url, kinds=None)`` → (subscription, secret)."""
    from fulfillment.events.subscriptions import subscription_create

    def make(merchant, url: str, kinds=None):
        return subscription_create(merchant=merchant, url=url, kinds=kinds)

    return make


def scripted(*statuses: int | Reply):
    """An answer that replies with these in turn (ints are statuses), then 200."""
    replies = [s if isinstance(s, Reply) else Reply(status=s) for s in statuses]

    def answer(received) -> Reply:
        index = received.number - 1
        return replies[index] if index < len(replies) else Reply()

    return answer


def verify_standard_webhook(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Written from the Standard Webhooks spec, independently of fulfillment.events.signing:
    HMAC-SHA256 with the base64-decoded part of "whsec_…" over "id.timestamp.body", base64,
    compared with each "v1,…" of the signature header."""
    assert secret.startswith("whsec_")
    key = base64.b64decode(secret[len("whsec_") :])
    message = headers["webhook-id"].encode() + b"." + headers["webhook-timestamp"].encode()
    expected = base64.b64encode(hmac.new(key, message + b"." + body, hashlib.sha256).digest())
    for candidate in headers["webhook-signature"].split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return True
    return False


@pytest.fixture
def run_deliveries(queued_jobs, django_capture_on_commit_callbacks):
    """``run_deliveries(rounds=1)``: run the delivery jobs queued so far (now, whatever their
    countdown) through the real task code, with what they queue after commit queued in turn;
    how many ran."""
    from celery import current_app

    from fulfillment import tasks  # noqa: F401  (registers the tasks)

    def run(rounds: int = 1) -> int:
        ran = 0
        for _ in range(rounds):
            waiting = queued_jobs.pop(jobs.DELIVER_EVENT, []) + queued_jobs.pop(
                f"{jobs.DELIVER_EVENT} later", []
            )
            for args in waiting:
                with django_capture_on_commit_callbacks(execute=True):
                    current_app.tasks[jobs.DELIVER_EVENT].apply(args=args)
                ran += 1
        return ran

    return run

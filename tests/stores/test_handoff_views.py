"""The credentials link's pages through the Django test client, against the sandbox over real
HTTP: the 3PL sends a link and sees it once; the merchant, signed out, tests and submits the
sign-in; every kind of bad link shows the same page naming nothing; the page is rate-limited,
CSRF-protected, touches only its own store and never shows a secret back."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from stores import handoff
from stores.credentials import store_has_secrets
from stores.models import AuditEntry, CredentialHandoff, Role, StoreConnection
from stores.services import store_activate, store_create

from .pages import credentials_for


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def draft(merchant):
    return store_create(merchant=merchant, name="Acme awaiting", credentials_later=True)


@pytest.fixture
def operator_client(operator_user):
    client = Client()
    client.force_login(operator_user)
    return client


def _token(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]


def _link(store, actor) -> str:
    return handoff.handoff_create(store=store, email="it@acme.test", actor=actor).url


def _path(url: str) -> str:
    return urlsplit(url).path


def test_the_3pl_sends_a_link_and_sees_it_once(operator_client, draft):
    page = operator_client.get(reverse("stores:detail", args=[draft.pk]))
    assert "Send the merchant a link" in page.content.decode()

    response = operator_client.post(
        reverse("stores:handoff", args=[draft.pk]), {"email": "it@acme.test"}
    )
    assert response.status_code == 200
    [email] = mail.outbox
    url = next(line for line in email.body.splitlines() if "/connect/" in line)
    assert url in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = _token(url)
    for later in (
        reverse("stores:handoff", args=[draft.pk]),
        reverse("stores:detail", args=[draft.pk]),
    ):
        text = operator_client.get(later).content.decode()
        assert token not in text
        assert "it@acme.test" in text


def test_a_bad_email_address_is_refused_on_the_form(operator_client, draft):
    response = operator_client.post(reverse("stores:handoff", args=[draft.pk]), {"email": "nope"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not CredentialHandoff.objects.exists()


def test_merchant_users_cannot_send_or_revoke_links(client, draft, user_factory, merchant):
    client.force_login(user_factory(Role.MERCHANT_USER, merchant=merchant))
    assert client.get(reverse("stores:handoff", args=[draft.pk])).status_code == 403
    assert (
        client.post(reverse("stores:handoff", args=[draft.pk]), {"email": "a@b.test"}).status_code
        == 403
    )
    assert client.post(reverse("stores:handoff_revoke", args=[draft.pk])).status_code == 403
    assert not CredentialHandoff.objects.exists()


def test_the_merchant_tests_and_submits_without_an_account(
    client,
    draft,
    operator_user,
    operator_client,
    sandbox,
    jobs_run_here,
    django_capture_on_commit_callbacks,
):
    url = _link(draft, operator_user)
    page = client.get(_path(url))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Acumatica sign-in for Acme awaiting" in text
    # Only the store's sign-in form: no navigation into the console.
    assert reverse("stores:list") not in text and reverse("console:dashboard") not in text

    values = credentials_for(sandbox)
    with django_capture_on_commit_callbacks(execute=True):
        tested = client.post(_path(url), {**values, "test": "1"})
    # Tested in the background (run here when the request commits); the page shows the result.
    assert tested.status_code == 302 and tested["Location"].endswith("#connection-test")
    text = client.get(_path(url)).content.decode()
    assert "Passed" in text and 'data-check="sign_in"' in text
    for secret in (values["client_secret"], values["password"]):
        assert secret not in text
    assert CredentialHandoff.objects.get().used_at is None

    # Secrets are stored: submitting needs them no more, and the test that passed stands.
    blank = {**values, "client_secret": "", "password": "", "submit": "1"}
    done = client.post(_path(url), blank)
    assert done.status_code == 200
    assert "the Acumatica sign-in is submitted" in done.content.decode()
    draft.refresh_from_db()
    assert draft.instance_url == sandbox.base_url and draft.last_test_passed
    assert store_has_secrets(draft)["client_secret"] and store_has_secrets(draft)["password"]
    assert CredentialHandoff.objects.get().used_at is not None

    again = client.get(_path(url))
    assert again.status_code == 404 and "Acme awaiting" not in again.content.decode()

    store_page = operator_client.get(reverse("stores:detail", args=[draft.pk])).content.decode()
    assert "Provided by the merchant on" in store_page
    for secret in (values["client_secret"], values["password"]):
        assert secret not in store_page
    assert len(sandbox.sessions) == 0
    entry = AuditEntry.objects.get(action="store.test", store=draft)
    assert entry.via == AuditEntry.Via.LINK and "merchant" in entry.actor_label


def test_a_failing_test_keeps_the_link_open_until_the_merchant_submits_anyway(
    client, draft, operator_user, sandbox, jobs_run_here, django_capture_on_commit_callbacks
):
    url = _link(draft, operator_user)
    wrong = credentials_for(sandbox, password="not-the-password", submit="1")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_path(url), wrong)
    assert response.status_code == 302 and "not_submitted=1" in response["Location"]
    text = client.get(response["Location"]).content.decode()
    assert "Not submitted yet" in text and "rejected the username" in text
    assert "not-the-password" not in text
    assert CredentialHandoff.objects.get().used_at is None

    anyway = client.post(
        _path(url), {**wrong, "password": "", "client_secret": "", "submit_anyway": "on"}
    )
    assert "the Acumatica sign-in is submitted" in anyway.content.decode()
    assert CredentialHandoff.objects.get().used_at is not None


def test_every_kind_of_bad_link_shows_the_same_page_naming_nothing(
    client, draft, operator_user, merchant, sandbox, store_factory
):
    used = _link(draft, operator_user)
    handoff.handoff_complete(handoff=CredentialHandoff.objects.get())

    second = store_create(merchant=merchant, name="Second awaiting", credentials_later=True)
    revoked = _link(second, operator_user)
    handoff.handoff_revoke(handoff=CredentialHandoff.objects.get(store=second), actor=operator_user)

    third = store_create(merchant=merchant, name="Third awaiting", credentials_later=True)
    expired = _link(third, operator_user)
    CredentialHandoff.objects.filter(store=third).update(expires_at="2000-01-01T00:00:00Z")

    active = store_factory(sandbox, merchant=merchant, name="Fourth store")
    not_draft = _link(active, operator_user)
    store_activate(store=active, force_reason="activated meanwhile")

    unknown = used.replace(_token(used), "A" * 43)
    bodies = set()
    for url in (used, revoked, expired, not_draft, unknown):
        for method in (client.get, client.post):
            response = method(_path(url))
            assert response.status_code == 404, url
            text = response.content.decode()
            for name in ("Acme", "Second", "Third", "Fourth", merchant.name, "it@acme.test"):
                assert name not in text
            bodies.add(text)
    assert len(bodies) == 1


def test_the_page_is_rate_limited_per_client_address(client, draft, operator_user, settings):
    settings.CONNECTOR_HANDOFF_MAX_REQUESTS_PER_IP = 3
    url = _link(draft, operator_user)
    for _ in range(3):
        assert client.get(_path(url)).status_code == 200
    limited = client.get(_path(url))
    assert limited.status_code == 429
    assert limited["Retry-After"] == str(settings.CONNECTOR_HANDOFF_RATE_WINDOW_SECONDS)
    assert "Too many requests" in limited.content.decode()
    assert "Acme" not in limited.content.decode()
    # Guessing other links from the same address counts too.
    assert client.get("/connect/guess-1/").status_code == 429
    # Another address is not held back.
    assert client.get(_path(url), REMOTE_ADDR="10.9.8.7").status_code == 200


def test_the_page_is_rate_limited_per_link(client, draft, operator_user, settings):
    settings.CONNECTOR_HANDOFF_MAX_REQUESTS_PER_LINK = 2
    url = _link(draft, operator_user)
    for address in ("10.0.0.1", "10.0.0.2"):
        assert client.get(_path(url), REMOTE_ADDR=address).status_code == 200
    assert client.get(_path(url), REMOTE_ADDR="10.0.0.3").status_code == 429


def test_posting_without_the_csrf_token_is_refused(draft, operator_user, sandbox):
    url = _link(draft, operator_user)
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(_path(url)).status_code == 200
    response = strict.post(_path(url), {**credentials_for(sandbox), "submit": "1"})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.instance_url == "" and not store_has_secrets(draft)["password"]


def test_a_link_touches_only_its_own_store(
    client, draft, operator_user, merchant_factory, sandbox, store_factory
):
    other = store_factory(sandbox, merchant=merchant_factory("Other merchant"), name="Other")
    before = StoreConnection.objects.filter(pk=other.pk).values().get()
    url = _link(draft, operator_user)
    response = client.post(
        _path(url),
        {
            **credentials_for(sandbox, username="someone-else"),
            # Fields the form does not have are ignored, whatever they name.
            "store": other.pk,
            "store_id": other.pk,
            "merchant": other.merchant_id,
            "name": "Renamed",
            "order_type": "XX",
            "test": "1",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.username == "someone-else" and draft.name == "Acme awaiting"
    assert draft.order_type == "SO"
    assert StoreConnection.objects.filter(pk=other.pk).values().get() == before
    assert "Other" not in client.get(_path(url)).content.decode()


def test_the_link_page_answers_at_once_while_acumatica_drips_and_follows_the_test(
    client, draft, operator_user, sandbox, queued_jobs, django_capture_on_commit_callbacks
):
    """Before: the link's POST ran the whole test in the request (anyone holding a link could
    keep a web worker busy for minutes with a slow Instance URL). Now it only queues it."""
    from celery import current_app

    from stores import jobs
    from stores import tasks as _tasks  # noqa: F401  (registers the task)

    drip = sandbox.faults.add(kind="drip", match="GET /entity", scope="all", delay=0.5, times=1)
    url = _link(draft, operator_user)
    token = _token(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_path(url), {**credentials_for(sandbox), "test": "1"})

    assert response.status_code == 302
    assert drip.matched == 0 and len(sandbox.request_log) == 0
    [(run_id,)] = queued_jobs[jobs.RUN_CONNECTION_TEST]
    poll = reverse("handoff_test_run", args=[token])
    page = client.get(_path(url)).content.decode()
    assert f'data-test-run-url="{poll}"' in page and "Waiting to start…" in page
    assert client.get(poll).json()["status"] == "queued"
    # Polls count apart: following a test does not use up the page's own limit.
    for _ in range(settings.CONNECTOR_HANDOFF_MAX_REQUESTS_PER_LINK + 5):
        assert client.get(poll).status_code == 200
    assert client.get(_path(url)).status_code == 200

    sandbox.faults.clear()
    current_app.tasks[jobs.RUN_CONNECTION_TEST].apply(args=(run_id,)).get()

    state = client.get(poll).json()
    assert state["finished"] and state["status"] == "passed"
    assert {c["key"] for c in state["checks"]} >= {"reachable", "sign_in"}
    assert client.get(reverse("handoff_test_run", args=["no-such-link"])).status_code == 404

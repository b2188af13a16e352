"""The pages that follow a background job poll its JSON through one module, static/js/poll_json.js
(connection_test.js and import_progress.js both use it), in a real browser.

The module alone first, on a page of its own whose replies the test writes (Playwright's
routing): a failed poll (an error status, a reply that is not JSON, such as a sign-in page) is
retried after the longer wait, the job's data reaches the page only as JSON, polling stops at the
final state, and it gives up after the failures allowed in a row. Each of these is read from the
timers the module set, so nothing here waits for a time to pass. Then the import run page: it
follows a running run to its end without a reload (the connection test's page is followed in
test_connection_test_live.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from fulfillment.models import ImportRun, ImportRunStatus, ImportTrigger, SourceKind
from stores.models import Role, UserProfile

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

POLL_JSON = Path(__file__).resolve().parents[2] / "static" / "js" / "poll_json.js"
ORIGIN = "http://poll.test"
# The page records each poll the module schedules (the wait it asked for) and each fetch.
PAGE = """<!doctype html><meta charset="utf-8"><title>poll</title>
<script>
  window.pollWaits = [];
  window.fetches = [];
  window.seen = [];
  var realSetTimeout = window.setTimeout;
  window.realSetTimeout = realSetTimeout;
  window.setTimeout = function (fn, ms) {
    if (fn.name === "poll") { window.pollWaits.push(ms); }
    return realSetTimeout.apply(window, arguments);
  };
  var realFetch = window.fetch;
  window.fetch = function () {
    var reply = realFetch.apply(window, arguments);
    window.fetches.push(reply);
    return reply;
  };
</script>
<script src="/poll_json.js"></script>"""
FOLLOW = """(maxFailures) => {
  window.pollJson.follow("/job.json", {
    intervalMs: 10,
    retryMs: 20,
    maxFailures: maxFailures,
    onData: function (data) {
      window.seen.push(data);
      if (!data.going) { window.done = true; }
      return data.going;
    },
  });
}"""
# Once the last fetch has its reply, a failed poll decides at once (no body to read) whether
# to poll again: one task later, its decision is in pollWaits.
SETTLED = """async () => {
  await window.fetches[window.fetches.length - 1].catch(() => null);
  await new Promise((resolve) => window.realSetTimeout(resolve, 0));
  return window.pollWaits.length;
}"""


def _serve(page, replies: list[dict]) -> list[str]:
    """The test page, the module as it is on disk, and the job's replies in order (the last one
    again once they run out); returns the job URLs asked for."""
    asked: list[str] = []

    def job(route):
        asked.append(route.request.url)
        route.fulfill(**replies[min(len(asked), len(replies)) - 1])

    page.route(f"{ORIGIN}/", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
    page.route(
        f"{ORIGIN}/poll_json.js",
        lambda route: route.fulfill(
            body=POLL_JSON.read_text(), content_type="application/javascript"
        ),
    )
    page.route(f"{ORIGIN}/job.json", job)
    page.goto(f"{ORIGIN}/")
    return asked


def _json(data: dict) -> dict:
    return {"status": 200, "body": json.dumps(data), "content_type": "application/json"}


def test_the_poller_retries_failures_and_stops_at_the_final_state(browser_page):
    page = browser_page
    asked = _serve(
        page,
        [
            {"status": 500, "body": "Server Error", "content_type": "text/html"},
            # A sign-in page (the session expired) answers 200 but is no job state.
            {"status": 200, "body": "<form>Sign in</form>", "content_type": "text/html"},
            {"status": 200, "body": "not json", "content_type": "application/json"},
            _json({"n": 1, "going": True}),
            _json({"n": 2, "going": False}),
        ],
    )

    page.evaluate(FOLLOW, 10)
    page.wait_for_function("window.done === true")

    assert page.evaluate("window.seen") == [{"n": 1, "going": True}, {"n": 2, "going": False}]
    # The first poll, a longer wait after each failure, the usual one after a state that goes
    # on, and none after the final state.
    assert page.evaluate("window.pollWaits") == [10, 20, 20, 20, 10]
    assert len(asked) == 5


def test_the_poller_gives_up_after_the_failures_allowed_in_a_row(browser_page):
    page = browser_page
    asked = _serve(page, [{"status": 503, "body": "Unavailable", "content_type": "text/plain"}])

    page.evaluate(FOLLOW, 3)
    page.wait_for_function("window.fetches.length === 3")

    assert page.evaluate(SETTLED) == 3
    assert page.evaluate("window.pollWaits") == [10, 20, 20]
    assert len(asked) == 3 and page.evaluate("window.seen") == []


@pytest.fixture
def operator(transactional_db):
    user = get_user_model().objects.create_user(username="ops", password="an-operator-password")
    UserProfile.objects.create(user=user, role=Role.THREEPL_OPERATOR)
    return user


def test_the_import_run_page_follows_a_run_to_its_end(
    live_server, sandbox, store_factory, operator, browser_page
):
    from playwright.sync_api import expect

    store = store_factory(sandbox, name="Polled Store", active=True)
    run = ImportRun.objects.create(
        store=store, trigger=ImportTrigger.MANUAL, source_kind=SourceKind.SALES_ORDER, pages=1
    )
    page = browser_page
    page.goto(live_server.url + reverse("fulfillment:import_run_detail", args=[run.pk]))
    page.fill("#id_username", "ops")
    page.fill("#id_password", "an-operator-password")
    page.click("button[type=submit]")
    progress = page.locator(".run-progress")
    expect(progress.locator("[data-status-badge]")).to_have_text("Running")

    ImportRun.objects.filter(pk=run.pk).update(pages=3, created=40)
    expect(progress.locator('[data-field="pages"]')).to_have_text("3")
    expect(progress.locator('[data-field="created"]')).to_have_text("40")

    run.refresh_from_db()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRunStatus.SUCCEEDED, finished_at=run.started_at, pages=4
    )
    expect(progress.locator("[data-progress-note]")).to_have_text(
        "Finished: Succeeded. Reload for the full report."
    )
    expect(progress.locator("[data-status-badge]")).to_have_class("badge run-succeeded")
    expect(progress.locator('[data-field="pages"]')).to_have_text("4")
    expect(progress.locator('[data-field="duration_seconds"]')).to_have_text("0.0 s")
    assert page.evaluate("document.querySelector('.run-progress').dataset.status") == "succeeded"

"""Every alert cause and all that is said about it, in one place: its name (the choice label),
the alert's title (``TITLES``), what to do (``ACTION_HINTS``), the reason it closes with when
the cause clears (``CLEARED``) and the button its link gets. ``console.alerts`` decides
*whether* a cause holds; the words are here, and the pages and emails show what the alert row
carries.

Titles are format strings: ``{store}`` is the store's name, ``{count}`` how many records the
cause is about."""

from __future__ import annotations

from django.db import models

from stores.models import StoreStatus


class AlertCause(models.TextChoices):
    STORE_NEEDS_ATTENTION = "store_needs_attention", "Store needs attention"
    IMPORT_FAILING = "import_failing", "Imports failing"
    THROTTLED = "throttled", "Throttled by Acumatica"
    IMPORT_LAGGING = "import_lagging", "Imports behind schedule"
    RECORDS_FAILING = "records_failing", "Orders that could not be imported"
    WRITEBACK_RETRYING = "writeback_retrying", "Write-backs failing, retrying"
    WRITEBACK_FAILED = "writeback_failed", "Write-backs failed"
    WRITEBACK_HELD = "writeback_held", "Write-backs held"
    SCHEDULER_DOWN = "scheduler_down", "Scheduler not running"
    WEBHOOKS_DISABLED = "webhooks_disabled", "Webhook subscriptions disabled"


TITLES = {
    AlertCause.STORE_NEEDS_ATTENTION: "{store} needs attention",
    AlertCause.IMPORT_FAILING: "{store}: imports failing",
    AlertCause.THROTTLED: "{store}: throttled by Acumatica",
    AlertCause.IMPORT_LAGGING: "{store}: imports behind schedule",
    AlertCause.RECORDS_FAILING: "{store}: {count} orders could not be imported",
    AlertCause.WRITEBACK_RETRYING: "{store}: {count} write-backs failing, retrying",
    AlertCause.WRITEBACK_FAILED: "{store}: {count} write-backs failed",
    AlertCause.WRITEBACK_HELD: "{store}: {count} write-backs held",
    AlertCause.SCHEDULER_DOWN: "Scheduler not running: no imports or retries are being started",
    AlertCause.WEBHOOKS_DISABLED: "{count} webhook subscriptions disabled after failing for a day",
}
ACTION_HINTS = {
    AlertCause.STORE_NEEDS_ATTENTION: "Fix the credentials or the user's rights in Acumatica, "
    "run the connection test, then resume the store.",
    AlertCause.IMPORT_FAILING: "Read the cause below; once it is fixed, run an import now.",
    AlertCause.THROTTLED: "Imports back off and continue by themselves. If it persists, lower "
    "the request rate (longer import interval) or raise the licence's limits.",
    AlertCause.IMPORT_LAGGING: "Check that the scheduler and a worker are running, then run an "
    "import now.",
    AlertCause.RECORDS_FAILING: "Open the import run for every reason; fix the orders in "
    "Acumatica and they are imported on the next run.",
    AlertCause.WRITEBACK_RETRYING: "They retry by themselves after a back-off; retry now once "
    "the cause is fixed.",
    AlertCause.WRITEBACK_FAILED: "Acumatica refused them or retries ran out: fix the cause (see "
    "Acumatica's message), then retry the write-backs.",
    AlertCause.WRITEBACK_HELD: "Do what the reason says; held write-backs continue once it is "
    "done.",
    AlertCause.SCHEDULER_DOWN: "Start (or restart) celery beat; see the README's deployment "
    "section.",
    AlertCause.WEBHOOKS_DISABLED: "The warehouse's receiver kept failing: once it answers again, "
    "enable the subscription on the Webhooks page (waiting events are then sent) and replay "
    "any that failed.",
}
# Held for a carrier without a mapping: the fix is on the store's carrier page.
HELD_FOR_CARRIER_HINT = (
    "Add the missing carrier mapping; held write-backs are released when it is saved."
)
CLEARED = {
    AlertCause.STORE_NEEDS_ATTENTION: "cleared: the store is active again",
    AlertCause.IMPORT_FAILING: "cleared: an import succeeded",
    AlertCause.THROTTLED: "cleared: no throttling any more",
    AlertCause.IMPORT_LAGGING: "cleared: imports caught up",
    AlertCause.RECORDS_FAILING: "cleared: the latest import had no failed orders",
    AlertCause.WRITEBACK_RETRYING: "cleared: no write-back is retrying",
    AlertCause.WRITEBACK_FAILED: "cleared: no write-back is failed",
    AlertCause.WRITEBACK_HELD: "cleared: no write-back is held",
    AlertCause.SCHEDULER_DOWN: "cleared: the scheduler is running",
    AlertCause.WEBHOOKS_DISABLED: "cleared: no subscription is disabled by failures",
}
# Why an open alert closes when its store is no longer watched, whatever its cause.
CLOSED_BY_STORE_STATUS = {
    StoreStatus.PAUSED: "store paused",
    StoreStatus.DRAFT: "store is a draft again",
}
# Also the dashboard's reason for a throttled store.
THROTTLED_RECENTLY = (
    "Acumatica answered 429 (too many requests) {count} times in the last 15 minutes."
)

# Their action is running the store's import now (the alert links to that page).
IMPORT_NOW_CAUSES = frozenset(
    {AlertCause.IMPORT_FAILING, AlertCause.THROTTLED, AlertCause.IMPORT_LAGGING}
)
# What a cause is about decides which causes hide which, and what an alert's page lists under
# it (import runs, fulfillments).
IMPORT_CAUSES = IMPORT_NOW_CAUSES | {AlertCause.RECORDS_FAILING}
WRITEBACK_CAUSES = frozenset(
    {AlertCause.WRITEBACK_RETRYING, AlertCause.WRITEBACK_FAILED, AlertCause.WRITEBACK_HELD}
)

RUN_IMPORT_NOW = "Run import now"
OPEN = "Open"


def cause_title(cause: str, store=None, *, count: int = 0) -> str:
    return TITLES[cause].format(store=store.name if store else "", count=count)


def cause_action_label(cause: str) -> str:
    """The label of the button that follows an alert's link."""
    return RUN_IMPORT_NOW if cause in IMPORT_NOW_CAUSES else OPEN


def cause_close_reason(cause: str, store_status: str | None) -> str:
    if store_status in CLOSED_BY_STORE_STATUS:
        return CLOSED_BY_STORE_STATUS[store_status]
    return CLEARED.get(cause, "cleared")

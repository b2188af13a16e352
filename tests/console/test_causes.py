"""Every alert cause says what it is, what to do and why it closed, from one table."""

from __future__ import annotations

from types import SimpleNamespace

from console.causes import (
    ACTION_HINTS,
    CLEARED,
    IMPORT_CAUSES,
    IMPORT_NOW_CAUSES,
    TITLES,
    WRITEBACK_CAUSES,
    AlertCause,
    cause_action_label,
    cause_close_reason,
    cause_title,
)
from console.models import Alert
from stores.models import StoreStatus


def test_every_cause_has_a_title_a_hint_and_a_cleared_reason():
    for table in (TITLES, ACTION_HINTS, CLEARED):
        assert set(table) == set(AlertCause.values)
        assert all(text.strip() for text in table.values())
    assert IMPORT_NOW_CAUSES <= IMPORT_CAUSES
    assert not IMPORT_CAUSES & WRITEBACK_CAUSES


def test_titles_name_the_store_and_the_count():
    store = SimpleNamespace(name="Acme")
    assert cause_title(AlertCause.WRITEBACK_FAILED, store, count=3) == "Acme: 3 write-backs failed"
    assert cause_title(AlertCause.STORE_NEEDS_ATTENTION, store) == "Acme needs attention"
    assert cause_title(AlertCause.SCHEDULER_DOWN).startswith("Scheduler not running")


def test_close_reason_and_action_label():
    assert cause_close_reason(AlertCause.IMPORT_FAILING, None) == "cleared: an import succeeded"
    assert cause_close_reason(AlertCause.IMPORT_FAILING, StoreStatus.PAUSED) == "store paused"
    assert cause_close_reason("gone", StoreStatus.ACTIVE) == "cleared"
    assert cause_action_label(AlertCause.THROTTLED) == "Run import now"
    assert cause_action_label(AlertCause.WRITEBACK_HELD) == "Open"
    assert Alert(cause=AlertCause.IMPORT_LAGGING).action_label == "Run import now"

"""Events for the warehouse (issue 14): recorded with the change that caused them (an outbox),
delivered to each subscription's URL signed the Standard Webhooks way, retried with back-off,
and readable as a feed (``GET /api/v1/events``).

record.py (``event_record``) · hooks.py (which changes make which events) · payloads.py (what
each says) · deliver.py + sending.py + signing.py (one delivery) · dispatch.py (the sweep) ·
feed.py (feed positions, the feed) · subscriptions.py (subscriptions, replays) · selectors.py
(reads for the pages) · url_check.py (the SSRF guard for subscriber URLs).
"""

from .hooks import import_events_record, store_needs_attention_event, writeback_attempt_event
from .record import EventDraft, event_record, events_record

__all__ = [
    "EventDraft",
    "event_record",
    "events_record",
    "import_events_record",
    "store_needs_attention_event",
    "writeback_attempt_event",
]

"""What stores tells the layers above it without importing them (fulfillment records events
for the warehouse from these). Sent inside the transaction of the change, so a receiver's
writes commit or roll back with it."""

from __future__ import annotations

from django.dispatch import Signal

# A store's status became "needs attention" (refused credentials or rights, a failed connection
# test of an active store). Keyword argument: ``store`` (its status and reason already set).
store_needs_attention = Signal()

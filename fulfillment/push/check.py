"""The connection test's "Push notifications" line: is the store's webhook set up, and when did
Acumatica last use it. Reads the database only (no request to Acumatica)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.timesince import timesince

from stores.connection_test.outcome import Context, Outcome, Step, ok, skip, warn

from ..models import PushEndpoint

SETUP_PAGE = "the store's Push notifications page"


def check_push(ctx: Context) -> Outcome:
    endpoint = PushEndpoint.objects.filter(store=ctx.store).first()
    if endpoint is None:
        return skip(
            "Not set up: new orders arrive with the next scheduled import. Set up push "
            f"notifications on {SETUP_PAGE} to import them within seconds."
        )
    now = timezone.now()
    rejected_last = endpoint.last_rejected_at and (
        not endpoint.last_received_at or endpoint.last_rejected_at > endpoint.last_received_at
    )
    if rejected_last:
        return warn(
            f"The last notification ({timesince(endpoint.last_rejected_at, now)} ago) was "
            f"refused: {endpoint.last_rejection}",
            "In Push Notifications (SM302000), check the destination's header and its secret "
            f"against {SETUP_PAGE}; issue a new secret there if it was lost.",
        )
    if endpoint.last_received_at is None:
        return warn(
            "The webhook is set up but no notification has arrived yet.",
            f"Send a test from {SETUP_PAGE}, then check the destination's address in Push "
            "Notifications (SM302000) and that the Generic Inquiry is active.",
        )
    return ok(
        f"Last notification received {timesince(endpoint.last_received_at, now)} ago "
        f"({endpoint.received_count} in all)."
    )


PUSH_STEP = Step("push", "Push notifications", check_push, network=False)

"""One action on many orders at once, from the orders list: reprocess, retry write-back, skip.

Each order goes through the same service as on its own page (``order_actions``,
``writeback_retry``), which audits it and leaves an event on its timeline: the bulk adds no
entry of its own. Every id is looked up again through the actor's orders: an id that is not
one of them (another merchant's, deleted, or not a number) is refused, counted, and not touched.
One order refused or failing does not stop the others."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError

from stores import access
from stores.models import AuditEntry

from .models import Fulfillment
from .order_actions import SKIP_REASON_MAX, order_reprocess, order_skip
from .selectors import orders_for
from .writeback.services import RETRYABLE, writeback_retry

logger = logging.getLogger("connector.fulfillment")

# action: (label in the list's menu, what the banner says of the orders it was done to)
BULK_ACTIONS = {
    "reprocess": ("Reprocess (re-read from Acumatica)", "reprocessed"),
    "retry_writeback": ("Retry write-back", "write-back retried"),
    "skip": ("Skip (give a reason)", "skipped"),
}
# A page of the orders list; each reprocess reads Acumatica while the operator waits.
BULK_MAX = 50
# The banner names this many refusals; the rest are counted.
NAMED_MAX = 5


@dataclass
class BulkResult:
    action: str
    done: list[str] = field(default_factory=list)
    # (order, why) for the orders of the actor's that the action was refused for or failed on.
    not_done: list[tuple[str, str]] = field(default_factory=list)
    # Ids that are not among the actor's orders: not touched.
    refused: int = 0

    @property
    def ok(self) -> bool:
        return not self.not_done and not self.refused

    @property
    def message(self) -> str:
        verb = BULK_ACTIONS[self.action][1]
        parts = [f"{len(self.done)} {verb}"]
        if self.not_done:
            named = "; ".join(f"{label}: {why}" for label, why in self.not_done[:NAMED_MAX])
            more = len(self.not_done) - NAMED_MAX
            parts.append(
                f"{len(self.not_done)} not {verb}: {named}"
                + (f"; and {more} more" if more > 0 else "")
            )
        if self.refused:
            parts.append(
                f"{self.refused} refused: not among your orders (another merchant's, deleted or "
                "not an order id), not touched"
            )
        return ". ".join(p.rstrip(".") for p in parts) + "."


def _ids(raw_ids) -> tuple[list[int], int]:
    """The distinct ids in the order given, and how many values were not ids."""
    ids, bad = [], 0
    for raw in raw_ids:
        try:
            value = int(str(raw).strip())
        except ValueError:
            bad += 1
            continue
        if value > 0 and value not in ids:
            ids.append(value)
        elif value <= 0:
            bad += 1
    return ids, bad


def orders_bulk_act(
    *, actor, action: str, order_ids, reason: str = "", via: str = AuditEntry.Via.CONSOLE
) -> BulkResult:
    """Do ``action`` to each of ``order_ids`` that is one of the actor's orders. Refused as a
    whole (ValidationError, nothing done) for an unknown action, a skip without its reason, or
    more than ``BULK_MAX`` orders."""
    if not access.is_3pl_staff(actor):
        raise PermissionDenied("Only 3PL staff act on orders.")
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": "Choose what to do with the selected orders."})
    reason = " ".join((reason or "").split())
    if action == "skip" and not reason:
        raise ValidationError({"reason": "Say why the orders are skipped; it is kept in the log."})
    if len(reason) > SKIP_REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {SKIP_REASON_MAX} characters."})
    ids, bad = _ids(order_ids)
    if len(ids) > BULK_MAX:
        raise ValidationError(f"Select at most {BULK_MAX} orders at once (one page of the list).")
    orders = {order.pk: order for order in orders_for(actor).filter(pk__in=ids)}
    result = BulkResult(action=action, refused=bad + len(ids) - len(orders))
    if result.refused:
        logger.warning(
            "bulk %s by %s: %s id(s) refused (not among the user's orders)",
            action,
            actor,
            result.refused,
        )
    for order_id in ids:
        order = orders.get(order_id)
        if order is None:
            continue
        why = _act(order, action=action, reason=reason, actor=actor, via=via)
        if why:
            result.not_done.append((order.document_label, why))
        else:
            result.done.append(order.document_label)
    return result


def _act(order, *, action: str, reason: str, actor, via: str) -> str:
    """Why it was not done, or "" when it was."""
    if action == "skip":
        try:
            order_skip(order=order, reason=reason, actor=actor, via=via)
        except ValidationError as exc:
            return " ".join(exc.messages)
        return ""
    if action == "reprocess":
        outcome = order_reprocess(order=order, actor=actor, via=via)
        return "" if outcome.ok else outcome.message
    stopped = list(Fulfillment.objects.filter(order=order, status__in=RETRYABLE).order_by("pk"))
    if not stopped:
        return "no write-back to retry (none is failed, held or waiting)"
    problems = []
    for fulfillment in stopped:
        try:
            writeback_retry(fulfillment=fulfillment, actor=actor, via=via)
        except ValidationError as exc:
            problems.append(" ".join(exc.messages))
    return " ".join(problems) if len(problems) == len(stopped) else ""

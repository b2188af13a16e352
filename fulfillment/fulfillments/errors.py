"""What recording a fulfillment or acknowledging an order can refuse, each with the intent a
caller needs: fix the request (invalid), stop re-using a key (conflict), or leave the order
alone (not shippable / not in the queue). The API maps them to 400 / 409; the order page shows
their messages."""

from __future__ import annotations


class FulfillmentError(Exception):
    code = "fulfillment_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FulfillmentInvalid(FulfillmentError):
    """The request does not fit the order: ``errors`` maps a field path (``lines[0].quantity``,
    ``packages[1].contents[0].line_id``) to its messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("The fulfillment was not recorded: " + _first(errors))
        self.errors = errors


class FulfillmentConflict(FulfillmentError):
    """The idempotency key was used before for this order with another request."""

    code = "idempotency_conflict"

    def __init__(self, existing) -> None:
        super().__init__(
            f"Idempotency key {existing.idempotency_key!r} was already used for fulfillment "
            f"{existing.reference} of this order with a different request. Send the same "
            "request again to get that fulfillment, or use a new key for a new fulfillment."
        )
        self.existing = existing


class OrderNotShippable(FulfillmentError):
    """The order's status does not allow a fulfillment (cancelled, on hold, shipped, ...)."""

    code = "order_not_shippable"

    def __init__(self, message: str, *, status: str) -> None:
        super().__init__(message)
        self.status = status


class OrderNotInQueue(FulfillmentError):
    """Acknowledging an order that is not waiting for the warehouse."""

    code = "order_not_in_queue"

    def __init__(self, message: str, *, status: str) -> None:
        super().__init__(message)
        self.status = status


def _first(errors: dict[str, list[str]]) -> str:
    for path, messages in errors.items():
        if messages:
            return f"{path}: {messages[0]}" if path else messages[0]
    return "invalid request."

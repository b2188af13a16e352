"""Fulfillments: what the warehouse shipped, recorded once per idempotency key, and the
warehouse's acknowledgement of an order. The API, the order page and commands call these;
the write-back (``fulfillment.writeback``) takes it from the outbox row they leave."""

from .acknowledging import order_acknowledge
from .errors import (
    FulfillmentConflict,
    FulfillmentError,
    FulfillmentInvalid,
    OrderNotInQueue,
    OrderNotShippable,
)
from .recording import fulfillment_record

__all__ = [
    "FulfillmentConflict",
    "FulfillmentError",
    "FulfillmentInvalid",
    "OrderNotInQueue",
    "OrderNotShippable",
    "fulfillment_record",
    "order_acknowledge",
]

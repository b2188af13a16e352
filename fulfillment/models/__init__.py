"""The fulfillment app's models, one module per concern."""

from .api_tokens import ApiToken
from .carriers import CarrierMapping
from .events import OrderEvent, OrderEventKind
from .events_outbound import (
    DeliveryStatus,
    EventAttempt,
    EventDelivery,
    EventFeedPosition,
    EventKind,
    EventSubscription,
    OutboundEvent,
)
from .fulfillments import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentPackage,
    FulfillmentPackageContent,
    FulfillmentSource,
    FulfillmentStatus,
    WriteBackAttempt,
    WriteBackOutbox,
    WriteBackProgress,
)
from .imports import ImportCursor, ImportRun, ImportRunStatus, ImportState, ImportTrigger
from .orders import (
    SHIPPED_STATUSES,
    WAREHOUSE_QUEUE_STATUSES,
    Order,
    OrderLine,
    OrderStatus,
    SourceKind,
)
from .push import PushEndpoint, PushNotification, PushStatus

__all__ = [
    "SHIPPED_STATUSES",
    "WAREHOUSE_QUEUE_STATUSES",
    "ApiToken",
    "CarrierMapping",
    "DeliveryStatus",
    "EventAttempt",
    "EventDelivery",
    "EventFeedPosition",
    "EventKind",
    "EventSubscription",
    "Fulfillment",
    "FulfillmentLine",
    "FulfillmentPackage",
    "FulfillmentPackageContent",
    "FulfillmentSource",
    "FulfillmentStatus",
    "ImportCursor",
    "ImportRun",
    "ImportRunStatus",
    "ImportState",
    "ImportTrigger",
    "Order",
    "OrderEvent",
    "OrderEventKind",
    "OrderLine",
    "OrderStatus",
    "OutboundEvent",
    "PushEndpoint",
    "PushNotification",
    "PushStatus",
    "SourceKind",
    "WriteBackAttempt",
    "WriteBackOutbox",
    "WriteBackProgress",
]

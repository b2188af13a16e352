"""The rules a fulfillment must follow, shared by the warehouse API, the order page's form and
the recording service, so that all three accept and refuse the same things."""

from __future__ import annotations

import datetime as dt

from ..models import OrderStatus

# Weights are stored in the unit the warehouse sent; the write-back converts them to the unit
# of the store's Acumatica (the sandbox's boxes are in LB).
WEIGHT_UNITS = ("lb", "kg", "oz", "g")
DIMENSION_UNITS = ("in", "cm")

IDEMPOTENCY_KEY_MAX = 200
CARRIER_MAX = 100
SERVICE_MAX = 100
# Acumatica: ShipmentPackage.BoxID is 15 characters; tracking numbers are kept to 60 here.
BOX_ID_MAX = 15
TRACKING_NUMBER_MAX = 60
# Upper bounds that keep one request's work bounded; far beyond any real shipment.
MAX_LINES = 1000
MAX_PACKAGES = 500
MAX_CONTENTS = 1000
# Quantities: as OrderLine (20 digits, 6 decimals); weights and dimensions: as FulfillmentPackage.
QUANTITY_DIGITS, QUANTITY_PLACES = 20, 6
MEASURE_DIGITS, MEASURE_PLACES = 14, 4
# Ids in URLs and bodies stay inside a signed 64-bit integer (the database's bigint).
MAX_ID = 2**63 - 1

# A fulfillment may be recorded while the warehouse holds the order and something is left to
# ship. ``error`` included: an earlier fulfillment's failed write-back must not stop the warehouse
# from reporting the rest of what it shipped (no tracking number may be lost).
SHIPPABLE_STATUSES = frozenset(
    {
        OrderStatus.READY,
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.ERROR,
    }
)
# Clocks differ and time zones get mixed up; a shipment dated beyond this is a mistake.
SHIPPED_AT_FUTURE_TOLERANCE = dt.timedelta(days=1)
SHIPPED_AT_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

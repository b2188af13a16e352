"""Import modes: Sales Orders or Shipments. ``spec`` holds one object per mode and is the only
place that knows how the two differ; ``mapping`` and ``readers`` turn Acumatica records into
plain values (pure)."""

from .mapping import MappedLine, MappedOrder, ShipTo, payload_hash, record_key_text
from .readers import MappingError
from .spec import MODES, SALES_ORDERS, SHIPMENTS, KeyInvalid, Mode, mode_for, mode_of

__all__ = [
    "MODES",
    "SALES_ORDERS",
    "SHIPMENTS",
    "KeyInvalid",
    "MappedLine",
    "MappedOrder",
    "MappingError",
    "Mode",
    "ShipTo",
    "mode_for",
    "mode_of",
    "payload_hash",
    "record_key_text",
]

"""Which carrier mapping applies to a fulfillment: the warehouse's carrier + service -> the
store's Acumatica Ship Via. Read by the write-back; changed through ``carriers``."""

from __future__ import annotations

from stores.models import StoreConnection

from ..models import CarrierMapping


def carrier_name_normal(value: str | None) -> str:
    """Carrier and service names compare without case and runs of blanks."""
    return " ".join((value or "").split()).upper()


def carrier_mapping_resolve(
    *, store: StoreConnection, carrier: str, service: str = ""
) -> CarrierMapping | None:
    """The mapping for this carrier and service, else the carrier's catch-all (empty service),
    else None."""
    mappings = {
        m.service: m
        for m in CarrierMapping.objects.filter(store=store, carrier=carrier_name_normal(carrier))
    }
    return mappings.get(carrier_name_normal(service)) or mappings.get("")


def carrier_mappings_of(store: StoreConnection):
    return CarrierMapping.objects.filter(store=store)

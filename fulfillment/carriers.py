"""Carrier mappings: the warehouse's carrier + service → the store's Acumatica Ship Via."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from stores.models import StoreConnection

from .models import CarrierMapping


def _norm(value: str | None) -> str:
    return " ".join((value or "").split()).upper()


def carrier_mapping_resolve(
    *, store: StoreConnection, carrier: str, service: str = ""
) -> CarrierMapping | None:
    """The mapping for this carrier and service, else the carrier's catch-all (empty service),
    else None."""
    mappings = {
        m.service: m for m in CarrierMapping.objects.filter(store=store, carrier=_norm(carrier))
    }
    return mappings.get(_norm(service)) or mappings.get("")


def carrier_mapping_set(
    *,
    store: StoreConnection,
    carrier: str,
    service: str = "",
    ship_via: str,
    default_box_id: str = "",
) -> CarrierMapping:
    carrier, service = _norm(carrier), _norm(service)
    ship_via, default_box_id = _norm(ship_via), _norm(default_box_id)
    if not carrier:
        raise ValidationError({"carrier": "Name the warehouse's carrier, e.g. UPS."})
    if not ship_via or len(ship_via) > 15:
        raise ValidationError(
            {"ship_via": "An Acumatica Ship Via code has 1 to 15 characters (Ship Via, CS207500)."}
        )
    if len(default_box_id) > 15:
        raise ValidationError({"default_box_id": "A Box ID has at most 15 characters."})
    mapping, _ = CarrierMapping.objects.update_or_create(
        store=store,
        carrier=carrier,
        service=service,
        defaults={"ship_via": ship_via, "default_box_id": default_box_id},
    )
    return mapping

"""Carrier mappings: adding, changing, removing and checking the map from the warehouse's carrier
+ service to the store's Acumatica Ship Via (each change audited; a new mapping releases the
fulfillments held for want of it). The lookup the write-back uses is ``carrier_lookup``."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from connector.acumatica import AcumaticaError, NotFound
from stores.audit import audit_record, changes_between
from stores.credentials import acumatica_client_for
from stores.models import AuditEntry, StoreConnection

from ..models import CarrierMapping
from .carrier_lookup import carrier_name_normal
from .services import writeback_release_held

logger = logging.getLogger("connector.fulfillment")


def carrier_mapping_set(
    *,
    store: StoreConnection,
    carrier: str,
    service: str = "",
    ship_via: str,
    default_box_id: str = "",
) -> CarrierMapping:
    carrier, service = carrier_name_normal(carrier), carrier_name_normal(service)
    ship_via, default_box_id = carrier_name_normal(ship_via), carrier_name_normal(default_box_id)
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


def _values(mapping: CarrierMapping | None) -> dict:
    if mapping is None:
        return {}
    return {
        "carrier": mapping.carrier,
        "service": mapping.service,
        "ship_via": mapping.ship_via,
        "default_box_id": mapping.default_box_id,
    }


def _audit(
    action: str, *, store: StoreConnection, mapping, before: dict, after: dict, actor, via: str
) -> None:
    changed_before, changed_after = changes_between(before, after)
    audit_record(
        actor=actor,
        action=action,
        summary=f"Carrier mapping {mapping} {action.rsplit('.', 1)[-1]}d for {store.name}.",
        store=store,
        target=mapping,
        target_type="carriermapping",
        before=changed_before if before else {},
        after=changed_after,
        via=via,
    )


def carrier_mapping_add(
    *,
    store: StoreConnection,
    carrier: str,
    service: str = "",
    ship_via: str,
    default_box_id: str = "",
    actor=None,
    via: str = AuditEntry.Via.CONSOLE,
) -> CarrierMapping:
    """Add (or replace) a mapping, then let the fulfillments held for want of one continue.
    Audited; the returned mapping's ``released`` lists the fulfillments released."""
    with transaction.atomic():
        existing = CarrierMapping.objects.filter(
            store=store, carrier=carrier_name_normal(carrier), service=carrier_name_normal(service)
        ).first()
        before = _values(existing)
        mapping = carrier_mapping_set(
            store=store,
            carrier=carrier,
            service=service,
            ship_via=ship_via,
            default_box_id=default_box_id,
        )
        _audit(
            "carrier_mapping.update" if existing else "carrier_mapping.create",
            store=store,
            mapping=mapping,
            before=before,
            after=_values(mapping),
            actor=actor,
            via=via,
        )
        mapping.released = writeback_release_held(store=store)
    return mapping


def carrier_mapping_update(
    *,
    mapping: CarrierMapping,
    carrier: str,
    service: str = "",
    ship_via: str,
    default_box_id: str = "",
    actor=None,
    via: str = AuditEntry.Via.CONSOLE,
) -> CarrierMapping:
    """Change a mapping, its carrier and service included. Audited with before → after."""
    carrier, service = carrier_name_normal(carrier), carrier_name_normal(service)
    clash = (
        CarrierMapping.objects.filter(store_id=mapping.store_id, carrier=carrier, service=service)
        .exclude(pk=mapping.pk)
        .exists()
    )
    if clash:
        raise ValidationError(
            {"service": f"{carrier} {service or '(any service)'} is mapped already; edit that one."}
        )
    before = _values(CarrierMapping.objects.filter(pk=mapping.pk).first())
    with transaction.atomic():
        CarrierMapping.objects.filter(pk=mapping.pk).update(carrier=carrier, service=service)
        mapping = carrier_mapping_set(
            store=mapping.store,
            carrier=carrier,
            service=service,
            ship_via=ship_via,
            default_box_id=default_box_id,
        )
        _audit(
            "carrier_mapping.update",
            store=mapping.store,
            mapping=mapping,
            before=before,
            after=_values(mapping),
            actor=actor,
            via=via,
        )
        mapping.released = writeback_release_held(store=mapping.store)
    return mapping


def carrier_mapping_delete(
    *, mapping: CarrierMapping, actor=None, via: str = AuditEntry.Via.CONSOLE
) -> None:
    # A fulfillment already written keeps its Ship Via; later ones of this carrier are held.
    with transaction.atomic():
        before = _values(mapping)
        store = mapping.store
        audit_record(
            actor=actor,
            action="carrier_mapping.delete",
            summary=f"Carrier mapping {mapping} deleted for {store.name}.",
            store=store,
            target=mapping,
            target_type="carriermapping",
            before=before,
            via=via,
        )
        mapping.delete()


def carrier_mapping_check(
    *, store: StoreConnection, ship_via: str, default_box_id: str = ""
) -> list[str]:
    """Warnings when the store's Acumatica has no such Ship Via code or box, or cannot be
    asked. Never a refusal: the code may be created in Acumatica later, and a mapping is
    needed now to release held fulfillments."""
    wanted = [("ShipVia", ship_via, "Ship Via code", "Ship Via Codes (CS207500)")]
    if default_box_id:
        wanted.append(("ShippingBox", default_box_id, "Box ID", "Boxes (CS207600)"))
    warnings: list[str] = []
    try:
        with acumatica_client_for(store, purpose="ship via list") as client:
            for entity, value, label, screen in wanted:
                try:
                    client.get(entity, value, select=["id"])
                except NotFound:
                    warnings.append(
                        f"{store.name}'s Acumatica has no {label} {value}: the write-back will "
                        f"fail until it exists. Check {screen}."
                    )
    except AcumaticaError as exc:
        warnings.append(f"Could not check {ship_via} in {store.name}'s Acumatica: {exc}")
    except Exception as exc:  # an unreachable or refused instance must not lose the mapping
        logger.warning("store %s: carrier mapping check failed: %r", store.pk, exc)
        warnings.append(f"Could not check {ship_via} in {store.name}'s Acumatica: {exc}")
    return warnings

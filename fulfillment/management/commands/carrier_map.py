"""``python manage.py carrier_map STORE --carrier UPS [--service Ground] --ship-via UPSGROUND
[--default-box SMALL]``: map a warehouse carrier (and service) to the store's Acumatica Ship
Via code, and let the fulfillments held for want of it continue. ``--delete`` removes the
mapping of that carrier and service; with neither ``--ship-via`` nor ``--delete`` it lists the
store's mappings. STORE is the store's id or name."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fulfillment.management.commands.sync_store import find_store
from fulfillment.models import CarrierMapping
from fulfillment.writeback.carrier_lookup import carrier_mapping_resolve
from fulfillment.writeback.carriers import (
    carrier_mapping_add,
    carrier_mapping_check,
    carrier_mapping_delete,
)


class Command(BaseCommand):
    help = (
        "Map a carrier (and service; none = every service of it) to an Acumatica Ship Via code "
        "for a store, optionally with a default box; --delete removes a mapping; with no "
        "--ship-via, lists the store's mappings. The Ship Via and box are looked up in the "
        "store's Acumatica (a miss is a warning; --no-check skips it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("store", help="store id or name")
        parser.add_argument("--carrier", help="the carrier as the warehouse sends it, e.g. UPS")
        parser.add_argument("--service", default="", help="e.g. Ground; blank = any service")
        parser.add_argument("--ship-via", help="the Acumatica Ship Via code, e.g. UPSGROUND")
        parser.add_argument("--default-box", default="", help="Acumatica Box ID, e.g. SMALL")
        parser.add_argument("--delete", action="store_true", help="remove the mapping")
        parser.add_argument(
            "--no-check", action="store_true", help="do not look the codes up in Acumatica"
        )

    def handle(self, *args, **options):
        store = find_store(options["store"].strip())
        if options["delete"]:
            self._delete(store, options)
        elif options["ship_via"]:
            self._add(store, options)
        elif options["carrier"]:
            raise CommandError("Give --ship-via to map the carrier (or --delete to unmap it).")
        for mapping in CarrierMapping.objects.filter(store=store):
            box = f" (default box {mapping.default_box_id})" if mapping.default_box_id else ""
            self.stdout.write(f"{mapping}{box}")

    def _add(self, store, options) -> None:
        if not options["carrier"]:
            raise CommandError("Give --carrier.")
        try:
            mapping = carrier_mapping_add(
                store=store,
                carrier=options["carrier"],
                service=options["service"],
                ship_via=options["ship_via"],
                default_box_id=options["default_box"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Store {store.pk} ({store}): mapped {mapping}."))
        if not options["no_check"]:
            for warning in carrier_mapping_check(
                store=store, ship_via=mapping.ship_via, default_box_id=mapping.default_box_id
            ):
                self.stderr.write(self.style.WARNING(f"Warning: {warning}"))

    def _delete(self, store, options) -> None:
        if not options["carrier"]:
            raise CommandError("Give --carrier (and --service) of the mapping to delete.")
        mapping = carrier_mapping_resolve(
            store=store, carrier=options["carrier"], service=options["service"]
        )
        if mapping is None or mapping.service != " ".join(options["service"].split()).upper():
            raise CommandError(
                f"Store {store.pk} has no mapping for {options['carrier']} "
                f"{options['service'] or '(any service)'}."
            )
        carrier_mapping_delete(mapping=mapping)
        self.stdout.write(f"Deleted {mapping}.")

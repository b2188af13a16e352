"""``python manage.py remove_abandoned_drafts``: delete the drafts a wizard left unfinished and
nobody touched for CONNECTOR_DRAFT_ABANDONED_DAYS, as the daily periodic task does (each one
audited). Drafts that were ever active, or have a credentials link, stay."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from stores.drafts import drafts_abandoned_remove


class Command(BaseCommand):
    help = (
        "Delete drafts never activated, without a credentials link, and untouched for "
        "CONNECTOR_DRAFT_ABANDONED_DAYS days (0: none); print how many."
    )

    def handle(self, *args, **options):
        removed = drafts_abandoned_remove()
        self.stdout.write(f"Removed {removed} abandoned draft{'s' if removed != 1 else ''}.")

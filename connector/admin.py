"""Admin for support: the components' heartbeats, read-only (only the components write them),
and the read-only behaviour other system-written records share."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django.utils.timesince import timesince

from .models import Heartbeat


class ReadOnlyAdminMixin:
    """For records only the system writes (heartbeats, alerts): support may look, not edit."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["component", "beat_at", "age", "fresh", "detail"]
    readonly_fields = ["component", "beat_at", "age", "fresh", "detail"]
    ordering = ["component"]

    @admin.display(description="age")
    def age(self, heartbeat: Heartbeat) -> str:
        return f"{timesince(heartbeat.beat_at, timezone.now())} ago"

    @admin.display(description="fresh", boolean=True)
    def fresh(self, heartbeat: Heartbeat) -> bool:
        age = (timezone.now() - heartbeat.beat_at).total_seconds()
        return age <= settings.CONNECTOR_HEARTBEAT_MAX_AGE_SECONDS

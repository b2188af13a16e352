"""Admin for support: alerts, read-only. Alerts are derived from the state of stores, imports and
write-backs (``console.alerts`` opens and closes them), so editing one would only be undone or,
worse, hide a real problem; fix the cause instead."""

from __future__ import annotations

from django.contrib import admin

from stores.admin.readonly import ReadOnlyAdminMixin

from .models import Alert


class AlertOpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("closed", "Closed")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        return queryset


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "store",
        "cause",
        "severity",
        "occurrences",
        "opened_at",
        "last_seen_at",
        "closed_at",
    ]
    list_filter = ["cause", "severity", AlertOpenFilter, "store"]
    list_select_related = ["store", "store__merchant"]
    search_fields = ["title", "detail", "store__name", "store__merchant__name"]
    date_hierarchy = "opened_at"
    fields = [
        "title",
        "store",
        "cause",
        "severity",
        "detail",
        "action_hint",
        "action_url",
        "occurrences",
        "opened_at",
        "last_seen_at",
        "closed_at",
        "close_reason",
        "notified_at",
        "closed_notified_at",
    ]
    readonly_fields = fields

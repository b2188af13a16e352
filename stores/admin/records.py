"""The audit log and the ledger of Acumatica calls: written by ``stores.audit`` and
``stores.calls`` alone, read-only here."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from ..models import AcumaticaCall, AuditEntry
from .readonly import ReadOnlyAdminMixin


def _pretty_json(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor_label", "via", "action", "store_label", "target", "summary"]
    list_filter = ["via", "action", "store"]
    search_fields = ["summary", "target_label", "actor_label"]
    date_hierarchy = "at"
    fields = [
        "at",
        "actor_label",
        "actor",
        "via",
        "action",
        "merchant",
        "store",
        "store_label",
        "target",
        "summary",
        "reason",
        "before_pretty",
        "after_pretty",
    ]
    readonly_fields = fields

    @admin.display(description="target")
    def target(self, entry: AuditEntry) -> str:
        if not entry.target_type:
            return "—"
        ident = f" #{entry.target_id}" if entry.target_id else ""
        return f"{entry.target_type}{ident}: {entry.target_label}"

    @admin.display(description="before")
    def before_pretty(self, entry: AuditEntry) -> str:
        return _pretty_json(entry.before)

    @admin.display(description="after")
    def after_pretty(self, entry: AuditEntry) -> str:
        return _pretty_json(entry.after)


@admin.register(AcumaticaCall)
class AcumaticaCallAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "store", "purpose", "method", "path", "status", "duration_ms", "error"]
    list_select_related = ["store__merchant"]
    list_filter = ["status", "purpose", "store", "method"]
    search_fields = ["path", "error"]
    date_hierarchy = "at"
    # The columns, then the start of Acumatica's answer.
    fields = readonly_fields = [*list_display, "response_excerpt_pretty"]

    @admin.display(description="response excerpt")
    def response_excerpt_pretty(self, call: AcumaticaCall) -> str:
        if not call.response_excerpt:
            return "—"
        try:
            return _pretty_json(json.loads(call.response_excerpt))
        except ValueError:
            # An excerpt is cut at a length, so it is often not whole JSON: shown as sent.
            return format_html("<pre>{}</pre>", call.response_excerpt)

    def has_delete_permission(self, request, obj=None):
        # Pruned hourly by the retention task; by hand only by a superuser.
        return request.user.is_active and request.user.is_superuser

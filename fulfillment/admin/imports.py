"""Import runs, the per-store import state and cursors: read-only; "run import again" queues an
import through the same service as the console."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from stores.admin.readonly import ReadOnlyAdminMixin, model_field_names
from stores.models import AuditEntry

from ..importing import import_request
from ..models import ImportCursor, ImportRun, ImportState
from .display import error_text, pretty_json

VIA = AuditEntry.Via.ADMIN
# What a run counted, as columns.
RUN_COUNTERS = ("created", "updated", "unchanged", "skipped", "failed", "acumatica_requests")


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "store", "trigger", "scan", "status", "started_at", *RUN_COUNTERS)
    list_filter = ("status", "trigger", "store")
    readonly_fields = [
        *model_field_names(ImportRun, exclude=("skipped_reasons", "failures")),
        "skipped_reasons_pretty",
        "failures_pretty",
    ]
    actions = ["run_again"]

    @admin.display(description="skipped reasons")
    def skipped_reasons_pretty(self, run: ImportRun) -> str:
        return pretty_json(run.skipped_reasons)

    @admin.display(description="failures")
    def failures_pretty(self, run: ImportRun) -> str:
        return pretty_json(run.failures)

    @admin.action(description="Run import again now (for the runs' stores)")
    def run_again(self, request, queryset):
        stores = {run.store_id: run.store for run in queryset.select_related("store")}
        for store in stores.values():
            try:
                import_request(store=store, actor=request.user, via=VIA)
            except ValidationError as exc:
                self.message_user(request, f"{store}: {error_text(exc)}", messages.ERROR)
            else:
                self.message_user(request, f"{store}: import queued.", messages.SUCCESS)


@admin.register(ImportState)
class ImportStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "store",
        "lease_holder",
        "lease_expires_at",
        "last_started_at",
        "last_succeeded_at",
        "consecutive_failures",
        "next_attempt_at",
    )
    readonly_fields = model_field_names(ImportState)


@admin.register(ImportCursor)
class ImportCursorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("store", "source_kind", "cursor", "scan", "scan_offset", "updated_at")
    readonly_fields = model_field_names(ImportCursor)

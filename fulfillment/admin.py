"""Read-mostly admin for support: find any order, import run or cursor. Changes to orders go
through services (audited actions come with the operator console)."""

from django.contrib import admin

from .models import ImportCursor, ImportRun, ImportState, Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in OrderLine._meta.fields]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "store",
        "status",
        "erp_status",
        "changed_at_source",
        "erp_last_modified",
        "updated_at",
    )
    list_filter = ("status", "source_kind", "changed_at_source", "store")
    search_fields = ("erp_order_nbr", "erp_shipment_nbr", "customer_id", "customer_reference")
    readonly_fields = [f.name for f in Order._meta.fields]
    inlines = [OrderLineInline]

    def has_add_permission(self, request):
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "store",
        "trigger",
        "scan",
        "status",
        "started_at",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "failed",
        "acumatica_requests",
    )
    list_filter = ("status", "trigger", "store")
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ImportState)
class ImportStateAdmin(admin.ModelAdmin):
    list_display = (
        "store",
        "lease_holder",
        "lease_expires_at",
        "last_started_at",
        "consecutive_failures",
        "next_attempt_at",
    )


@admin.register(ImportCursor)
class ImportCursorAdmin(admin.ModelAdmin):
    list_display = ("store", "source_kind", "cursor", "scan", "scan_offset", "updated_at")

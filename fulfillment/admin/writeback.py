"""Fulfillments, their write-back attempts and the outbox: read-only; "retry write-back" goes
through the same service as the console."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join

from stores.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline, model_field_names
from stores.models import AuditEntry

from ..models import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentPackage,
    WriteBackAttempt,
    WriteBackOutbox,
)
from ..writeback.services import writeback_retry
from .display import error_text, pretty_json

VIA = AuditEntry.Via.ADMIN


class FulfillmentLineInline(ReadOnlyInline):
    model = FulfillmentLine
    fields = readonly_fields = ("order_line", "quantity")


class FulfillmentPackageInline(ReadOnlyInline):
    model = FulfillmentPackage
    fields = readonly_fields = (
        "position",
        "box_id",
        "weight",
        "weight_unit",
        "length",
        "width",
        "height",
        "dimension_unit",
        "tracking_number",
        "contents",
    )

    @admin.display(description="contents")
    def contents(self, package: FulfillmentPackage) -> str:
        return format_html_join(
            "",
            "<div>{} x line {}</div>",
            (
                (c.quantity.normalize(), c.order_line.line_nbr)
                for c in package.contents.select_related("order_line")
            ),
        )


class WriteBackAttemptInline(ReadOnlyInline):
    model = WriteBackAttempt
    fields = readonly_fields = (
        "number",
        "started_at",
        "finished_at",
        "outcome",
        "error",
        "error_fields_pretty",
        "calls_pretty",
    )

    @admin.display(description="field errors")
    def error_fields_pretty(self, attempt: WriteBackAttempt) -> str:
        return pretty_json(attempt.error_fields) if attempt.error_fields else "—"

    @admin.display(description="calls")
    def calls_pretty(self, attempt: WriteBackAttempt) -> str:
        return pretty_json(attempt.calls)


@admin.register(Fulfillment)
class FulfillmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "order",
        "store",
        "status",
        "erp_shipment_nbr",
        "attempts",
        "created_at",
    )
    list_filter = ("status", "source", "progress", "store")
    search_fields = (
        "reference",
        "packages__tracking_number",
        "order__erp_order_nbr",
        "erp_shipment_nbr",
    )
    list_select_related = ("order", "store")
    readonly_fields = [
        *model_field_names(Fulfillment, exclude=("raw_request", "last_error_fields")),
        "last_error_fields_pretty",
        "raw_request_pretty",
    ]
    inlines = [FulfillmentLineInline, FulfillmentPackageInline, WriteBackAttemptInline]
    actions = ["retry_writeback"]

    @admin.display(description="raw request (as the warehouse sent it)")
    def raw_request_pretty(self, fulfillment: Fulfillment) -> str:
        return pretty_json(fulfillment.raw_request)

    @admin.display(description="last error fields")
    def last_error_fields_pretty(self, fulfillment: Fulfillment) -> str:
        return pretty_json(fulfillment.last_error_fields)

    @admin.action(description="Retry write-back")
    def retry_writeback(self, request, queryset):
        for fulfillment in queryset:
            try:
                writeback_retry(fulfillment=fulfillment, actor=request.user, via=VIA)
            except ValidationError as exc:
                self.message_user(request, error_text(exc), messages.ERROR)
            else:
                self.message_user(
                    request, f"{fulfillment.reference}: write-back queued.", messages.SUCCESS
                )


@admin.register(WriteBackAttempt)
class WriteBackAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("fulfillment", "number", "outcome", "started_at", "finished_at", "error")
    list_filter = ("outcome",)
    search_fields = ("fulfillment__reference", "error")
    list_select_related = ("fulfillment",)
    readonly_fields = [
        *model_field_names(WriteBackAttempt, exclude=("calls", "error_fields")),
        "error_fields_pretty",
        "calls_pretty",
    ]

    @admin.display(description="field errors")
    def error_fields_pretty(self, attempt: WriteBackAttempt) -> str:
        return pretty_json(attempt.error_fields)

    @admin.display(description="calls")
    def calls_pretty(self, attempt: WriteBackAttempt) -> str:
        return pretty_json(attempt.calls)


@admin.register(WriteBackOutbox)
class WriteBackOutboxAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("fulfillment", "due_at", "lease_until", "lease_holder", "created_at")
    search_fields = ("fulfillment__reference",)
    readonly_fields = model_field_names(WriteBackOutbox)

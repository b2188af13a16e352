"""Admin for support: find any order, fulfillment, run, attempt, mapping or token, and act on them.

Everything is read-only where editing would bypass a service; the actions (reprocess, skip,
retry write-back, run import again, revoke token) and carrier mapping changes call the same
services as the console, with ``via="admin"``, so they are audited the same way. Secrets are
never shown: an API token's key is not stored and its hash is not displayed."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from stores.models import AuditEntry

from .api.tokens import api_token_revoke
from .importing import import_request
from .models import (
    ApiToken,
    CarrierMapping,
    Fulfillment,
    FulfillmentLine,
    FulfillmentPackage,
    ImportCursor,
    ImportRun,
    ImportState,
    Order,
    OrderEvent,
    OrderLine,
    WriteBackAttempt,
    WriteBackOutbox,
)
from .order_actions import order_reprocess, order_skip
from .writeback.carriers import carrier_mapping_add, carrier_mapping_delete, carrier_mapping_update
from .writeback.services import writeback_retry

VIA = AuditEntry.Via.ADMIN


def pretty_json(value) -> str:
    """A JSON value as an escaped, indented <pre> block."""
    text = json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False)
    return format_html('<pre style="white-space: pre-wrap; max-width: 60rem">{}</pre>', text)


def _fields(model, *, exclude=()) -> list[str]:
    return [f.name for f in model._meta.fields if f.name not in exclude]


def _errors(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only services write: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- Orders ------------------------------------------------------------------------------------


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = _fields(OrderLine, exclude=("id", "order"))


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = readonly_fields = ("at", "kind", "summary", "actor", "is_error", "fulfillment")
    ordering = ("at", "id")


class SkipReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=500)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
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
    search_fields = (
        "erp_order_nbr",
        "erp_shipment_nbr",
        "customer_id",
        "customer_reference",
        "fulfillments__reference",
    )
    readonly_fields = [*_fields(Order, exclude=("raw_payload",)), "raw_payload_pretty"]
    inlines = [OrderLineInline, OrderEventInline]
    actions = ["reprocess", "skip"]

    @admin.display(description="raw payload (as Acumatica sent it)")
    def raw_payload_pretty(self, order: Order) -> str:
        return pretty_json(order.raw_payload)

    @admin.action(description="Reprocess: re-read from Acumatica, retry stopped write-backs")
    def reprocess(self, request, queryset):
        for order in queryset.select_related("store"):
            try:
                result = order_reprocess(order=order, actor=request.user, via=VIA)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{order}: {_errors(exc)}", messages.ERROR)
                continue
            level = messages.SUCCESS if result.ok else messages.WARNING
            self.message_user(request, f"{order}: {result.message}", level)

    @admin.action(description="Skip: take out of the warehouse queue (asks for a reason)")
    def skip(self, request, queryset):
        form = SkipReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for order in queryset:
                try:
                    order_skip(
                        order=order, reason=form.cleaned_data["reason"], actor=request.user, via=VIA
                    )
                except (ValidationError, PermissionDenied) as exc:
                    self.message_user(request, f"{order}: {_errors(exc)}", messages.ERROR)
                else:
                    self.message_user(request, f"{order}: skipped.", messages.SUCCESS)
            return None
        # The intermediate page; its form posts the same action back with the reason.
        return TemplateResponse(
            request,
            "fulfillment/admin_skip_orders.html",
            {
                **self.admin_site.each_context(request),
                "title": "Skip orders",
                "orders": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "order", "kind", "summary", "actor", "is_error")
    list_filter = ("kind", "is_error")
    search_fields = ("order__erp_order_nbr", "order__erp_shipment_nbr", "summary")
    list_select_related = ("order", "actor")
    readonly_fields = [*_fields(OrderEvent, exclude=("detail",)), "detail_pretty"]

    @admin.display(description="detail")
    def detail_pretty(self, event: OrderEvent) -> str:
        return pretty_json(event.detail)


# --- Imports -----------------------------------------------------------------------------------


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
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
    readonly_fields = [
        *_fields(ImportRun, exclude=("skipped_reasons", "failures")),
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
                self.message_user(request, f"{store}: {_errors(exc)}", messages.ERROR)
            else:
                self.message_user(request, f"{store}: import queued.", messages.SUCCESS)


@admin.register(ImportState)
class ImportStateAdmin(ReadOnlyAdmin):
    list_display = (
        "store",
        "lease_holder",
        "lease_expires_at",
        "last_started_at",
        "last_succeeded_at",
        "consecutive_failures",
        "next_attempt_at",
    )
    readonly_fields = _fields(ImportState)


@admin.register(ImportCursor)
class ImportCursorAdmin(ReadOnlyAdmin):
    list_display = ("store", "source_kind", "cursor", "scan", "scan_offset", "updated_at")
    readonly_fields = _fields(ImportCursor)


# --- Fulfillments and write-back ----------------------------------------------------------------


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
class FulfillmentAdmin(ReadOnlyAdmin):
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
        *_fields(Fulfillment, exclude=("raw_request", "last_error_fields")),
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
                self.message_user(request, _errors(exc), messages.ERROR)
            else:
                self.message_user(
                    request, f"{fulfillment.reference}: write-back queued.", messages.SUCCESS
                )


@admin.register(WriteBackAttempt)
class WriteBackAttemptAdmin(ReadOnlyAdmin):
    list_display = ("fulfillment", "number", "outcome", "started_at", "finished_at", "error")
    list_filter = ("outcome",)
    search_fields = ("fulfillment__reference", "error")
    list_select_related = ("fulfillment",)
    readonly_fields = [
        *_fields(WriteBackAttempt, exclude=("calls", "error_fields")),
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
class WriteBackOutboxAdmin(ReadOnlyAdmin):
    list_display = ("fulfillment", "due_at", "lease_until", "lease_holder", "created_at")
    search_fields = ("fulfillment__reference",)
    readonly_fields = _fields(WriteBackOutbox)


# --- Configuration -----------------------------------------------------------------------------


@admin.register(CarrierMapping)
class CarrierMappingAdmin(admin.ModelAdmin):
    """Changes go through the carriers service: audited, and held write-backs are released."""

    list_display = ("store", "carrier", "service", "ship_via", "default_box_id", "updated_at")
    list_filter = ("store",)
    search_fields = ("carrier", "service", "ship_via")
    fields = ("store", "carrier", "service", "ship_via", "default_box_id")

    def get_readonly_fields(self, request, obj=None):
        # A mapping belongs to its store; moving it would be a delete and an add.
        return ("store",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        values = {
            "carrier": obj.carrier,
            "service": obj.service,
            "ship_via": obj.ship_via,
            "default_box_id": obj.default_box_id,
        }
        if change:
            saved = carrier_mapping_update(
                mapping=CarrierMapping.objects.get(pk=obj.pk), actor=request.user, via=VIA, **values
            )
        else:
            saved = carrier_mapping_add(store=obj.store, actor=request.user, via=VIA, **values)
        obj.pk = saved.pk
        obj.carrier, obj.service = saved.carrier, saved.service
        obj.ship_via, obj.default_box_id = saved.ship_via, saved.default_box_id

    def delete_model(self, request, obj):
        carrier_mapping_delete(mapping=obj, actor=request.user, via=VIA)

    def delete_queryset(self, request, queryset):
        for mapping in queryset.select_related("store"):
            carrier_mapping_delete(mapping=mapping, actor=request.user, via=VIA)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are created with ``manage.py create_api_token`` (the key is shown once there);
    here they are listed and revoked. The key hash is never shown."""

    list_display = ("name", "prefix", "merchant_names", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix")
    fields = readonly_fields = (
        "name",
        "prefix",
        "merchant_names",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    @admin.display(description="merchants")
    def merchant_names(self, token: ApiToken) -> str:
        return ", ".join(m.name for m in token.merchants.all()) or "every merchant"

    @admin.action(description="Revoke (requests with it get 401 from then on)")
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(name=token.name, actor=request.user, via=VIA)
            self.message_user(request, f"{token.name}: revoked.", messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        messages.info(
            request,
            "New tokens are made on the command line: "
            "python manage.py create_api_token --name NAME [--merchant NAME]. "
            "The key is shown once there; only its hash is kept.",
        )
        return super().changelist_view(request, extra_context)

"""Orders in the admin: read-only with their lines and timeline; reprocess and skip go through
the same services as the console."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse

from stores.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline, model_field_names
from stores.models import AuditEntry

from ..models import Order, OrderEvent, OrderLine
from ..order_actions import order_reprocess, order_skip
from .display import error_text, pretty_json

VIA = AuditEntry.Via.ADMIN


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = model_field_names(OrderLine, exclude=("id", "order"))


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = readonly_fields = ("at", "kind", "summary", "actor", "is_error", "fulfillment")
    ordering = ("at", "id")


class SkipReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=500)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
    readonly_fields = [*model_field_names(Order, exclude=("raw_payload",)), "raw_payload_pretty"]
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
                self.message_user(request, f"{order}: {error_text(exc)}", messages.ERROR)
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
                    self.message_user(request, f"{order}: {error_text(exc)}", messages.ERROR)
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
class OrderEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "order", "kind", "summary", "actor", "is_error")
    list_filter = ("kind", "is_error")
    search_fields = ("order__erp_order_nbr", "order__erp_shipment_nbr", "summary")
    list_select_related = ("order", "actor")
    readonly_fields = [*model_field_names(OrderEvent, exclude=("detail",)), "detail_pretty"]

    @admin.display(description="detail")
    def detail_pretty(self, event: OrderEvent) -> str:
        return pretty_json(event.detail)

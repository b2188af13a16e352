"""What the 3PL configures: carrier mappings (changed through the carriers service: audited,
and held write-backs are released) and warehouse API tokens (listed and revoked; made on the
API tokens page or the command line)."""

from __future__ import annotations

from django.contrib import admin, messages

from stores.admin.readonly import ReadOnlyAdminMixin
from stores.models import AuditEntry

from ..api.tokens import api_token_revoke
from ..models import ApiToken, CarrierMapping
from ..writeback.carriers import carrier_mapping_add, carrier_mapping_delete, carrier_mapping_update

VIA = AuditEntry.Via.ADMIN


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
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Tokens are created on the API tokens page or with ``manage.py create_api_token`` (the key
    is shown once there); here they are listed and revoked. The key hash is never shown."""

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
        if token.all_merchants:
            return "every merchant"
        return ", ".join(m.name for m in token.merchants.all()) or "no merchant (sees nothing)"

    @admin.action(description="Revoke (requests with it get 401 from then on)")
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(name=token.name, actor=request.user, via=VIA)
            self.message_user(request, f"{token.name}: revoked.", messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        messages.info(
            request,
            "New tokens are made on the API tokens page (/api-tokens/) or on the command line: "
            "python manage.py create_api_token --name NAME (--merchant NAME | --all-merchants). "
            "The key is shown once there; only its hash is kept.",
        )
        return super().changelist_view(request, extra_context)

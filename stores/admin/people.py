"""Merchants and the people who use the connector: each user's connector role is edited on the
user's own admin page."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count

from ..models import Merchant, UserProfile


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "user_count", "store_count", "created_at"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                user_count=Count("users", distinct=True),
                store_count=Count("stores", distinct=True),
            )
        )

    @admin.display(description="users", ordering="user_count")
    def user_count(self, merchant: Merchant) -> int:
        return merchant.user_count

    @admin.display(description="stores", ordering="store_count")
    def store_count(self, merchant: Merchant) -> int:
        return merchant.store_count


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    fields = ["role", "merchant"]
    autocomplete_fields = ["merchant"]
    max_num = 1
    verbose_name = "connector role"
    verbose_name_plural = "connector role"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [UserProfileInline]
    list_display = [*DjangoUserAdmin.list_display, "connector_role"]
    list_select_related = ["connector_profile__merchant"]

    @admin.display(description="connector role")
    def connector_role(self, user) -> str:
        profile = getattr(user, "connector_profile", None)
        if profile is None:
            return "—"
        merchant = f" of {profile.merchant}" if profile.merchant else ""
        return f"{profile.get_role_display()}{merchant}"

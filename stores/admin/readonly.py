"""The read-only admin every app shares, for rows that only the services (or the components)
write: audit entries, Acumatica calls, orders, runs, alerts, heartbeats. Support may look, never
add, change or delete; fixing state goes through the services' admin actions instead.

It lives in the lowest layer that has an admin, so fulfillment and console admins can use it."""

from __future__ import annotations

from django.contrib import admin


class ReadOnlyAdminMixin:
    """Before ``admin.ModelAdmin`` (or an inline) in the bases: viewable, never edited here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Rows shown under their parent as they are: no empty forms, no delete box, no link."""

    extra = 0
    can_delete = False
    show_change_link = False


def model_field_names(model, *, exclude=()) -> list[str]:
    """The model's own fields in declaration order, for a read-only page that shows them all."""
    return [f.name for f in model._meta.fields if f.name not in exclude]

"""Store connections in the admin: support finds any store, edits it and runs the actions
(connection test, pause, resume), all through the services with ``via="admin"``. The connection
test is queued in the background as from the store's page (``stores.connection_test_runs``):
the action answers at once, the result lands on the store and in the audit when the job ends.

Secrets are write-only here as everywhere: the form has "New client secret" / "New password"
fields that are never filled in, saved through ``store_secrets_set``, and the page says only
whether each secret is stored. StoreSecrets has no admin page at all."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .. import access
from ..connection_test_runs import connection_test_run_latest, store_connection_test_start
from ..credentials import store_has_secrets
from ..forms import LICENCE_FIELDS, SETTINGS_FIELDS, SettingsForm
from ..models import AuditEntry, StoreConnection
from ..services import (
    EDITABLE_FIELDS,
    store_create,
    store_delete,
    store_pause,
    store_resume,
    store_update,
)
from ..validation import STORE_FIELD_VALIDATORS, store_field_errors

# The tests go to the interactive queue, where people wait on their own pages' tests: a batch
# from the admin stays small enough not to hold them up.
MAX_TESTS_PER_ACTION = 10
SECRET_LABELS = {
    "client_secret": "Client secret",
    "password": "Password",
    "refresh_token": "OAuth refresh token",
}
# Shown, never edited: the status is changed by the actions and the connection test.
STATE_FIELDS = [
    "status",
    "status_reason",
    "status_since",
    "forced_activation_reason",
    "last_test_passed",
    "last_test_at",
    "last_test_checks",
    "latest_test_run",
    "created_at",
    "updated_at",
]


def _write_only_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only: never shown. Leave blank to keep the stored one.",
    )


class StoreConnectionAdminForm(forms.ModelForm):
    # Declared for assume_scheme: a bare host gets https (Django 6's default, chosen now).
    instance_url = forms.URLField(
        label="Instance URL",
        max_length=500,
        assume_scheme="https",
        help_text=StoreConnection._meta.get_field("instance_url").help_text,
    )
    # A checkbox, as on the console's settings step (the model field's choices would make it
    # a select).
    shipment_mode = forms.BooleanField(
        label="Shipment mode",
        required=False,
        help_text=StoreConnection._meta.get_field("shipment_mode").help_text,
    )
    new_client_secret = _write_only_field("New client secret")
    new_password = _write_only_field("New password")
    # The console's fields: positive or blank (the model's column would also take 0).
    licence_api_users = SettingsForm.base_fields["licence_api_users"]
    licence_api_users_reserved = SettingsForm.base_fields["licence_api_users_reserved"]
    licence_concurrent_requests = SettingsForm.base_fields["licence_concurrent_requests"]
    licence_requests_per_minute = SettingsForm.base_fields["licence_requests_per_minute"]

    class Meta:
        model = StoreConnection
        fields = ["merchant", *EDITABLE_FIELDS]

    def clean_licence_api_users_reserved(self):
        return self.cleaned_data["licence_api_users_reserved"] or 0

    def clean(self):
        cleaned = super().clean()
        # The Client ID / Tenant agreement is left to the model's clean(), which reports it.
        values = {name: cleaned[name] for name in STORE_FIELD_VALIDATORS if name in cleaned}
        for field, field_messages in store_field_errors(values).items():
            for message in field_messages:
                self.add_error(field, message)
        if self.instance._state.adding:
            for field in ("new_client_secret", "new_password"):
                if not cleaned.get(field):
                    self.add_error(field, "A new store needs it.")
        return cleaned


@admin.register(StoreConnection)
class StoreConnectionAdmin(admin.ModelAdmin):
    form = StoreConnectionAdminForm
    list_display = [
        "name",
        "merchant",
        "status",
        "status_since",
        "mode",
        "endpoint_version",
        "last_test_passed",
        "last_test_at",
    ]
    list_select_related = ["merchant"]
    list_filter = ["status", "shipment_mode", "endpoint_version", "merchant"]
    search_fields = ["name", "merchant__name", "instance_url", "client_id", "username"]
    autocomplete_fields = ["merchant"]
    actions = ["run_connection_test", "pause", "resume"]
    readonly_fields = ["stored_secrets", *STATE_FIELDS]
    fieldsets = [
        (None, {"fields": ["merchant", "name"]}),
        (
            "Acumatica credentials",
            {
                "fields": [
                    "instance_url",
                    "client_id",
                    "tenant",
                    "username",
                    "stored_secrets",
                    "new_client_secret",
                    "new_password",
                ]
            },
        ),
        (
            "Endpoint and orders",
            {"fields": [*SETTINGS_FIELDS, "import_interval_minutes"]},
        ),
        ("Licence limits (License Monitoring Console, SM604000)", {"fields": [*LICENCE_FIELDS]}),
        ("Status (changed by the actions and the connection test)", {"fields": STATE_FIELDS}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # A store's orders belong to its merchant: moving it is not an edit.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "merchant"] if obj is not None else fields

    @admin.display(description="mode")
    def mode(self, store: StoreConnection) -> str:
        return store.get_shipment_mode_display()

    @admin.display(description="stored secrets")
    def stored_secrets(self, store: StoreConnection) -> str:
        stored = store_has_secrets(store) if store.pk else {}
        return "; ".join(
            f"{label}: {'stored' if stored.get(name) else 'not set'}"
            for name, label in SECRET_LABELS.items()
        )

    @admin.display(description="last test checks")
    def last_test_checks(self, store: StoreConnection) -> str:
        if not store.last_test_result:
            return "Not tested with the current settings."
        rows = (
            (
                str(check.get("status", "")).upper(),
                check.get("title", ""),
                check.get("message", ""),
                f" Fix: {check['fix']}" if check.get("fix") else "",
            )
            for check in store.last_test_result
        )
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li><strong>{}</strong> {}: {}{}</li>", rows),
        )

    def save_model(self, request, obj, form, change):
        # Through the services, so that a change to the connection invalidates the last test
        # and secrets are encrypted by store_secrets_set; obj then takes the saved state.
        data = form.cleaned_data
        secrets = {
            "client_secret": data.get("new_client_secret") or None,
            "password": data.get("new_password") or None,
        }
        fields = {name: data[name] for name in EDITABLE_FIELDS if name in data}
        who = {"actor": request.user, "via": AuditEntry.Via.ADMIN}
        if change:
            stored = StoreConnection.objects.get(pk=obj.pk)
            saved = store_update(store=stored, **who, **secrets, **fields)
        else:
            saved = store_create(merchant=data["merchant"], **who, **secrets, **fields)
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and access.can_delete_store(request.user)

    def delete_model(self, request, obj):
        store_delete(store=obj, actor=request.user, via=AuditEntry.Via.ADMIN)

    def delete_queryset(self, request, queryset):
        for store in queryset:
            store_delete(store=store, actor=request.user, via=AuditEntry.Via.ADMIN)

    @admin.display(description="latest test run")
    def latest_test_run(self, store: StoreConnection) -> str:
        run = connection_test_run_latest(store=store) if store.pk else None
        if run is None:
            return "None started from a page or the admin."
        return f"{run.get_status_display()} (queued {run.created_at:%Y-%m-%d %H:%M:%S})"

    @admin.action(description="Run connection test", permissions=["change"])
    def run_connection_test(self, request, queryset):
        stores = list(queryset.select_related("merchant")[: MAX_TESTS_PER_ACTION + 1])
        if len(stores) > MAX_TESTS_PER_ACTION:
            self.message_user(
                request,
                f"Select at most {MAX_TESTS_PER_ACTION} stores: the tests share a queue with "
                "people waiting on their own pages' tests.",
                messages.ERROR,
            )
            return
        for store in stores:
            in_flight = connection_test_run_latest(store=store)
            run = store_connection_test_start(
                store=store, actor=request.user, via=AuditEntry.Via.ADMIN
            )
            if in_flight is not None and not in_flight.finished and run.pk == in_flight.pk:
                # One test at a time per store: the running one answers for this request too.
                said = f"a connection test is already {run.get_status_display().lower()}"
                level = messages.INFO
            else:
                said = "connection test queued"
                level = messages.SUCCESS
                self.log_change(request, store, f"Queued the connection test (run {run.pk})")
            self.message_user(
                request,
                format_html(
                    '{}: {}; it runs in the background. Follow it on <a href="{}">the store\'s '
                    'page</a>; its checks show under "Last test checks" on <a href="{}">its '
                    "admin page</a> when it ends.",
                    store,
                    said,
                    reverse("stores:detail", args=[store.pk]),
                    reverse("admin:stores_storeconnection_change", args=[store.pk]),
                ),
                level,
            )

    @admin.action(description="Pause", permissions=["change"])
    def pause(self, request, queryset):
        for store in queryset.select_related("merchant"):
            store_pause(
                store=store,
                reason=f"Paused by {request.user} in the admin.",
                actor=request.user,
                via=AuditEntry.Via.ADMIN,
            )
            self.log_change(request, store, "Paused")
        self.message_user(request, "Paused the selected stores.", messages.SUCCESS)

    @admin.action(description="Resume", permissions=["change"])
    def resume(self, request, queryset):
        for store in queryset.select_related("merchant"):
            try:
                store_resume(store=store, actor=request.user, via=AuditEntry.Via.ADMIN)
            except ValidationError as exc:
                self.message_user(request, f"{store}: {' '.join(exc.messages)}", messages.WARNING)
                continue
            self.log_change(request, store, f"Resumed ({store.get_status_display()})")
            self.message_user(
                request, f"{store}: now {store.get_status_display().lower()}.", messages.SUCCESS
            )

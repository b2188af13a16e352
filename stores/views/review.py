"""What the wizard's last step and the store's page share: running the connection test from a
page, and what the page says about activating the store."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages

from .. import access, services
from ..credentials import store_has_secrets
from ..forms import ActivateForm
from ..models import StoreStatus
from ..secret_age import store_secret_ages


def can_activate(store) -> bool:
    return store.status in (StoreStatus.DRAFT, StoreStatus.NEEDS_ATTENTION)


def run_connection_test(request, store) -> None:
    """Run the test and say in one line how it went; the page shows every check."""
    result = services.store_connection_test(store=store, actor=request.user)
    if result.passed:
        messages.success(request, "Connection test passed.")
    else:
        messages.error(request, "Connection test failed: see what to fix below.")


def review_context(request, store, *, force_form: ActivateForm | None = None) -> dict:
    """The last wizard step: everything entered, the last test, and how it may be activated."""
    return {
        "store": store,
        "secrets": store_has_secrets(store),
        "secret_ages": store_secret_ages(store=store),
        "secret_max_age_days": settings.CONNECTOR_SECRET_MAX_AGE_DAYS,
        "can_activate": can_activate(store) and bool(store.last_test_passed),
        "show_activate": can_activate(store),
        "can_force_activate": can_activate(store) and access.can_force_activate(request.user),
        "force_form": force_form or ActivateForm(initial={"force": True}),
    }

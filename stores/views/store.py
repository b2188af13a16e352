"""Store pages: the list, one store's page, editing it and the actions on it. The Add
Connection wizard is in ``wizard``.

Every view reads stores through ``stores.access`` (a store outside the user's reach is a 404,
never a 403) and changes them through ``stores.services`` alone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import access, handoff, services
from ..credentials import store_has_secrets
from ..forms import ActivateForm, PauseForm, StoreEditForm, add_service_errors, edit_initial
from ..models import StoreStatus
from ..selectors import RECENT_CALLS, store_licence_usage
from .guards import posted, receives_secrets, store_page, stores_page
from .review import review_context, start_connection_test, test_run_context


@stores_page
def store_list(request):
    return render(request, "stores/list.html", {"stores": access.stores_for(request.user)})


@store_page()
def store_detail(request, store):
    return render(
        request,
        "stores/detail.html",
        {
            **review_context(request, store),
            **test_run_context(store),
            "can_delete": access.can_delete_store(request.user),
            "is_staff": access.is_3pl_staff(request.user),
            "can_send_link": access.is_3pl_staff(request.user)
            and store.status == StoreStatus.DRAFT,
            "handoff_provided": handoff.handoff_last_provided(store=store),
            "handoff_open": handoff.handoff_open_of_store(store=store),
            "usage": store_licence_usage(store=store),
            "recent_calls_limit": RECENT_CALLS,
        },
    )


@receives_secrets
@store_page()
def store_edit(request, store):
    stored = store_has_secrets(store)
    form = StoreEditForm(
        posted(request), store=store, stored_secrets=stored, initial=edit_initial(store)
    )
    if request.method == "POST" and form.is_valid():
        was_active = store.status in (StoreStatus.ACTIVE, StoreStatus.NEEDS_ATTENTION)
        try:
            services.store_update(store=store, actor=request.user, **form.store_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if was_active and store.status == StoreStatus.DRAFT:
                messages.warning(
                    request,
                    "Saved. The connection settings changed, so the store is back to draft and "
                    "imports nothing until its connection test passes and it is activated again.",
                )
            else:
                messages.success(request, "Saved.")
            return redirect("stores:detail", store_id=store.pk)
    return render(request, "stores/edit.html", {"store": store, "form": form})


@store_page(post_only=True)
def store_test(request, store):
    """Start the test in the background; the store's page follows it."""
    start_connection_test(request, store)
    return redirect(f"{reverse('stores:detail', args=[store.pk])}#connection-test")


@store_page(post_only=True)
def store_activate(request, store):
    form = ActivateForm(request.POST)
    if not form.is_valid():
        # Only a forced activation without its reason gets here: show the review page again.
        context = review_context(request, store, force_form=form)
        return render(request, "stores/setup_review.html", {**context, "step": "review"})
    try:
        services.store_activate(store=store, actor=request.user, force_reason=form.reason)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("stores:setup_review", store_id=store.pk)
    messages.success(
        request,
        f"{store.name} is active: orders are imported every {store.import_interval_minutes} "
        "minutes.",
    )
    return redirect("stores:detail", store_id=store.pk)


@store_page()
def store_pause(request, store):
    """GET: what pausing does, with an optional reason; POST: pause."""
    form = PauseForm(posted(request))
    if request.method != "POST" or not form.is_valid():
        return render(request, "stores/pause.html", {"store": store, "form": form})
    services.store_pause(store=store, reason=form.cleaned_data["reason"], actor=request.user)
    messages.success(
        request, f"{store.name} is paused: no orders are imported until it is resumed."
    )
    return redirect("stores:detail", store_id=store.pk)


@store_page()
def store_resume(request, store):
    """GET: what resuming will do (active again, or back to draft without a passing test);
    POST: resume."""
    if request.method != "POST":
        resumes_to_draft = not store.last_test_passed and not store.forced_activation_reason
        return render(
            request,
            "stores/resume.html",
            {"store": store, "resumes_to_draft": resumes_to_draft},
        )
    try:
        services.store_resume(store=store, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if store.status == StoreStatus.ACTIVE:
            messages.success(request, f"{store.name} is active again.")
        else:
            messages.warning(
                request, f"{store.name} is back to draft: run the connection test to activate it."
            )
    return redirect("stores:detail", store_id=store.pk)


@store_page()
def store_delete(request, store):
    if not access.can_delete_store(request.user):
        raise PermissionDenied("Only a 3PL admin may delete a store connection.")
    if request.method == "POST":
        name = str(store)
        try:
            services.store_delete(store=store, actor=request.user)
        except (ProtectedError, RestrictedError):
            # Records that must outlive the store (e.g. what was shipped) may protect it.
            messages.error(
                request,
                f"{name} has orders or history that must be kept, so it cannot be deleted. "
                "Pause it instead.",
            )
            return redirect("stores:detail", store_id=store.pk)
        messages.success(request, f"Deleted {name} and its stored credentials.")
        return redirect("stores:list")
    return render(request, "stores/delete.html", {"store": store})

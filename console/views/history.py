"""A store's configuration history (``/stores/<id>/history/``) and the revert of one entry.

Anyone who may see the store reads its history (another merchant's store is a 404). Reverting is
for 3PL staff: for anyone else the revert URL does not exist (404), as order actions do. GET on
the revert URL shows what would be restored and what would not (and why); POST does it."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from stores import access
from stores.views.guards import store_page, stores_page

from ..audit_changes import changed_fields
from ..config_history import (
    RevertRefused,
    can_revert,
    config_entry_for,
    config_entry_revert,
    config_history_of,
    config_revert_plan,
    is_revertable_action,
)

PAGE_SIZE = 50


@store_page()
def store_history(request, store):
    page = Paginator(config_history_of(store), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "changes": changed_fields(entry),
            "revertable": is_revertable_action(entry.action),
        }
        for entry in page.object_list
    ]
    return render(
        request,
        "console/store_history.html",
        {"store": store, "page": page, "rows": rows, "can_revert": can_revert(request.user)},
    )


@stores_page
def history_revert(request, store_id, entry_id):
    # The store first: another merchant's is a 404 whatever the method and the entry.
    store = access.store_for(request.user, store_id)
    entry = config_entry_for(store, entry_id)
    if entry is None or not can_revert(request.user):
        raise Http404("No such entry.")
    if request.method == "POST":
        try:
            result = config_entry_revert(entry=entry, actor=request.user)
        except RevertRefused as exc:
            messages.error(request, str(exc))
            return redirect("history:revert", store_id=store.pk, entry_id=entry.pk)
        messages.success(request, result.message)
        return redirect("history:list", store_id=store.pk)
    return render(
        request,
        "console/history_revert.html",
        {
            "store": store,
            "entry": entry,
            "changes": changed_fields(entry),
            "plan": config_revert_plan(entry=entry, store=store),
        },
    )

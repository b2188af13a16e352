"""The store page's "Endpoint upgrade" page (``/stores/<id>/endpoint/``): 3PL staff check the
upgrade to the newest supported endpoint version installed, switch when the check is clean,
and roll back the last switch in one click. Every action is a POST; switch and roll-back are
audited by the services. Another merchant's store is a 404; a merchant user gets 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render

from stores import access
from stores.endpoint_switch import endpoint_switch_last, rollback_target
from stores.endpoint_versions import endpoint_proposal

from .services import (
    CutoverRefused,
    endpoint_cutover_apply,
    endpoint_cutover_check,
    endpoint_cutover_rollback,
)


@login_required
def endpoint_cutover_page(request, store_id):
    store = access.store_for(request.user, store_id)
    if not access.is_3pl_staff(request.user):
        raise PermissionDenied("Only 3PL operators and admins change a store's endpoint.")
    report = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "check":
            report = endpoint_cutover_check(store=store)
        elif action == "apply":
            try:
                _, entry = endpoint_cutover_apply(store=store, actor=request.user)
            except CutoverRefused as exc:
                messages.error(request, f"Not switched: {exc}")
                report = exc.report
            else:
                messages.success(request, entry.summary)
                return redirect("endpoint_cutover:page", store_id=store.pk)
        elif action == "rollback":
            try:
                entry = endpoint_cutover_rollback(store=store, actor=request.user)
            except CutoverRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, entry.summary)
            return redirect("endpoint_cutover:page", store_id=store.pk)
        else:
            return HttpResponseBadRequest("Unknown action.")
    proposal = endpoint_proposal(store=store) if report is None else None
    target = report.target if report is not None else (proposal.proposed if proposal else None)
    found = rollback_target(store=store)
    return render(
        request,
        "fulfillment/endpoint_cutover.html",
        {
            "store": store,
            "report": report.as_dict() if report is not None else None,
            "proposal": proposal,
            "target": target,
            "newer": target is not None and target != store.endpoint_version,
            "rollback_to": found[1] if found else None,
            "last_switch": endpoint_switch_last(store=store),
        },
    )

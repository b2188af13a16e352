"""The upgrade cut-over check, the switch and the roll-back of a store's endpoint version.

``endpoint_cutover_check`` (reads only): the store's pinned version against the newest
supported one its instance has installed (or a given one) — every field and action the
connector reads or writes, by both versions' swagger as the instance serves it
(``compare``); a dry-run import on both versions, compared record by record (``dryrun``); and
the connection test run on the new version (nothing recorded). ``endpoint_cutover_apply``
switches only when all three are clean; ``endpoint_cutover_rollback`` puts back the version the
last switch replaced (its audit entry holds it). Both are audited.

No order can be missed or doubled by a switch: records are read in the same vocabulary on
every version (the client translates), so the import's cursor (a last-modified watermark), its
stored filter text and every payload hash mean the same before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector.acumatica import AcumaticaError
from connector.acumatica.endpoints import is_supported, version_of
from stores.connection_test import ConnectionTestResult, connection_test_run
from stores.credentials import acumatica_client_for
from stores.endpoint_switch import (
    CUTOVER,
    ROLLBACK,
    rollback_target,
    store_endpoint_switch,
)
from stores.endpoint_versions import endpoint_proposal
from stores.errors import StoreClientUnavailable
from stores.models import AuditEntry, StoreConnection

from .compare import Comparison, compare
from .dryrun import DryRun, dry_run


class CutoverRefused(Exception):
    """The switch (or roll-back) is not made; ``reasons`` say why."""

    def __init__(self, reasons: list[str], report: CutoverReport | None = None) -> None:
        self.reasons = reasons
        self.report = report
        super().__init__(" ".join(reasons))


@dataclass
class CutoverReport:
    store_id: int
    pinned: str
    target: str | None
    installed: tuple[str, ...] = ()
    comparison: Comparison | None = None
    dry_run: DryRun | None = None
    test: ConnectionTestResult | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.target is not None and not self.reasons

    def as_dict(self) -> dict[str, Any]:
        comparison = self.comparison
        return {
            "store": self.store_id,
            "pinned": self.pinned,
            "target": self.target,
            "installed": list(self.installed),
            "ready": self.ready,
            "reasons": self.reasons,
            "differences": [d.as_dict() for d in comparison.differences] if comparison else [],
            "problems": comparison.problems if comparison else [],
            "warnings": comparison.warnings if comparison else [],
            "unused": comparison.unused if comparison else [],
            "fields_checked": comparison.fields_checked if comparison else 0,
            "dry_run": self.dry_run.as_dict() if self.dry_run else None,
            "connection_test": self.test.to_dicts() if self.test else None,
        }


def endpoint_cutover_check(*, store: StoreConnection, version: str | None = None) -> CutoverReport:
    """Compare the store's version with ``version`` (default: the newest supported one
    installed). Writes nothing."""
    report = CutoverReport(store_id=store.pk, pinned=store.endpoint_version, target=None)
    proposal = endpoint_proposal(store=store)
    if proposal is None:
        report.reasons.append("The instance's installed endpoints could not be read.")
        return report
    report.installed = proposal.installed
    target = version or proposal.proposed
    if target is None:
        report.reasons.append(
            "None of the installed endpoint versions is one the connector supports."
        )
        return report
    report.target = target
    if target == store.endpoint_version:
        report.reasons.append(
            f"The store already uses {store.endpoint_name}/{target}"
            + ("" if version else ", the newest supported version installed")
            + "."
        )
        return report
    if not is_supported(target):
        report.reasons.append(f"The connector does not support version {target}.")
    if target not in proposal.installed:
        report.reasons.append(f"{store.endpoint_name}/{target} is not installed on the instance.")
    if report.reasons:
        return report
    try:
        pinned_swagger, target_swagger = _swaggers(store, (store.endpoint_version, target))
    except (AcumaticaError, StoreClientUnavailable) as exc:
        report.reasons.append(f"The endpoints' swagger could not be read: {exc}")
        return report
    report.comparison = compare(
        pinned=version_of(store.endpoint_version),
        pinned_swagger=pinned_swagger,
        target=version_of(target),
        target_swagger=target_swagger,
    )
    report.reasons += report.comparison.problems
    try:
        report.dry_run = dry_run(store=store, version=target)
    except (AcumaticaError, StoreClientUnavailable) as exc:
        report.reasons.append(f"The dry-run import failed: {exc}")
        return report
    report.reasons += _dry_run_reasons(report.dry_run)
    report.test = connection_test_run(store=_with_version(store, target))
    report.reasons += [
        f"Connection test on {target}: {c.title}: {c.message}"
        for c in report.test.checks
        if c.status == "fail"
    ]
    return report


def endpoint_cutover_apply(
    *, store: StoreConnection, actor=None, via: str = AuditEntry.Via.CONSOLE, version=None
) -> tuple[CutoverReport, AuditEntry]:
    """Check, then switch; raises :class:`CutoverRefused` (with the report) when the check is
    not clean."""
    report = endpoint_cutover_check(store=store, version=version)
    if not report.ready or report.test is None or report.dry_run is None:
        raise CutoverRefused(report.reasons or ["The check did not complete."], report)
    dry = report.dry_run
    entry = store_endpoint_switch(
        store=store,
        version=report.target,
        action=CUTOVER,
        summary=(
            f"Switched the endpoint from {store.endpoint_name}/{report.pinned} to "
            f"{store.endpoint_name}/{report.target} after the cut-over check "
            f"({report.comparison.fields_checked} fields and actions compared, "
            f"{len(report.comparison.differences)} handled differences; dry run: "
            f"{dry.identical} records mapped identically)."
        ),
        passed=report.test.passed,
        checks=report.test.to_dicts(),
        actor=actor,
        via=via,
    )
    return report, entry


def endpoint_cutover_rollback(
    *, store: StoreConnection, actor=None, via: str = AuditEntry.Via.CONSOLE
) -> AuditEntry:
    """Put back the version the last cut-over replaced (one click: no check beyond the
    connection test, whose result is recorded)."""
    found = rollback_target(store=store)
    if found is None:
        raise CutoverRefused(
            [
                f"Nothing to roll back: {store.endpoint_name}/{store.endpoint_version} was not "
                "set by a cut-over (or it was rolled back already)."
            ]
        )
    switch, previous = found
    test = connection_test_run(store=_with_version(store, previous))
    return store_endpoint_switch(
        store=store,
        version=previous,
        action=ROLLBACK,
        summary=(
            f"Rolled back the endpoint from {store.endpoint_name}/{store.endpoint_version} to "
            f"{store.endpoint_name}/{previous} (the cut-over of audit entry #{switch.pk})."
        ),
        passed=test.passed,
        checks=test.to_dicts(),
        actor=actor,
        via=via,
    )


def _with_version(store: StoreConnection, version: str) -> StoreConnection:
    """A fresh copy of the store on another version, never saved."""
    copy = StoreConnection.objects.get(pk=store.pk)
    copy.endpoint_version = version
    return copy


def _swaggers(store: StoreConnection, versions: tuple[str, str]) -> tuple[dict, dict]:
    with acumatica_client_for(store, purpose="endpoint cut-over check", urgent=True) as client:
        documents = []
        for version in versions:
            base = f"{client.settings.instance_url}/entity/{store.endpoint_name}"
            document = client.get_link(f"{base}/{version}/swagger.json")
            documents.append(document if isinstance(document, dict) else {})
    return documents[0], documents[1]


def _dry_run_reasons(dry: DryRun) -> list[str]:
    reasons = []
    if dry.differing:
        reasons.append(
            f"Dry run: {len(dry.differing)} record(s) map differently on the new version "
            f"(e.g. {dry.differing[0]})."
        )
    for name, keys in (("pinned", dry.only_pinned), ("new", dry.only_target)):
        if keys:
            reasons.append(
                f"Dry run: {len(keys)} record(s) read only on the {name} version (e.g. {keys[0]})."
            )
    new_failures = sorted(set(dry.target.failed) - set(dry.pinned.failed))
    if new_failures:
        reasons.append(
            f"Dry run: {len(new_failures)} record(s) cannot be imported on the new version "
            f"(e.g. {new_failures[0]})."
        )
    return reasons

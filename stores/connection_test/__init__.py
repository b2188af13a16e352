"""The connection test: is this store's Acumatica reachable, do its credentials sign in, and is
everything the import and the write-back use there — and if not, what exactly to fix.

    result = connection_test_run(store=store)
    result.passed                       # no check failed (warnings allowed)
    [c.to_dict() for c in result.checks]  # key, title, status, message, fix

The checks (``checks.STEPS``, then those added with ``step_add``) run in order; one that cannot
run after an earlier failure is skipped, saying why, and once Acumatica is unreachable, failing
or throttling no further request is sent. ``stores.services.store_connection_test`` records the
result on the store. The session is signed out on every path: each one holds a licence seat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import ExitStack

from connector.acumatica import AcumaticaError

from ..models import StoreConnection
from . import failures
from .checks import STEPS
from .outcome import Check, ConnectionTestResult, Context, Outcome, Step, fail, skip

__all__ = [
    "STEPS",
    "Check",
    "ConnectionTestResult",
    "Progress",
    "connection_test_run",
    "step_add",
]

# Checks other apps add after the built-in ones (``step_add``), e.g. the fulfillment app's
# "Push notifications": the connection test is the store's, what it reports can be theirs.
_ADDED: list[Step] = []


def step_add(step: Step) -> None:
    """Run ``step`` after the built-in checks (once per key; an app's ready() calls this)."""
    if all(s.key != step.key for s in (*STEPS, *_ADDED)):
        _ADDED.append(step)


logger = logging.getLogger("connector.stores")


# Told how the run goes, for a page that follows it: ``progress(title, checks)`` before a check
# runs (its title, the checks done so far) and after each check (None, the checks with it).
Progress = Callable[[str | None, list[Check]], None]


def connection_test_run(
    *, store: StoreConnection, until: str | None = None, progress: Progress | None = None
) -> ConnectionTestResult:
    """Every check in order; ``until`` stops after the check of that key (the wizard's
    credential step runs the test up to "sign_in": the site, and whether the sign-in works).
    ``progress`` is called before each check that runs and after every check."""
    steps = (*STEPS, *_ADDED)
    if until is not None:
        keys = [s.key for s in steps]
        steps = steps[: keys.index(until) + 1]
    checks: list[Check] = []
    # For each check that did not pass: the title of the failed check that is the root cause.
    blocked_by: dict[str, str] = {}
    halted_at: Check | None = None
    with ExitStack() as stack:
        ctx = Context(store=store, stack=stack)
        for step in steps:
            outcome = _blocked(step, blocked_by, halted_at)
            halts = False
            if outcome is None:
                if progress is not None:
                    progress(step.title, list(checks))
                outcome, halts = _run(step, ctx)
            check = Check(step.key, step.title, outcome.status, outcome.message, outcome.fix)
            checks.append(check)
            if progress is not None:
                progress(None, list(checks))
            if check.status == "fail":
                blocked_by[step.key] = step.title
            elif check.status == "skip":
                # A check skipped as not applicable (nothing to check) blocks nothing.
                unmet = [blocked_by[key] for key in step.needs if key in blocked_by]
                if unmet:
                    blocked_by[step.key] = unmet[0]
            if halts:
                halted_at = check
    result = ConnectionTestResult(passed=all(c.status != "fail" for c in checks), checks=checks)
    logger.info(
        "connection test of store %s: %s (%s)",
        store.pk,
        "passed" if result.passed else "failed",
        ", ".join(f"{c.key}={c.status}" for c in checks),
    )
    return result


def _blocked(step: Step, blocked_by: dict[str, str], halted_at: Check | None) -> Outcome | None:
    """Why ``step`` cannot run, or None when it can."""
    if halted_at is not None and step.network:
        return skip(
            f"Not run: after what “{halted_at.title}” found, the test sends no more requests "
            "to Acumatica."
        )
    for key in step.needs:
        if key in blocked_by:
            return skip(f"Not run because “{blocked_by[key]}” did not pass.")
    return None


def _run(step: Step, ctx: Context) -> tuple[Outcome, bool]:
    """The step's outcome, and whether the run should send nothing more."""
    try:
        return step.run(ctx), False
    except AcumaticaError as error:
        return failures.describe(error, ctx), failures.halts(error)
    except Exception:
        # A bug here must not hide the other checks' findings, nor leave the session open.
        logger.exception("connection test check %s failed unexpectedly", step.key)
        return (
            fail(
                "The test itself failed unexpectedly at this check; the error is in the "
                "connector's log.",
                "Test again; if it repeats, report it to the connector's support.",
            ),
            True,
        )

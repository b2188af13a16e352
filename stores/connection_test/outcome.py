"""What a connection test reports (``Check``, ``ConnectionTestResult``) and what each check
function works with (``Context``) and returns (``Outcome``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from typing import Literal

from connector.acumatica import AcumaticaClient

from ..models import StoreConnection

Status = Literal["pass", "fail", "warn", "skip"]

# Acumatica forms the fixes send people to, named as Acumatica's menus name them.
CONNECTED_APPLICATIONS = "Connected Applications (SM303010)"
USER_ROLES = "User Roles (SM201005)"
USERS = "Users (SM201010)"


@dataclass(frozen=True)
class Check:
    """One line of the report: ``message`` says what happened (naming the real cause), ``fix``
    what to do about it, concretely (which Acumatica form and field). Never holds a secret."""

    key: str
    title: str
    status: Status
    message: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class ConnectionTestResult:
    """``passed`` is True when no check failed (warnings and skipped checks allowed)."""

    passed: bool
    checks: list[Check]

    def to_dicts(self) -> list[dict[str, str]]:
        return [check.to_dict() for check in self.checks]


@dataclass(frozen=True)
class Outcome:
    status: Status
    message: str
    fix: str = ""


def ok(message: str) -> Outcome:
    return Outcome("pass", message)


def fail(message: str, fix: str) -> Outcome:
    return Outcome("fail", message, fix)


def warn(message: str, fix: str) -> Outcome:
    return Outcome("warn", message, fix)


def skip(message: str) -> Outcome:
    return Outcome("skip", message)


@dataclass
class Context:
    """What the checks share: the store, and the client (opened by the Instance URL check and
    closed, signing out, when the run ends)."""

    store: StoreConnection
    stack: ExitStack
    client: AcumaticaClient | None = None

    @property
    def acumatica(self) -> AcumaticaClient:
        if self.client is None:
            raise RuntimeError("no Acumatica client: the Instance URL check did not pass")
        return self.client


@dataclass(frozen=True)
class Step:
    """A check in the run order. ``needs`` lists the checks that must pass (or warn) first;
    ``network`` ones are not run once Acumatica stopped answering normally."""

    key: str
    title: str
    run: Callable[[Context], Outcome]
    needs: tuple[str, ...] = ()
    network: bool = True

"""The Acumatica side of one write-back attempt: find or create (or update) the Shipment,
take it off hold, confirm it, read it back — resuming from whatever Acumatica already holds.

Exactly once, in sales-order mode:

* Every Shipment written carries the fulfillment's reference (Description and each package's
  CustomRefNbr1). Its number is saved the moment the PUT answers (``hooks.saved``).
* Before creating, an attempt that could follow an earlier write looks for what that write
  made: by the saved number (GET by key), else by the reference (``GET Shipment?$filter=
  CustomerID eq … and substringof('<reference>', Description) and LastModifiedDateTime gt …``).
  Description is a top-level field: CV4 cannot filter on detail fields such as
  Packages/CustomRefNbr1 (API.md §3), and ``substringof`` is one of the three functions both the
  sandbox and Acumatica support. Matches are then checked for the reference as a whole word.
  Found → "already exported": its number is saved and the attempt carries on from its status.
* The first attempt of a fulfillment skips the search: no earlier attempt exists (the attempt
  row is committed before any call), so nothing can have been created. That keeps the normal
  case at PUT + ConfirmShipment (+ status polls) + read-back = 3 requests.
* A write whose answer was lost is never sent again blindly: it raises :class:`LostWrite` and
  the next attempt, a moment later, searches for what it made: found, the attempt carries on
  from there (a lost answer to a write that applied costs seconds); not found, it writes
  nothing new (:class:`WritesBlocked`) until the lost write cannot still be running in
  Acumatica's queue (FULFILLMENT_WRITEBACK_LOST_WRITE_WAIT_SECONDS).

Shipment mode reads the Shipment by its number first (its packages tell whether this
fulfillment's PUT already landed: they carry the reference) and adds the packages only when
they are not there. Both modes then: On Hold → ``Hold: false``; Open → compare with the plan
(a Shipment that differs is never confirmed) → ConfirmShipment → read back → compare again,
status Confirmed included.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from connector.acumatica import (
    ActionFailed,
    AcumaticaClient,
    NotFound,
    ServerError,
    TransportError,
    odata,
)
from connector.acumatica.values import value_of

from . import payloads
from .calls import AttemptLog
from .plan import ShipmentPlan
from .verify import (
    CONFIRMED_STATES,
    Difference,
    carries_reference,
    differences,
    own_packages,
)

logger = logging.getLogger("connector.fulfillment")
ENTITY = "Shipment"
# Shipments written for a fulfillment were last modified after it was recorded; a day's margin
# covers any clock skew between this server and Acumatica.
SEARCH_MARGIN = dt.timedelta(days=1)
# API.md §5: while a long-running action runs, the session's other requests to that form are
# refused (500 "The previous operation has not been completed yet."), unprocessed. Write-backs
# of one store share its OAuth session, so another worker's ConfirmShipment causes this.
_SESSION_BUSY = re.compile(r"previous operation has not been completed", re.I)


class Mismatch(Exception):
    def __init__(self, message: str, found: list[Difference]) -> None:
        self.differences = found
        super().__init__(f"{message}: " + "; ".join(str(d) for d in found))


class Refused(Exception):
    """The Shipment is in a state the connector must not change (cancelled, duplicated…)."""


class WritesBlocked(Exception):
    """What an unanswered write made is not found, and it may still be running in Acumatica:
    nothing new may be written before ``until``."""

    def __init__(self, until: dt.datetime) -> None:
        self.until = until
        super().__init__(
            "Acumatica shows nothing of the write whose answer was lost, and it may still be "
            f"running there: it is looked for again, and written anew only from {until:%H:%M:%S}"
        )


class LostWrite(Exception):
    """A PUT that may have created or added something got no answer."""

    def __init__(self, error: TransportError) -> None:
        self.error = error
        super().__init__(
            f"Acumatica's answer to the Shipment write was lost ({error.message}); the next "
            "attempt looks for what it wrote before writing again"
        )


@dataclass
class Hooks:
    """What the engine records as the exporter goes (each in its own transaction)."""

    # The Shipment's number, the moment it is known; ``found`` = an earlier attempt made it.
    saved: Callable[[str, bool], None]
    # ConfirmShipment answered 204.
    confirmed: Callable[[], None]
    # The saved number no longer exists in Acumatica (deleted there).
    forgotten: Callable[[], None]
    # Called before every write (``adds``: it may create or add something): raises if the
    # lease was lost meanwhile.
    before_write: Callable[[bool], None]


class ShipmentExporter:
    def __init__(
        self,
        client: AcumaticaClient,
        plan: ShipmentPlan,
        *,
        log: AttemptLog,
        hooks: Hooks,
        known_nbr: str = "",
        search: bool = True,
        created_at: dt.datetime | None = None,
        writes_blocked_until: dt.datetime | None = None,
        poll_interval: float = 1.0,
        confirm_timeout: float = 120.0,
    ) -> None:
        self.client = client
        self.plan = plan
        self.log = log
        self.hooks = hooks
        self.known_nbr = known_nbr
        self.search = search
        self.created_at = created_at
        self.writes_blocked_until = writes_blocked_until
        self.poll_interval = poll_interval
        self.confirm_timeout = confirm_timeout
        self.expand = payloads.expand_for(plan)

    # --- the whole attempt --------------------------------------------------------------------

    def run(self) -> Mapping[str, Any]:
        """The Shipment, confirmed and as planned; raises otherwise."""
        if self.plan.creates_shipment:
            record = self._locate() or self._create()
        else:
            record = self._locate_or_update()
        return self._settle(record)

    def _settle(self, record: Mapping[str, Any]) -> Mapping[str, Any]:
        nbr = value_of(record, "ShipmentNbr")
        confirmed_here = released_here = False
        while True:
            status = value_of(record, "Status")
            if status in CONFIRMED_STATES:
                found = differences(self.plan, record, confirmed=True)
                if found:
                    raise Mismatch(f"Shipment {nbr} read back differs from what was sent", found)
                return record
            if confirmed_here:
                raise Mismatch(
                    f"Shipment {nbr}: Acumatica accepted ConfirmShipment",
                    [Difference("Status", f"is {status!r} after the confirmation")],
                )
            if status == "On Hold" and not released_here:
                released_here = True
                record = self._write("release_hold", payloads.release_hold_body(nbr))
            elif status == "Open":
                found = differences(self.plan, record, confirmed=False)
                if found:
                    raise Mismatch(
                        f"Shipment {nbr} as saved differs from what was sent (not confirmed)",
                        found,
                    )
                record = self._confirm(nbr)
                confirmed_here = True
            else:
                raise Refused(
                    f"Shipment {nbr} is {status!r} in Acumatica; the connector confirms only "
                    "an Open shipment (or one it can take off hold)."
                )

    # --- sales-order mode ---------------------------------------------------------------------

    def _locate(self) -> Mapping[str, Any] | None:
        if self.known_nbr:
            try:
                return self._read(self.known_nbr, "find")
            except NotFound:
                logger.warning(
                    "fulfillment %s: Shipment %s is gone from Acumatica; writing it again",
                    self.plan.reference,
                    self.known_nbr,
                )
                self.hooks.forgotten()
        if not self.search:
            return None
        self.log.kind = "find"
        conditions = [odata.substringof(self.plan.reference, "Description")]
        if self.plan.customer_id:
            conditions.insert(0, odata.eq("CustomerID", self.plan.customer_id))
        if self.created_at is not None:
            conditions.append(odata.gt("LastModifiedDateTime", self.created_at - SEARCH_MARGIN))
        rows = self.client.list(
            ENTITY,
            filter=odata.and_(*conditions),
            select="ShipmentNbr,Status,Description,CustomerID",
        )
        matches = sorted(
            {value_of(r, "ShipmentNbr") for r in rows if carries_reference(r, self.plan.reference)}
        )
        if len(matches) > 1:
            raise Refused(
                f"Acumatica has {len(matches)} shipments for reference {self.plan.reference} "
                f"({', '.join(matches)}); keep one (delete the others while On Hold or Open), "
                "then reprocess."
            )
        if not matches:
            return None
        self.hooks.saved(matches[0], True)
        return self._read(matches[0], "find")

    def _create(self) -> Mapping[str, Any]:
        record = self._write("put", payloads.new_shipment_body(self.plan), may_add=True)
        nbr = value_of(record, "ShipmentNbr")
        if not nbr:
            raise Refused("Acumatica saved the Shipment but answered without its number.")
        self.hooks.saved(nbr, False)
        return record

    # --- shipment mode ------------------------------------------------------------------------

    def _locate_or_update(self) -> Mapping[str, Any]:
        nbr = self.plan.shipment_nbr
        try:
            record = self._read(nbr, "find")
        except NotFound:
            raise Refused(f"Shipment {nbr} no longer exists in Acumatica.") from None
        status = value_of(record, "Status")
        ours = own_packages(self.plan, record)
        if status in CONFIRMED_STATES:
            if self.plan.packages and not ours:
                raise Refused(
                    f"Shipment {nbr} was confirmed in Acumatica without this fulfillment's "
                    "packages; a confirmed shipment cannot take more (correct it in Acumatica "
                    "first)."
                )
            self.hooks.saved(nbr, True)
            return record
        if ours:
            self.hooks.saved(nbr, True)  # "already exported": this PUT landed earlier
            return record
        record = self._write("put", payloads.shipment_update_body(self.plan, record), may_add=True)
        self.hooks.saved(nbr, False)
        return record

    # --- calls --------------------------------------------------------------------------------

    def _when_free(self, call: Callable[[], Any]) -> Any:
        """``call()``, sent again while the session is busy with another worker's action (the
        refused request was not processed, so sending it again is safe), waiting a little
        longer each time, for as long as a confirmation may take."""
        deadline = time.monotonic() + self.confirm_timeout
        wait = self.poll_interval
        while True:
            try:
                return call()
            except ServerError as exc:
                busy = _SESSION_BUSY.search(exc.exception_message or exc.message or "")
                if not busy or time.monotonic() + wait >= deadline:
                    raise
            time.sleep(wait)
            wait = min(wait * 2, self.poll_interval * 4)

    def _read(self, nbr: str, kind: str) -> Mapping[str, Any]:
        self.log.kind = kind
        return self._when_free(lambda: self.client.get(ENTITY, nbr, expand=self.expand))

    def _write(self, kind: str, body: dict[str, Any], *, may_add: bool = False):
        blocked = self.writes_blocked_until
        if may_add and blocked is not None and dt.datetime.now(dt.UTC) < blocked:
            raise WritesBlocked(blocked)
        self.hooks.before_write(may_add)
        self.log.kind = kind
        try:
            return self._when_free(lambda: self.client.put(ENTITY, body, expand=self.expand))
        except TransportError as exc:
            if may_add and exc.outcome_unknown:
                raise LostWrite(exc) from exc
            raise

    def _confirm(self, nbr: str) -> Mapping[str, Any]:
        self.hooks.before_write(False)
        self.log.kind = "confirm"
        try:
            self._when_free(
                lambda: self.client.invoke_action(
                    ENTITY,
                    "ConfirmShipment",
                    payloads.shipment_keys(nbr),
                    poll_interval=self.poll_interval,
                    timeout=self.confirm_timeout,
                )
            )
        except (ActionFailed, ServerError) as exc:
            # Refused or failed — perhaps because an earlier, unanswered confirmation already
            # did it. Acumatica's state decides.
            record = self._read(nbr, "read_back")
            if value_of(record, "Status") in CONFIRMED_STATES:
                self.hooks.confirmed()
                return record
            raise exc from None
        self.hooks.confirmed()
        return self._read(nbr, "read_back")

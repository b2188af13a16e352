"""What a backfill of one difference did."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BackfillOutcome:
    # True: fixed, or on its way (a write-back queued); False: not fixed, ``text`` says why.
    fixed: bool
    text: str

"""Licence seats in a SQLite file, shared by the processes of one machine (the embedded
default; see ``seats``). Each decision is one ``BEGIN IMMEDIATE`` transaction, so two processes
cannot both take the last seat. Django-free.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .seats import URGENT_NOTE, SeatPool
from .sqlite_file import SqliteFile

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS seats (instance TEXT, holder TEXT PRIMARY KEY, ends REAL);"
    "CREATE TABLE IF NOT EXISTS urgent (instance TEXT, holder TEXT PRIMARY KEY, ends REAL);"
)


class FileSeats(SeatPool):
    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self._file = SqliteFile(path, _SCHEMA)
        self._clock = clock

    def take(
        self, instance_key: str, holder: str, *, seats: int, lease: float, urgent: bool = False
    ) -> float:
        with self._file.transaction() as db:
            now = self._clock()
            db.execute("DELETE FROM seats WHERE ends <= ?", (now,))
            db.execute("DELETE FROM urgent WHERE ends <= ?", (now,))
            mine = db.execute("SELECT 1 FROM seats WHERE holder = ?", (holder,)).fetchone()
            count, first = db.execute(
                "SELECT COUNT(*), MIN(ends) FROM seats WHERE instance = ?", (instance_key,)
            ).fetchone()
            (waiting,) = db.execute(
                "SELECT COUNT(*) FROM urgent WHERE instance = ? AND holder != ?",
                (instance_key, holder),
            ).fetchone()
            if mine or count + (0 if urgent else waiting) < seats:
                db.execute(
                    "INSERT OR REPLACE INTO seats VALUES (?, ?, ?)",
                    (instance_key, holder, now + lease),
                )
                db.execute("DELETE FROM urgent WHERE holder = ?", (holder,))
                return 0.0
            if urgent:
                db.execute(
                    "INSERT OR REPLACE INTO urgent VALUES (?, ?, ?)",
                    (instance_key, holder, now + URGENT_NOTE),
                )
            return 0.2 if first is None else min(1.0, first - now)

    def renew(self, instance_key: str, holder: str, *, lease: float) -> None:
        with self._file.transaction() as db:
            db.execute(
                "UPDATE seats SET ends = ? WHERE holder = ? AND instance = ?",
                (self._clock() + lease, holder, instance_key),
            )

    def give_back(self, instance_key: str, holder: str) -> None:
        with self._file.transaction() as db:
            db.execute("DELETE FROM seats WHERE holder = ?", (holder,))

    def held(self, instance_key: str) -> int:
        with self._file.transaction() as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM seats WHERE instance = ? AND ends > ?",
                (instance_key, self._clock()),
            ).fetchone()
        return count

"""A recorder of write locks on one engine, for the tests and benchmarks of who waits for whom.

A transaction takes the write lock with SQLite's `BEGIN IMMEDIATE` (app/database.py), or on
PostgreSQL with its first `SELECT … FOR UPDATE` (the row lock of a move); it lets go at its
commit or rollback. `WriteLocks` notes each taking in its `log`, between the marks a test
adds, and how long each was held.
"""

import threading
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine

LOCK = "lock"


def takes_lock(statement: str) -> bool:
    """Does this statement take the write lock (or a row lock) for its transaction?"""
    return statement.startswith("BEGIN IMMEDIATE") or " FOR UPDATE" in statement


class WriteLocks:
    """Record, while entered, the write locks taken on `engine`: `log` holds "lock" for each
    one taken, in order with the test's own `mark()`s; `held` the seconds each was held."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.log: list[str] = []
        self.held: list[float] = []
        self._since: dict[int, float] = {}
        self._guard = threading.Lock()

    def mark(self, what: str) -> None:
        """Note that `what` happened now, between the locks."""
        with self._guard:
            self.log.append(what)

    def open_locks(self) -> int:
        """How many transactions hold a write lock now."""
        with self._guard:
            return len(self._since)

    def _on_statement(self, connection, cursor, statement, parameters, context, executemany):
        if not takes_lock(statement):
            return
        with self._guard:
            if id(connection) not in self._since:
                self._since[id(connection)] = time.perf_counter()
                self.log.append(LOCK)

    def _on_end(self, connection):
        with self._guard:
            start = self._since.pop(id(connection), None)
            if start is not None:
                self.held.append(time.perf_counter() - start)

    def __enter__(self) -> "WriteLocks":
        event.listen(self.engine, "before_cursor_execute", self._on_statement)
        event.listen(self.engine, "commit", self._on_end)
        event.listen(self.engine, "rollback", self._on_end)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_statement)
        event.remove(self.engine, "commit", self._on_end)
        event.remove(self.engine, "rollback", self._on_end)

"""Engine behaviour that differs between SQLite and PostgreSQL, when a request takes
SQLite's write lock, and when a pooled connection is pinged.

A request that writes begins its transaction with `BEGIN IMMEDIATE`: it holds SQLite's one
write lock from its first statement to its commit, so two writers queue instead of
deadlocking on a lock upgrade. A view that does slow work before it writes (signing: the
password's scrypt, the PDF render and its PAdES signature) is marked `reads_first`: its
request begins with a plain `BEGIN`, a read that blocks no writer, and takes the write lock
only when the view calls `begin_writing()`, which ends the read transaction first (a read
transaction that later writes is the lock upgrade that can fail). On PostgreSQL the BEGIN
is the same either way; what changes there is only that the first phase locks no row.

A connection taken from the pool is pinged (a round trip to the server) only when it has
rested there a while: one checked in a moment ago was working then, and a busy worker would
otherwise pay a ping per request, a tenth of a move's round trips on PostgreSQL. A connection
the server dropped within that moment fails its request, once, as one dropped during the
request would; the pool then replaces its connections.
"""

import time

from flask import current_app, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from app.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READS_FIRST = "reads_first"
# Set on the request (not `g`, which a test's app context may share between requests).
WRITING = "sakip.database.writing"
# A connection checked in less than this many seconds ago is used without a ping.
PING_AFTER_REST_SECONDS = 1.0
# Where a pooled connection's record keeps when it last went back to the pool.
RESTING_SINCE = "sakip.resting_since"


def reads_first(view):
    """Mark a writing view whose request reads first and takes the write lock only at
    `begin_writing()` (put it right under the route decorator)."""
    setattr(view, READS_FIRST, True)
    return view


def begin_writing() -> None:
    """End this request's read transaction (it wrote nothing), so that its next one takes
    the write lock; the objects read are reloaded on their next use. Nothing happens where
    the transaction takes the write lock anyway (outside a `reads_first` view, or called
    twice): ending it there would drop what it wrote."""
    if takes_write_lock():
        return
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_writing: the read phase changed objects")
    session.rollback()
    request.environ[WRITING] = True


def takes_write_lock() -> bool:
    """Does a transaction begun now take the write lock? Outside a request (the CLI, the
    tests' own sessions) always; in a request unless it only reads, or it is a
    `reads_first` view before its `begin_writing()`."""
    if not has_request_context():
        return True
    if request.method in SAFE_METHODS:
        return False
    if request.environ.get(WRITING):
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return not getattr(view, READS_FIRST, False)


def read_rows(statement, params: dict | None = None) -> list:
    """Run a select of columns in the session's transaction and answer its rows, without the
    ORM's work on each row (a quarter of reading a board's hundreds of tasks and thousands of
    documents); pending changes are flushed first, as the session's own execute would."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute(statement, params).all()


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite safe for concurrent requests: WAL, foreign keys, and write locks taken
    up front, so two writers queue instead of deadlocking on a lock upgrade."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if takes_write_lock() else "BEGIN")


def ping_rested_connections(engine: Engine) -> None:
    """Ping a connection taken from the pool when it rested there `PING_AFTER_REST_SECONDS`
    or longer, and replace it if the server dropped it (instead of `pool_pre_ping`, which
    pings at every checkout)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        connection_record.info[RESTING_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, connection_record):
        connection_record.info[RESTING_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, connection_record, connection_proxy):
        rested = time.monotonic() - connection_record.info.get(RESTING_SINCE, 0.0)
        if rested < PING_AFTER_REST_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and checks out another (a fresh one).
            raise exc.DisconnectionError(str(error)) from error

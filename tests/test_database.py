"""Tests for the engine's pooled connections (app/database.py): pinged only after a rest in
the pool, and replaced when the server dropped them meanwhile."""

import pytest
import sqlalchemy as sa

from app import database
from app.extensions import db


@pytest.fixture
def engine(app_ctx):
    """An engine on the test's database with a pool of one connection (so each checkout
    takes the connection the last one gave back) pinged as the app's is; its `pings` list
    the pings sent."""
    engine = sa.create_engine(db.engine.url, pool_size=1, max_overflow=0)
    database.ping_rested_connections(engine)
    engine.pings = []
    real_ping = engine.dialect.do_ping

    def counted(dbapi_connection):
        engine.pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    engine.dialect.do_ping = counted
    yield engine
    engine.dispose()


def backend_of(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.text("SELECT pg_backend_pid()"))


def test_a_connection_back_in_the_pool_a_moment_ago_is_not_pinged(engine):
    """Is a connection checked out again right after its checkin used without a ping?"""
    for _ in range(3):
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    assert engine.pings == []


def test_a_connection_that_rested_in_the_pool_is_pinged(engine, monkeypatch):
    """Is a connection that rested in the pool past the limit pinged when checked out?"""
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    monkeypatch.setattr(database, "PING_AFTER_REST_SECONDS", 0.0)
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    assert len(engine.pings) == 1


@pytest.mark.parametrize("engine_name", ["postgres"])  # only a server drops connections
def test_a_rested_connection_the_server_dropped_is_replaced(engine, monkeypatch):
    """When the server ended a pooled connection while it rested (a restart, an idle
    timeout), does the next checkout get a new connection that works, instead of an error?"""
    resting = backend_of(engine)
    with db.engine.connect() as other:
        other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": resting})
    monkeypatch.setattr(database, "PING_AFTER_REST_SECONDS", 0.0)
    assert backend_of(engine) != resting

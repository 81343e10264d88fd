"""Tests for the engine's pooled connections (app/database.py): pinged only after a rest in
the pool, and replaced when the server dropped them meanwhile."""

import pytest
import sqlalchemy as sa

from app import database
from app.extensions import db


@pytest.fixture
def pings(app_ctx, monkeypatch):
    """Count the pings the engine's dialect sends."""
    sent = []
    dialect = db.engine.dialect
    real_ping = dialect.do_ping

    def counted(dbapi_connection):
        sent.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return sent


def test_a_connection_back_in_the_pool_a_moment_ago_is_not_pinged(pings):
    """Is a connection checked out again right after its checkin used without a ping?"""
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    assert pings == []


def test_a_connection_that_rested_in_the_pool_is_pinged(pings, monkeypatch):
    """Is a connection that rested in the pool past the limit pinged when checked out?"""
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    monkeypatch.setattr(database, "PING_AFTER_REST_SECONDS", 0.0)
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    assert len(pings) == 1


@pytest.mark.parametrize("engine_name", ["postgres"])  # only a server drops connections
def test_a_rested_connection_the_server_dropped_is_replaced(app_ctx, monkeypatch):
    """When the server ended the pooled connections while they rested (a restart, an idle
    timeout), does the next checkout get a new connection that works, instead of an error?"""
    with db.engine.connect() as connection:
        resting = connection.scalar(sa.text("SELECT pg_backend_pid()"))
    server = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with server.connect() as other:
        # This test's own database: every connection to it but this one is the app's.
        other.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    server.dispose()
    monkeypatch.setattr(database, "PING_AFTER_REST_SECONDS", 0.0)
    with db.engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT pg_backend_pid()")) != resting

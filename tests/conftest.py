"""Fixtures: an app per test on SQLite (always) and on PostgreSQL (when a server is there).

Set REQUIRE_POSTGRES=1 to make a missing PostgreSQL an error instead of a skip (CI does).
TEST_POSTGRES_URL names the server; the tests create and drop their own databases on it.
"""

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.cli import load_reference_data
from app.config import TestConfig
from app.extensions import db
from tests.helpers import ApiClient, SopRunner, make_users

POSTGRES_SERVER = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
ENGINES = ["sqlite", "postgres"]


def _postgres_reachable() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as err:  # any failure to connect means "no server here"
        return str(err).splitlines()[0]


def _build_schema(uri: str, storage: Path) -> None:
    """Create the schema through the migrations, as a real deployment does."""
    from flask_migrate import upgrade

    app = create_app(_config(uri, storage))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _config(uri: str, storage: Path) -> dict:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=uri, STORAGE_DIR=str(storage))
    return config


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite database file, copied for each test."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.db"
    _build_schema(f"sqlite:///{path}", folder / "blobs")
    return path


@pytest.fixture(scope="session")
def postgres_database(tmp_path_factory):
    """A migrated PostgreSQL database for this test session (one per xdist worker)."""
    problem = _postgres_reachable()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"sakip_test_{worker}_{uuid.uuid4().hex[:6]}"
    server = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    uri = sa.make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
    _build_schema(uri, tmp_path_factory.mktemp("pg-blobs"))
    yield uri
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _truncate_postgres(uri: str) -> None:
    engine = sa.create_engine(uri)
    with engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=ENGINES)
def engine_name(request) -> str:
    """The database engine this test runs on."""
    return request.param


def _sqlite_copy(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "test.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@contextmanager
def _app_on(uri: str, storage: Path):
    """An app on `uri` with the SOPs and calendar loaded; its connections closed after."""
    app = create_app(_config(uri, storage))
    with app.app_context():
        load_reference_data()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(engine_name, request, tmp_path):
    """A fresh app on a fresh, migrated database with the SOPs and calendar loaded."""
    if engine_name == "sqlite":
        uri = _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    else:
        uri = request.getfixturevalue("postgres_database")
        _truncate_postgres(uri)
    with _app_on(uri, tmp_path / "blobs") as app:
        yield app


@pytest.fixture
def sqlite_app(tmp_path, sqlite_template):
    """An app on SQLite only, for tests that are about something other than the engine."""
    with _app_on(_sqlite_copy(sqlite_template, tmp_path), tmp_path / "blobs") as app:
        yield app


@pytest.fixture
def app_ctx(app):
    """Run the test inside the app's context (for service-level tests)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def users(app):
    """One user per role (password `rahasia`), by role name; plus `kasi2` and `anggota2`."""
    with app.app_context():
        return make_users()


@pytest.fixture
def api(app, users) -> ApiClient:
    """A JSON client that acts as any of the `users` by name: `api.post(..., as_="camat")`."""
    return ApiClient(app.test_client())


@pytest.fixture
def runner(api) -> SopRunner:
    """Drives measurements through the API: start, upload outputs, move to a step."""
    return SopRunner(api)

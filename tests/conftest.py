"""Fixtures: an app per test on SQLite (always) and on PostgreSQL (when a server is there).

Set REQUIRE_POSTGRES=1 to make a missing PostgreSQL an error instead of a skip (CI does).
TEST_POSTGRES_URL names the server; the tests create and drop their own databases on it.
"""

import asyncio
import copy
import hashlib
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.cli import load_reference_data
from app.config import TestConfig
from app.extensions import db, limiter
from app.services.audit.journal import JOURNAL
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


def _empty_postgres(connection) -> None:
    """Empty every table and restart its ids. TRUNCATE, not a faster DELETE: fresh table
    files keep rows in insertion order, as a test reading without ORDER BY has always seen
    (a DELETE lets reused space reorder them, which made such a test flaky)."""
    tables = connection.execute(
        sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
    ).scalars()
    connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=ENGINES)
def engine_name(request) -> str:
    """The database engine this test runs on."""
    return request.param


# The first word of a statement that changes the database (anything else only reads).
WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "TRUNCATE", "WITH"}


class SharedApp:
    """One app per engine and test process, given a fresh database and store for each test.

    Building an app (about 70 OpenAPI operations) and loading the reference data cost more
    than most tests, so each xdist worker builds one app per engine and `fresh()` puts it back
    to its first state: the configuration as built (tests may change it), a new document
    store, the rate limits and the audit key cache emptied, and the database as migrated with
    the reference data loaded — a copy of a template file on SQLite, emptied tables and the
    reference data again on PostgreSQL.

    On SQLite it also keeps snapshots (`snapshot()`): the users, a walked measurement, the
    demo office are built once per process and copied for every later test that builds the
    same thing on the same fresh database.
    """

    def __init__(self, uri: str, folder: Path, template: Path | None = None):
        self.template = template
        self.folder = folder
        self.app = create_app(_config(uri, folder / "blobs"))
        self.app.extensions["tests.shared"] = self
        self.config = dict(self.app.config)
        self.snapshots: dict[tuple, tuple[Path, object, dict]] = {}
        self.chain: tuple | None = None
        self.clients: list[dict] = []
        self.building = False
        with self.app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", self._heard)
        if template is not None:
            self.path = Path(sa.make_url(uri).database)
            with self.app.app_context():
                load_reference_data()
                db.session.remove()
                db.engine.dispose()
            shutil.copyfile(self.path, template)
            self.journal = folder / JOURNAL

    @staticmethod
    def of(app: Flask) -> "SharedApp":
        return app.extensions["tests.shared"]

    def _heard(self, conn, cursor, statement, parameters, context, executemany) -> None:
        """Forget the snapshot chain at the first write that no snapshot's build made."""
        if self.chain is not None and not self.building:
            words = statement.split(None, 1)
            if words and words[0].upper() in WRITES:
                self.chain = None

    def fresh(self, tmp_path: Path) -> Flask:
        app = self.app
        self.tmp_path = tmp_path
        self.chain = None
        self.clients = []
        app.config.clear()
        app.config.update(self.config, STORAGE_DIR=str(tmp_path / "blobs"))
        app.extensions.pop("audit_key", None)
        limiter.reset()
        with app.app_context():
            if self.template is not None:
                db.engine.dispose()
                for suffix in ("-wal", "-shm"):
                    self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
                shutil.copyfile(self.template, self.path)
                if self.journal.exists():
                    shutil.copyfile(self.journal, tmp_path / JOURNAL)
            else:
                with db.engine.begin() as connection:
                    _empty_postgres(connection)
                load_reference_data()
                db.session.remove()
        self.chain = ()
        return app

    def snapshot(self, name: str, build: Callable[[], object]) -> object:
        """Answer `build()`, run on the test's database, or a copy of what it made before.

        A snapshot is taken on SQLite when the database is exactly a fresh one plus earlier
        snapshots (`chain`) and the configuration is as built; it is the database file, the
        document store, the audit journal, the API tokens issued (their hashes are in the
        database) and a deep copy of what `build` answered. The key is the chain, `name`, where
        `build` is written, and the configuration: a build that depends on more (a parameter
        of the test) must say so in `name`. Anything else (PostgreSQL, another
        write before, time travel, a connection still held) simply builds.
        """
        code = build.__code__
        where = (code.co_filename, code.co_firstlineno)
        key = (self.chain, name, where, _config_digest(self.app.config))
        usable = self.template is not None and self.chain is not None and self._settled()
        usable = usable and not _time_travel()
        if usable and key in self.snapshots:
            self._restore(*self.snapshots[key])
            self.chain = (*self.chain, name)
            return copy.deepcopy(self.snapshots[key][1])
        self.building = True
        try:
            value = build()
        finally:
            self.building = False
        if usable and self._settled():
            self.snapshots[key] = self._save(len(self.snapshots), value)
            self.chain = (*self.chain, name)
        else:
            self.chain = None
        return value

    def _settled(self) -> bool:
        """No connection is checked out, so the database file can be copied or replaced."""
        with self.app.app_context():
            db.session.remove()
            if db.engine.pool.checkedout():
                return False
            db.engine.dispose()
        return not self._wal().exists() or self._wal().stat().st_size == 0

    def _wal(self) -> Path:
        return self.path.with_name(self.path.name + "-wal")

    def _save(self, number: int, value) -> tuple[Path, object, dict]:
        folder = self.folder / f"snapshot-{number}"
        folder.mkdir()
        shutil.copyfile(self.path, folder / "test.db")
        for name in ("blobs", JOURNAL):
            source = self.tmp_path / name
            if source.is_dir():
                shutil.copytree(source, folder / name)
            elif source.exists():
                shutil.copyfile(source, folder / name)
        tokens = {}
        for client_tokens in self.clients:
            tokens.update(client_tokens)
        return folder, copy.deepcopy(value), tokens

    def _restore(self, folder: Path, value, tokens: dict) -> None:
        for suffix in ("-wal", "-shm"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
        shutil.copyfile(folder / "test.db", self.path)
        for name in ("blobs", JOURNAL):
            target = self.tmp_path / name
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
            source = folder / name
            if source.is_dir():
                shutil.copytree(source, target)
            elif source.exists():
                shutil.copyfile(source, target)
        for client_tokens in self.clients:
            client_tokens.clear()
            client_tokens.update(tokens)

    def done(self) -> None:
        with self.app.app_context():
            db.session.remove()


def _config_digest(config) -> str:
    """The configuration a build ran with, but for the per-test document store."""
    items = sorted((k, v) for k, v in config.items() if k != "STORAGE_DIR")
    return hashlib.sha256(repr(items).encode()).hexdigest()


def _time_travel() -> bool:
    """A test travelling in time builds what it needs itself (timestamps are its subject)."""
    import time_machine

    return bool(time_machine.traveller_stack)


@pytest.fixture(scope="session")
def shared_sqlite_app(tmp_path_factory, sqlite_template) -> SharedApp:
    folder = tmp_path_factory.mktemp("sqlite-app")
    shutil.copyfile(sqlite_template, folder / "test.db")
    shared = SharedApp(f"sqlite:///{folder / 'test.db'}", folder, folder / "loaded.db")
    yield shared
    with shared.app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def shared_postgres_app(tmp_path_factory, postgres_database) -> SharedApp:
    shared = SharedApp(postgres_database, tmp_path_factory.mktemp("pg-app"))
    yield shared
    with shared.app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(engine_name, request, tmp_path):
    """The app on a fresh, migrated database with the SOPs and calendar loaded."""
    shared = request.getfixturevalue(f"shared_{engine_name}_app")
    yield shared.fresh(tmp_path)
    shared.done()


@pytest.fixture
def own_sqlite_app(shared_sqlite_app, tmp_path):
    """An app of this test's own on SQLite, for a test that adds routes to it (a shared app
    refuses new routes once it has served a request)."""
    path = tmp_path / "own.db"
    shutil.copyfile(shared_sqlite_app.template, path)
    app = create_app(_config(f"sqlite:///{path}", tmp_path / "blobs"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sqlite_app(shared_sqlite_app, tmp_path):
    """The app on SQLite only, for tests that are about something other than the engine."""
    yield shared_sqlite_app.fresh(tmp_path)
    shared_sqlite_app.done()


@pytest.fixture
def snapshot(app) -> Callable:
    """`snapshot(name, build)`: what `build()` makes on the database (a walk, the demo) made
    once per process on SQLite and copied after (see SharedApp.snapshot); answers its value."""
    return SharedApp.of(app).snapshot


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

    def build() -> dict[str, int]:
        with app.app_context():
            return make_users()

    return SharedApp.of(app).snapshot("users", build)


@pytest.fixture
def api(app, users) -> ApiClient:
    """A JSON client that acts as any of the `users` by name: `api.post(..., as_="camat")`."""
    client = ApiClient(app.test_client())
    SharedApp.of(app).clients.append(client.tokens)
    return client


@pytest.fixture
def runner(api) -> SopRunner:
    """Drives measurements through the API: start, upload outputs, move to a step."""
    return SopRunner(api)


@pytest.fixture(autouse=True)
def _no_event_loop_marked_running(request):
    """Run each test outside the browser suite with no event loop marked running: Playwright's
    sync API leaves its loop marked running between calls for the rest of the process, and
    code that starts a loop of its own (asyncio.run, pyHanko) then refuses to."""
    loop = asyncio._get_running_loop()
    if loop is None or request.node.get_closest_marker("browser"):
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


BROWSER_TESTS = Path(__file__).resolve().parent / "browser"
# Tests about the engine itself, whose PostgreSQL twin stays in the quick loop (the backup's
# PostgreSQL twins, 20 s of dumps and restores, are left to the whole suite): by module,
# and by a word of the test's name (concurrent moves, statement counts, the write lock; not
# "lock" alone, which an account's lockout and the clock share).
ENGINE_MODULES = {
    "test_concurrency.py",
    "test_migrations.py",
    "test_blob_hygiene.py",
    "test_analytics_queries.py",
    "test_http.py",
    "test_database.py",
}
ENGINE_WORDS = (
    "concurren",
    "simultaneous",
    "at_once",
    "queries",
    "statement",
    "race",
    "write_lock",
    "lock_waited",
)


def _about_the_engine(item) -> bool:
    name = item.originalname if hasattr(item, "originalname") else item.name
    return item.path.name in ENGINE_MODULES or any(word in name for word in ENGINE_WORDS)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items):
    """Slow tests, besides those marked so: the browser suite (Chromium costs more than the
    rest of a quick loop), and the PostgreSQL twin of an app test that is not about the
    engine (its SQLite twin stays in the quick loop; CI runs both)."""
    for item in items:
        if item.get_closest_marker("browser") or item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.slow)
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("engine_name") == "postgres"
        if on_postgres and not _about_the_engine(item):
            item.add_marker(pytest.mark.slow)

"""What the benchmarks share: the app on a fresh database, timings, SQL counting, the
JSON line every benchmark ends with."""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.cli import load_reference_data  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services.accounts import create_user  # noqa: E402
from app.services.audit import journal  # noqa: E402

PASSWORD = "bench-password"
ROLES = ("camat", "sekcam", "kasi", "anggota")
# The generator of an output only signing makes (API.md: POST /tasks/{id}/sign).
SIGNING_GENERATOR = "signed_report"


def make_app(database_url: str, storage: Path, roles=ROLES):
    """Build the app on a migrated database with the SOPs, the calendar and one user per role;
    answer the app, the users' names by role, and the engine's name."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "STORAGE_DIR": str(storage),
            "SECRET_KEY": "bench",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "AUDIT_KEY": "bench-audit-key-not-for-production",
        }
    )
    # A unique suffix lets a benchmark run again on the same PostgreSQL database.
    suffix = uuid.uuid4().hex[:8]
    with app.app_context():
        upgrade()
        load_reference_data()
        users = {}
        for role in roles:
            username = f"bench-{role}-{suffix}"
            create_user(
                username=username, full_name=f"Bench {role}", password=PASSWORD, roles=[role]
            )
            users[role] = username
        db.session.commit()
        dialect = db.engine.dialect.name
    return app, users, dialect


def settle_statistics(app) -> None:
    """On PostgreSQL, gather the planner's statistics of the tables a set-up just filled, as
    autovacuum does within a minute on a server that runs it (a server where it is off, like
    this machine's, plans the board's reads as if the tables were empty: a loop over every
    measurement). SQLite keeps no statistics unless asked, and the app never asks."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execute(sa.text("ANALYZE"))
                connection.commit()


def close_app(app) -> None:
    """Write the audit checkpoints still waiting for their timer (into the benchmark's
    temporary folder, before it is removed) and close the app's database connections."""
    journal.flush_pending()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@dataclass
class Timings:
    """Durations of one kind of call, in seconds."""

    name: str
    seconds: list[float] = field(default_factory=list)

    def time(self, call, *args, **kwargs):
        """Run `call(*args, **kwargs)`, record how long it took, and answer its result."""
        start = time.perf_counter()
        result = call(*args, **kwargs)
        self.seconds.append(time.perf_counter() - start)
        return result

    @property
    def rate(self) -> float:
        return len(self.seconds) / sum(self.seconds)

    def percentile_ms(self, share: float) -> float:
        """The nearest-rank percentile of the durations, in milliseconds."""
        ms = sorted(s * 1000 for s in self.seconds)
        return ms[min(len(ms) - 1, max(0, round(share * len(ms) + 0.5) - 1))]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    def row(self) -> str:
        ms = [s * 1000 for s in self.seconds]
        return (
            f"{self.name:<22}{len(ms):>9,}{sum(self.seconds):>10.2f}{self.rate:>12,.1f}"
            f"{statistics.fmean(ms):>10.2f}{self.median_ms:>9.2f}{self.percentile_ms(0.95):>9.2f}"
        )


def expect(response, status: int) -> dict:
    """Answer the response's JSON, or stop the benchmark if the call failed."""
    if response.status_code != status:
        raise SystemExit(
            f"{response.request.method} {response.request.path} answered "
            f"{response.status_code}: {response.get_data(as_text=True)[:500]}"
        )
    return response.get_json()


class StatementCounter:
    """Counts the SQL statements sent to an engine while `counting` is on."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.count = 0
        self.active = False
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        if self.active:
            self.count += 1

    @contextmanager
    def counting(self):
        self.active = True
        try:
            yield self
        finally:
            self.active = False

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)


def print_figures(figures: dict) -> None:
    """Print the run's figures as one JSON object on the last line, for runs to compare."""
    rounded = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    print(json.dumps(rounded, ensure_ascii=False), flush=True)


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database the URL names if it is missing (SQLite makes its file
    itself), so `--database-url postgresql+psycopg://postgres@127.0.0.1/bench` just works."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return
    maintenance = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": url.database},
            )
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    finally:
        maintenance.dispose()


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class GunicornServer:
    """The app served by gunicorn in a subprocess, as `bin/serve` serves it (wsgi:app with
    `app.gunicorn_conf`), on a free local port; a context manager that always stops it.

    The server reads its configuration from the environment (app/config.py): `env` adds to
    the database, the blob store and the keys set here. It runs in a process group of its
    own, so stopping it stops its workers too, even when the master hangs."""

    def __init__(
        self,
        database_url: str,
        storage: Path,
        log: Path,
        *,
        workers: int = 2,
        threads: int = 1,
        env: dict[str, str] | None = None,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads = workers, threads
        kind = "sync" if threads == 1 else f"gthread ({threads} threads each)"
        self.kind = f"gunicorn, {workers} {kind} worker{'s' if workers > 1 else ''}"
        self.environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "STORAGE_DIR": str(storage),
            "SECRET_KEY": "bench",
            "AUDIT_KEY": "bench-audit-key-not-for-production",
            "BASE_URL": self.url,
            **(env or {}),
        }
        self.command = [
            sys.executable, "-m", "gunicorn", "--config", "python:app.gunicorn_conf",
            "--workers", str(workers), "--threads", str(threads), "--timeout", "600",
            "--bind", f"127.0.0.1:{self.port}", "--no-control-socket", "wsgi:app",
        ]  # fmt: skip
        self.log_path = log
        self.process = None

    def __enter__(self):
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.environment,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped: {self.log_path.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/api/v1/health", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"the server did not answer within {seconds:.0f} s")

    def stop(self, grace: float = 3) -> None:
        """Stop the master and its workers (their process group): politely, then, after
        `grace` seconds, not. Called once every answer is in, so nothing is cut short; a
        worker's interpreter can take seconds more to tear down on a loaded machine."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever of the group is left
        self.process.wait()
        self.process = None
        self.log.close()


def step_moves(sop: dict) -> dict[int, tuple[str, str, dict, list[str]]]:
    """For each step of the SOP: who moves it, the move's path suffix and body, and the
    outputs to upload first (not the one signing makes)."""
    moves = {}
    for step in sop["steps"]:
        signed = {k for k, g in step["generated_outputs"].items() if g == SIGNING_GENERATOR}
        uploads = [kind for kind in step["required_outputs"] if kind not in signed]
        if signed:
            move = ("sign", {"password": PASSWORD})
        elif step["kind"] == "decision":
            move = ("decision", {"decision": "approve"})
        else:
            move = ("complete", {})
        moves[step["no"]] = (step["actors"][0], *move, uploads)
    return moves

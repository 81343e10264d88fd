"""Benchmark the audit trail's CSV export through a real server, against the engine's own dump.

Generates N audit events (default 1,000,000) with correct keyed hashes by bulk SQL inserts,
serves the app in a subprocess (gunicorn with one sync worker, or `flask run` without
gunicorn), downloads `GET /api/v1/audit?format=csv` over HTTP with an admin's bearer token
while sampling the serving process's resident memory (VmRSS in /proc), and times, in the
same run, the engine dumping the same table to CSV itself (`sqlite3 -csv`, or `psql \\copy`
for PostgreSQL) as the baseline. Prints the memory growth during the export (goal < 50 MB)
and the time ratio (goal <= 2x); the last line is one JSON object of the figures.

    .venv/bin/python bench/audit_export.py                # 1,000,000 events, SQLite temp file
    .venv/bin/python bench/audit_export.py --quick        # 5,000 events, as the suite runs it
    .venv/bin/python bench/audit_export.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

import argparse
import logging
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from common import PASSWORD, close_app, expect, make_app, print_figures  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import AuditEvent, AuditHead  # noqa: E402
from app.services.audit import event_hash  # noqa: E402
from app.services.audit.keys import current_key  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
AUDIT_KEY = "bench-audit-key-not-for-production"
QUICK_EVENTS = 5000
INSERT_BATCH = 20_000
SAMPLE_SECONDS = 0.02
ACTIONS = (
    "task.completed",
    "task.approved",
    "document.uploaded",
    "auth.login",
    "indicator.value_set",
)


def generate_events(app, count: int) -> float:
    """Append `count` events to the chain by bulk inserts, each linked by its keyed hash as
    `audit.record` would; answer the seconds it took."""
    table = AuditEvent.__table__
    start = time.perf_counter()
    with app.app_context():
        key = current_key()
        head = db.session.get(AuditHead, 1)
        next_id = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
        previous = head.last_hash
        first_at = datetime(2026, 1, 2, 1, 0, tzinfo=UTC)
        rows = []
        for n in range(count):
            event = {
                "id": next_id + n,
                "at": first_at + timedelta(seconds=30 * n),
                "actor": ("camat", "sekcam", "kasi", "anggota")[n % 4],
                "action": ACTIONS[n % len(ACTIONS)],
                "object_type": "task",
                "object_id": str(n // 12 + 1),
                "summary": f"Peristiwa uji ke-{n}: langkah {n % 13 + 1} diselesaikan — “catatan”",
                "data": {"instance_id": n // 150 + 1, "step_no": n % 13 + 1, "note": None},
                "ip": "10.0.0.7",
                "backdated": n % 97 == 0,
                "prev_hash": previous,
            }
            event["hash"] = previous = event_hash(event, key)
            rows.append(event)
            if len(rows) == INSERT_BATCH:
                db.session.execute(sa.insert(table), rows)
                rows = []
        if rows:
            db.session.execute(sa.insert(table), rows)
        head.last_event_id, head.last_hash = next_id + count - 1, previous
        if db.engine.dialect.name == "postgresql":
            # The ids were given explicitly: move the sequence past them for later events.
            db.session.execute(
                sa.text("SELECT setval(pg_get_serial_sequence('audit_event', 'id'), :last)"),
                {"last": next_id + count - 1},
            )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # As autovacuum would soon after a bulk load: without statistics the planner
            # sorts the whole table for every batch of the export.
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    sa.text("ANALYZE audit_event")
                )
    return time.perf_counter() - start


def issue_token(app, username: str) -> str:
    """A bearer token of `username`, through the API."""
    client = app.test_client()
    body = expect(
        client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}), 201
    )
    return body["token"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """The app served in a subprocess on a local port; `pid` is the process that serves."""

    def __init__(self, database_url: str, storage: Path, log: Path):
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "STORAGE_DIR": str(storage),
            "AUDIT_KEY": AUDIT_KEY,
            "SECRET_KEY": "bench",
            "FLASK_APP": "wsgi",
        }
        if shutil.which("gunicorn") or _has_module("gunicorn"):
            command = [
                sys.executable, "-m", "gunicorn", "--workers", "1", "--timeout", "3600",
                "--bind", f"127.0.0.1:{self.port}", "wsgi:app",
            ]  # fmt: skip
            self.kind = "gunicorn, one sync worker"
        else:
            command = [sys.executable, "-m", "flask", "run", "--port", str(self.port)]
            self.kind = "flask run"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait_until_up()
        self.pid = self._serving_pid()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped: see {self.log.name}")
            try:
                urllib.request.urlopen(f"{self.url}/api/v1/health", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not answer within 60 s")

    def _serving_pid(self) -> int:
        """gunicorn's worker (the master's child), or the flask process itself."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            pids = children.read_text().split()
        except OSError:
            pids = []
        return int(pids[0]) if pids else self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def rss_kib(pid: int) -> int:
    """The resident memory of process `pid`, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class MemorySampler:
    """Samples a process's VmRSS in a thread until stopped; remembers the peak."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = rss_kib(pid)
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            self.samples += 1
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def download(url: str, token: str, target: Path) -> tuple[float, int, str]:
    """GET `url` with the token into `target`; answer the seconds, bytes and file name."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    size = 0
    with urllib.request.urlopen(request, timeout=3600) as response, target.open("wb") as out:
        if response.status != 200:
            raise SystemExit(f"GET {url} answered {response.status}")
        disposition = response.headers.get("Content-Disposition", "")
        while chunk := response.read(1 << 16):
            size += len(chunk)
            out.write(chunk)
    return time.perf_counter() - start, size, disposition


def engine_dump(database_url: str, target: Path) -> float:
    """Dump the audit table to CSV with the engine's own client; answer the seconds."""
    url = sa.make_url(database_url)
    query = "SELECT * FROM audit_event ORDER BY id"
    if url.get_backend_name() == "sqlite":
        if not shutil.which("sqlite3"):
            raise SystemExit("the baseline needs the sqlite3 command (apt-get install sqlite3)")
        command = ["sqlite3", "-csv", "-header", url.database, query]
    else:
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        command = ["psql", plain, "-q", "-c", f"\\copy ({query}) TO '{target}' CSV HEADER"]
    start = time.perf_counter()
    with target.open("wb") as out:
        subprocess.run(
            command, check=True, stdout=out if url.get_backend_name() == "sqlite" else None
        )
    return time.perf_counter() - start


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events (1,000,000)")
    parser.add_argument("--quick", action="store_true", help="5,000 events, as the tests run it")
    parser.add_argument("--database-url", help="an empty database (default: SQLite temp file)")
    args = parser.parse_args(argv)
    if args.quick:
        args.events = QUICK_EVENTS
    if args.events < 1:
        parser.error("--events must be at least 1")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="sakip-bench-audit-") as tmp:
        folder = Path(tmp)
        database_url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        app, users, dialect = make_app(database_url, folder / "blobs", roles=("admin",))
        generated = generate_events(app, args.events)
        token = issue_token(app, users["admin"])
        close_app(app)

        server = Server(database_url, folder / "blobs", folder / "server.log")
        try:
            # A first small export loads every code path, so the growth measured is the export's.
            download(f"{server.url}/api/v1/audit?format=csv&until=2000-01-01", token, folder / "w")
            time.sleep(0.3)
            before = rss_kib(server.pid)
            with MemorySampler(server.pid) as sampler:
                seconds, size, disposition = download(
                    f"{server.url}/api/v1/audit?format=csv", token, folder / "export.csv"
                )
            after = rss_kib(server.pid)
        finally:
            server.stop()
        rows = count_lines(folder / "export.csv") - 1
        baseline = engine_dump(database_url, folder / "dump.csv")
        dump_size = (folder / "dump.csv").stat().st_size
        dump_rows = count_lines(folder / "dump.csv") - 1

    growth_mb = max(0, sampler.peak - before) / 1024
    ratio = seconds / baseline
    tool = "sqlite3 -csv" if dialect == "sqlite" else "psql \\copy"
    print()
    print(
        f"{args.events:,} audit events on {dialect}, Python {platform.python_version()}, "
        f"served by {server.kind}; generated in {generated:.1f} s"
    )
    print(f"export                 {seconds:9.2f} s  {size / 2**20:9.1f} MiB  {rows:,} rows")
    print(f"{tool:<22} {baseline:9.2f} s  {dump_size / 2**20:9.1f} MiB  (baseline)")
    print(f"time ratio             {ratio:9.2f}   (goal <= 2)")
    print(
        f"server memory growth   {growth_mb:9.1f} MB (goal < 50; RSS {before / 1024:.0f} MB "
        f"before, peak {sampler.peak / 1024:.0f} MB, {sampler.samples} samples)"
    )
    print(f"file name              {disposition}")
    print_figures(
        {
            "benchmark": "audit_export",
            "engine": dialect,
            "events": args.events,
            "rows_exported": rows,
            "export_s": seconds,
            "export_mib": size / 2**20,
            "baseline": tool,
            "baseline_s": baseline,
            "ratio_time": ratio,
            "memory_growth_mb": growth_mb,
            "rss_before_mb": before / 1024,
            "rss_peak_mb": sampler.peak / 1024,
            "rss_after_mb": after / 1024,
            "generate_s": generated,
        }
    )
    # The dump holds one event more: the export's own, recorded before its first row.
    if rows != dump_rows - 1:
        print(f"the export has {rows:,} rows, the table {dump_rows:,} events", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Four gunicorn workers over one PostgreSQL: races, a killed worker, the headers."""

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

RACERS = 100


def _start(production, period: str) -> dict:
    """Start a measurement as the Camat; answer it (its step 1 is open)."""
    answer = production.call("POST", "/api/v1/instances", {"period": period}, as_="camat")
    assert answer.status == 201, answer
    return answer.body


def test_headers_under_gunicorn(production):
    """Do gunicorn's answers carry the CSP and the other security headers, and a single
    Server header with no version?"""
    for path in ("/login", "/api/v1/health", "/api/v1/me"):
        answer = production.call("GET", path)
        headers = answer.headers
        assert "script-src 'self'" in headers["Content-Security-Policy"], path
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers.get_all("Server") == ["gunicorn"], path
    assert production.call("GET", "/api/v1/me").status == 401


def test_hundred_way_race_on_one_task(production):
    """When 100 requests complete the same open task at once across four workers, is exactly
    one a 200 and every other a 409, leaving exactly one next task?"""
    instance = _start(production, "2026-Q1")
    task = instance["open_tasks"][0]["id"]
    production.token("camat")
    start = threading.Barrier(RACERS)

    def complete(_):
        start.wait()
        return production.call("POST", f"/api/v1/tasks/{task}/complete", {}, as_="camat")

    with ThreadPoolExecutor(RACERS) as pool:
        answers = list(pool.map(complete, range(RACERS)))
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200] + [409] * (RACERS - 1), statuses
    body = production.call("GET", f"/api/v1/instances/{instance['id']}", as_="camat").body
    assert [t["step_no"] for t in body["open_tasks"]] == [2]
    assert production.flask("audit", "verify").returncode == 0


def _tcp_inodes_of(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _worker_with_local_port(production, port: int) -> int:
    """The worker process whose socket to PostgreSQL has local `port`."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inode = fields[9]
    assert inode, f"no socket with local port {port}"
    (pid,) = [pid for pid in production.workers() if inode in _tcp_inodes_of(pid)]
    return pid


def _wait_for_blocked_backend(connection) -> tuple[int, str | None]:
    """Wait until an app backend waits on a lock; answer its client port and its transaction
    id (PostgreSQL assigns one only once a transaction has written)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = connection.execute(
            sa.text(
                "SELECT client_port, backend_xid::text FROM pg_stat_activity "
                "WHERE state = 'active' AND wait_event_type = 'Lock' "
                "AND datname = current_database() AND query LIKE '%audit_head%'"
            )
        ).first()
        if row:
            return row[0], row[1]
        time.sleep(0.1)
    raise AssertionError("no move ever waited on the audit chain's head")


def test_worker_killed_mid_move_leaves_no_half_move(production):
    """When the worker running a move is killed (SIGKILL) after the move has closed the task
    and opened the next but before its audit event is written, is nothing of the move kept,
    does the audit chain verify, and does the task move afterwards?"""
    instance = _start(production, "2026-Q2")
    task = instance["open_tasks"][0]["id"]
    production.token("camat")
    engine = sa.create_engine(production.database_url)
    # Autocommit: within a transaction PostgreSQL would show the same activity snapshot.
    watching = sa.create_engine(production.database_url, isolation_level="AUTOCOMMIT")
    answers = []
    with engine.connect() as holder, watching.connect() as watcher:
        # Hold the audit chain's head: the move does its writes, then waits for it.
        holder.execute(sa.text("SELECT * FROM audit_head WHERE id = 1 FOR UPDATE"))

        def move():
            try:
                answers.append(
                    production.call("POST", f"/api/v1/tasks/{task}/complete", {}, as_="camat")
                )
            except OSError as error:  # the worker died under the request, as it should
                answers.append(error)

        mover = threading.Thread(target=move, daemon=True)
        mover.start()
        port, wrote = _wait_for_blocked_backend(watcher)
        worker = _worker_with_local_port(production, port)
        os.kill(worker, signal.SIGKILL)
        mover.join(timeout=30)
        holder.rollback()
    engine.dispose()
    watching.dispose()

    assert wrote is not None  # the move had written (task closed, next one opened)
    assert len(answers) == 1 and isinstance(answers[0], OSError), answers
    body = production.call("GET", f"/api/v1/instances/{instance['id']}", as_="camat").body
    assert [(t["id"], t["step_no"]) for t in body["open_tasks"]] == [(task, 1)]
    tasks = production.call("GET", f"/api/v1/tasks?instance={instance['id']}", as_="camat")
    assert [t["status"] for t in tasks.body["items"] if t["instance_id"] == instance["id"]] == [
        "open"
    ]
    verify = production.flask("audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # The master has replaced the worker; the move goes through now.
    answer = production.call("POST", f"/api/v1/tasks/{task}/complete", {}, as_="camat")
    assert answer.status == 200, answer
    assert worker not in production.workers() and len(production.workers()) == 4
    assert production.flask("audit", "verify").returncode == 0

"""Four gunicorn workers over one PostgreSQL: races, a killed worker, the headers."""

import hashlib
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
    """The worker process whose socket to PostgreSQL has local `port`: the live (established)
    socket with that port, not an earlier one of the same port left in TIME_WAIT (inode 0),
    which a busy machine reuses ports often enough to list too."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            established = fields[3] == "01"
            if established and int(fields[1].rsplit(":", 1)[1], 16) == port and fields[9] != "0":
                inodes.add(fields[9])
    assert inodes, f"no socket with local port {port}"
    (pid,) = [pid for pid in production.workers() if inodes & _tcp_inodes_of(pid)]
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


def _kill_the_worker_of(production, send) -> tuple[list, str | None, int]:
    """Run `send()` (one request) in a thread while holding the audit chain's head, so the
    request does its writes and then waits; SIGKILL the worker that runs it. Answer what
    `send` got (an OSError), whether the request's transaction had written, and the pid."""
    engine = sa.create_engine(production.database_url)
    # Autocommit: within a transaction PostgreSQL would show the same activity snapshot.
    watching = sa.create_engine(production.database_url, isolation_level="AUTOCOMMIT")
    answers = []

    def run():
        try:
            answers.append(send())
        except OSError as error:  # the worker died under the request, as it should
            answers.append(error)

    with engine.connect() as holder, watching.connect() as watcher:
        holder.execute(sa.text("SELECT * FROM audit_head WHERE id = 1 FOR UPDATE"))
        sender = threading.Thread(target=run, daemon=True)
        sender.start()
        port, wrote = _wait_for_blocked_backend(watcher)
        worker = _worker_with_local_port(production, port)
        os.kill(worker, signal.SIGKILL)
        sender.join(timeout=30)
        holder.rollback()
    engine.dispose()
    watching.dispose()
    return answers, wrote, worker


def test_worker_killed_mid_move_leaves_no_half_move(production):
    """When the worker running a move is killed (SIGKILL) after the move has closed the task
    and opened the next but before its audit event is written, is nothing of the move kept,
    does the audit chain verify, and does the task move afterwards?"""
    instance = _start(production, "2026-Q2")
    task = instance["open_tasks"][0]["id"]
    production.token("camat")
    answers, wrote, worker = _kill_the_worker_of(
        production,
        lambda: production.call("POST", f"/api/v1/tasks/{task}/complete", {}, as_="camat"),
    )

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


def _multipart(kind: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "sakip-production-suite"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def _blobs(production) -> set[str]:
    root = Path(production.env["STORAGE_DIR"])
    return {f"{p.parent.name}{p.name}" for p in root.glob("??/*")} | {
        p.name for p in root.glob(".upload-*")
    }


def test_worker_killed_mid_upload_leaves_an_orphan_gc_removes(production):
    """When a worker is killed after storing a large upload's bytes but before its row
    commits, does `flask blobs gc --grace 0` remove that orphan and leave exactly the blobs
    documents refer to?"""
    instance = _start(production, "2026-Q3")
    task = instance["open_tasks"][0]["id"]
    for actor in ("camat", "sekcam"):  # steps 1 and 2 need no document
        answer = production.call("POST", f"/api/v1/tasks/{task}/complete", {}, as_=actor)
        task = answer.body["next_tasks"][0]["id"]
    kept = b"%PDF-1.4\n" + os.urandom(4096)
    upload = production.call(
        "POST", f"/api/v1/tasks/{task}/documents", _multipart("Nota Dinas", "a.pdf", kept), "kasi"
    )
    assert upload.status == 201, upload
    large = b"%PDF-1.4\n" + os.urandom(8 * 1024 * 1024)
    body = _multipart("Surat Undangan", "besar.pdf", large)
    answers, wrote, _ = _kill_the_worker_of(
        production,
        lambda: production.call("POST", f"/api/v1/tasks/{task}/documents", body, as_="kasi"),
    )
    assert wrote is not None and isinstance(answers[0], OSError), answers
    orphan = hashlib.sha256(large).hexdigest()
    referenced = {upload.body["sha256"]}
    assert _blobs(production) >= referenced | {orphan}  # no hook ran in the killed worker

    collected = production.flask("blobs", "gc", "--grace", "0")
    assert collected.returncode == 0, collected.stderr
    documents = production.call("GET", f"/api/v1/instances/{instance['id']}/documents", as_="camat")
    assert {d["sha256"] for d in documents.body} == referenced
    everything = production.call("GET", "/api/v1/instances?per_page=100", as_="camat").body
    for other in everything["items"]:
        listed = production.call("GET", f"/api/v1/instances/{other['id']}/documents", as_="camat")
        referenced |= {d["sha256"] for d in listed.body}
    assert _blobs(production) == referenced

"""The app as production runs it: gunicorn with four workers on a fresh PostgreSQL database,
driven over HTTP. Every test here is slow and needs PostgreSQL (REQUIRE_POSTGRES=1 makes a
missing server a failure, as in CI).

The server is started by `bin/serve` when the tests run in the project's own `.venv` (as
`bin/test` and CI do), else by the same two commands it runs (`flask init-db`, then gunicorn
with the same options) from the running interpreter.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tests.conftest import POSTGRES_SERVER, REQUIRE_POSTGRES, _config, _postgres_reachable
from tests.helpers import PASSWORD, make_users

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WORKERS = 4


def pytest_collection_modifyitems(items):
    """Mark every test in this folder slow and needing PostgreSQL."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.postgres)


@dataclass
class Answer:
    status: int
    headers: dict
    body: dict | str | None


@dataclass
class Production:
    """The running server: its address, its database, its environment, its master process."""

    url: str
    database_url: str
    env: dict
    master: subprocess.Popen
    tokens: dict

    def call(self, method: str, path: str, body=None, as_: str | None = None, headers=None):
        """Call the server over HTTP; answer the status, headers and decoded body (`body`: a
        JSON value, or `(bytes, content_type)`)."""
        request = urllib.request.Request(self.url + path, method=method)
        if isinstance(body, tuple):
            request.data, content_type = body
            request.add_header("Content-Type", content_type)
        elif body is not None:
            request.data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        if as_:
            request.add_header("Authorization", f"Bearer {self.token(as_)}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return _answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return _answer(error.code, error.headers, error.read())

    def token(self, username: str) -> str:
        if username not in self.tokens:
            answer = self.call(
                "POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD}
            )
            assert answer.status == 201, answer
            self.tokens[username] = answer.body["token"]
        return self.tokens[username]

    def workers(self) -> list[int]:
        """The pids of the master's worker processes."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.master.pid:
                pids.append(int(stat.parent.name))
        return pids

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """Run a `flask` command against the server's database and store."""
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )


def _answer(status: int, headers, raw: bytes) -> Answer:
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return Answer(status, headers, body)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve_command() -> list[str]:
    """`bin/serve` in the project's own .venv; the same commands from this interpreter else."""
    if Path(sys.prefix).resolve() == (ROOT / ".venv").resolve():
        return [str(ROOT / "bin" / "serve")]
    init = f"{sys.executable} -m flask --app wsgi init-db"
    gunicorn = (
        f"{sys.executable} -m gunicorn --workers $WORKERS --threads $THREADS --bind $BIND "
        "--timeout 60 --no-control-socket wsgi:app"
    )
    return ["bash", "-c", f"set -euo pipefail; {init}; exec {gunicorn}"]


def _wait_until_up(url: str, master: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if master.poll() is not None:
            pytest.fail(f"the server exited ({master.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the server did not come up:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """gunicorn with four workers over a fresh PostgreSQL database, one user per role."""
    problem = _postgres_reachable()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    name = f"sakip_prod_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    database_url = sa.make_url(POSTGRES_SERVER).set(database=name)
    database_url = database_url.render_as_string(hide_password=False)
    folder = tmp_path_factory.mktemp("production")
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        STORAGE_DIR=str(folder / "blobs"),
        AUDIT_KEY=TestConfig.AUDIT_KEY,
        SECRET_KEY="production-suite",
        WORKERS=str(WORKERS),
        THREADS="2",
        BIND=f"127.0.0.1:{port}",
    )
    log = folder / "server.log"
    with log.open("w") as out:
        master = subprocess.Popen(
            _serve_command(), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, master, log)
        app = create_app(_config(database_url, folder / "blobs"))
        with app.app_context():
            make_users()
            db.engine.dispose()
        yield Production(url, database_url, env, master, {})
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()

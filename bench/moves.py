"""Benchmark the SOP's moves through the HTTP API, against the app's bare JSON endpoint.

Walks N measurements (default 1,000) from step 1 to the signed step 12 through the JSON
API, with Flask's test client over a fresh database: each step's required outputs are
uploaded (small PDFs), then the step is completed or approved, each call made as a user
holding the step's role. Prints moves per second (a move is one complete or decision
call), uploads per second, and, measured in the same run on the same machine, the rate of
`GET /api/v1/health`, which touches no database, as the baseline.

    .venv/bin/python bench/moves.py                      # SQLite file in a temp dir
    .venv/bin/python bench/moves.py --measurements 100
    .venv/bin/python bench/moves.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

import argparse
import io
import itertools
import logging
import platform
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.cli import load_reference_data  # noqa: E402
from app.demo import demo_pdf  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services.accounts import create_user  # noqa: E402

PASSWORD = "bench-password"
ROLES = ("camat", "sekcam", "kasi", "anggota")
HEALTH_CALLS = 5000


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

    def row(self) -> str:
        ms = sorted(s * 1000 for s in self.seconds)
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        return (
            f"{self.name:<22}{len(ms):>9,}{sum(self.seconds):>10.2f}{self.rate:>12,.1f}"
            f"{statistics.fmean(ms):>10.2f}{statistics.median(ms):>9.2f}{p95:>9.2f}"
        )


def expect(response, status: int) -> dict:
    """Answer the response's JSON, or stop the benchmark if the call failed."""
    if response.status_code != status:
        raise SystemExit(
            f"{response.request.method} {response.request.path} answered "
            f"{response.status_code}: {response.get_data(as_text=True)[:500]}"
        )
    return response.get_json()


def periods():
    """Yield every period the API accepts, over and over (each run ends before reuse)."""
    years = range(2000, 2101)
    return itertools.cycle(f"{y}-Q{q}" for y in years for q in range(1, 5))


def make_app(database_url: str, storage: Path):
    """Build the app on a migrated database with the SOP, the calendar and one user a role."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "STORAGE_DIR": str(storage),
            "SECRET_KEY": "bench",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    # A unique suffix lets the benchmark run again on the same PostgreSQL database.
    suffix = uuid.uuid4().hex[:8]
    with app.app_context():
        upgrade()
        load_reference_data()
        users = {}
        for role in ROLES:
            username = f"bench-{role}-{suffix}"
            create_user(
                username=username, full_name=f"Bench {role}", password=PASSWORD, roles=[role]
            )
            users[role] = username
        db.session.commit()
        dialect = db.engine.dialect.name
    return app, users, dialect


def bench_health(client, count: int, timings: Timings) -> None:
    """Call the bare JSON endpoint `count` times."""
    for _ in range(count):
        expect(timings.time(client.get, "/api/v1/health"), 200)


def walk_measurements(client, tokens, count, moves, uploads, starts) -> None:
    """Start `count` measurements and move each from step 1 to the signed step 12."""
    headers = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}
    sop = expect(client.get("/api/v1/sops/pengukuran-kinerja", headers=headers["camat"]), 200)
    actor_of = {step["no"]: step["actors"][0] for step in sop["steps"]}
    period = periods()
    report_every = max(1, count // 10)
    for number in range(1, count + 1):
        response = starts.time(
            client.post,
            "/api/v1/instances",
            json={"period": next(period)},
            headers=headers["camat"],
        )
        task = expect(response, 201)["open_tasks"][0]
        while task:
            role = actor_of[task["step_no"]]
            for kind in task["required_outputs"]:
                pdf = demo_pdf(kind, [f"Pengukuran {number}", f"Langkah {task['step_no']}"])
                response = uploads.time(
                    client.post,
                    f"/api/v1/tasks/{task['id']}/documents",
                    data={"kind": kind, "file": (io.BytesIO(pdf), "dokumen.pdf")},
                    headers=headers[role],
                    content_type="multipart/form-data",
                )
                expect(response, 201)
            if task["kind"] == "decision":
                path, body = f"/api/v1/tasks/{task['id']}/decision", {"decision": "approve"}
            else:
                path, body = f"/api/v1/tasks/{task['id']}/complete", {}
            response = moves.time(client.post, path, json=body, headers=headers[role])
            next_tasks = expect(response, 200)["next_tasks"]
            task = next_tasks[0] if next_tasks else None
        if number % report_every == 0:
            print(f"  {number:,}/{count:,} measurements signed", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measurements", type=int, default=1000, help="how many (1000)")
    parser.add_argument(
        "--database-url",
        help="a database to bench instead of a fresh SQLite file (e.g. an empty PostgreSQL "
        "database: postgresql+psycopg://postgres@127.0.0.1/bench)",
    )
    args = parser.parse_args(argv)
    if args.measurements < 1:
        parser.error("--measurements must be at least 1")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="sakip-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app, users, dialect = make_app(url, Path(tmp) / "blobs")
        client = app.test_client()
        tokens = {
            role: expect(
                client.post(
                    "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
                ),
                201,
            )["token"]
            for role, username in users.items()
        }
        health = Timings("GET /api/v1/health")
        moves = Timings("move (complete/decide)")
        uploads = Timings("upload (PDF)")
        starts = Timings("start measurement")

        bench_health(client, 200, Timings("warm-up"))
        bench_health(client, HEALTH_CALLS // 2, health)
        wall = time.perf_counter()
        walk_measurements(client, tokens, args.measurements, moves, uploads, starts)
        wall = time.perf_counter() - wall
        # Half the baseline before the walk and half after, so drift shows in both.
        bench_health(client, HEALTH_CALLS - HEALTH_CALLS // 2, health)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    shown_url = sa.make_url(url).render_as_string(hide_password=True)
    print()
    print(
        f"{args.measurements:,} measurements, steps 1-12, {dialect} "
        f"({shown_url if args.database_url else 'fresh file in a temp dir'}), "
        f"Python {platform.python_version()}, Flask test client, one process"
    )
    print()
    print(
        f"{'call':<22}{'count':>9}{'seconds':>10}{'per second':>12}"
        f"{'mean ms':>10}{'p50 ms':>9}{'p95 ms':>9}"
    )
    for timings in (health, moves, uploads, starts):
        print(timings.row())
    print()
    print(f"moves per second:      {moves.rate:,.1f}")
    print(f"uploads per second:    {uploads.rate:,.1f}")
    print(f"health per second:     {health.rate:,.1f}  (baseline, same run)")
    print(
        f"ratio move/health:     {moves.rate / health.rate:.3f}  "
        f"(a move costs as much as {health.rate / moves.rate:.1f} health calls)"
    )
    print(
        f"whole walk:            {wall:.1f} s, {args.measurements / wall * 60:,.1f} "
        f"measurements per minute (moves, uploads and starts together)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark how long a step-12 signing holds the write lock, against a plain move's.

Walks N measurements (default 20) to step 12 through the JSON API with Flask's test client
over a fresh database (ten indicators measured per period, so the report has figures), each
plain step's required outputs uploaded and the step completed or approved; then signs each
report with the Camat's password hashed with scrypt, as in production. A recorder of write
locks (tests/write_locks.py) notes, per request, the time from the transaction taking the
write lock (SQLite's `BEGIN IMMEDIATE`, PostgreSQL's first `FOR UPDATE`) to its commit.
The baseline is the lock held by the plain `complete` moves of the same run; the ratio is
the signing's over it (a signing that rendered under the lock held it ~50× longer).

    .venv/bin/python bench/signing.py                    # SQLite file in a temp dir
    .venv/bin/python bench/signing.py --quick            # two signings, as the suite runs it
    .venv/bin/python bench/signing.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

import argparse
import io
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from common import PASSWORD, close_app, expect, make_app, print_figures, step_moves  # noqa: E402

from app.demo import demo_pdf  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import OrgUnit, User  # noqa: E402
from app.services.accounts import hash_password  # noqa: E402
from tests.write_locks import WriteLocks  # noqa: E402

INDICATORS = 10
QUICK_SIGNINGS = 2


def prepare(app, users: dict, client, headers: dict, count: int) -> list[str]:
    """Hash the Camat's password with scrypt, and measure ten indicators of a section in
    each of `count` periods; answer the periods."""
    with app.app_context():
        app.config["PASSWORD_HASH_METHOD"] = "scrypt"
        camat = db.session.scalar(sa.select(User).filter_by(username=users["camat"]))
        camat.password_hash = hash_password(PASSWORD)
        db.session.add(OrgUnit(code="bench-seksi", name="Seksi Bench", is_section=True))
        db.session.commit()
    for number in range(INDICATORS):
        body = {
            "code": f"BENCH-{number:02d}",
            "name": f"Indikator bench {number}",
            "unit": "%",
            "polarity": "positive",
            "aggregation": "sum",
            "section": "bench-seksi",
        }
        expect(client.post("/api/v1/indicators", json=body, headers=headers["anggota"]), 201)
    periods = [f"{year}-Q{quarter}" for year in range(2001, 2100) for quarter in range(1, 5)]
    for period in periods[:count]:
        for number in range(INDICATORS):
            response = client.put(
                f"/api/v1/indicators/BENCH-{number:02d}/values/{period}",
                json={"target": 80, "realization": 70 + number},
                headers=headers["anggota"],
            )
            expect(response, 200)
    return periods[:count]


def held_ms(locks: WriteLocks) -> float:
    """The longest write lock a request held, in milliseconds."""
    return max(locks.held, default=0.0) * 1000


def walk_to_signing(client, engine, headers, plan, period, move_locks) -> dict:
    """Start a measurement for `period` and move it to its signing step; note the lock each
    plain `complete` held."""
    task = expect(
        client.post("/api/v1/instances", json={"period": period}, headers=headers["camat"]), 201
    )["open_tasks"][0]
    while True:
        role, action, body, outputs = plan[task["step_no"]]
        if action == "sign":
            return task
        for kind in outputs:
            pdf = demo_pdf(kind, [period, f"Langkah {task['step_no']}"])
            response = client.post(
                f"/api/v1/tasks/{task['id']}/documents",
                data={"kind": kind, "file": (io.BytesIO(pdf), "dokumen.pdf")},
                headers=headers[role],
                content_type="multipart/form-data",
            )
            expect(response, 201)
        with WriteLocks(engine) as locks:
            response = client.post(
                f"/api/v1/tasks/{task['id']}/{action}", json=body, headers=headers[role]
            )
        task = expect(response, 200)["next_tasks"][0]
        if action == "complete":
            move_locks.append(held_ms(locks))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signings", type=int, default=20, help="how many (20)")
    parser.add_argument("--quick", action="store_true", help="a short run, as the tests do")
    parser.add_argument("--database-url", help="a database to bench instead of a SQLite file")
    args = parser.parse_args(argv)
    count = QUICK_SIGNINGS if args.quick else max(1, args.signings)
    logging.getLogger("alembic").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="sakip-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app, users, dialect = make_app(url, Path(tmp) / "blobs")
        app.config["SIGNING_SELF_SIGNED_FILE"] = str(Path(tmp) / "office.p12")
        client = app.test_client()
        headers = {
            role: {
                "Authorization": "Bearer "
                + expect(
                    client.post(
                        "/api/v1/auth/token", json={"username": name, "password": PASSWORD}
                    ),
                    201,
                )["token"]
            }
            for role, name in users.items()
        }
        periods = prepare(app, users, client, headers, count)
        with app.app_context():
            engine = db.engine
        plan = step_moves(
            expect(client.get("/api/v1/sops/pengukuran-kinerja", headers=headers["camat"]), 200)
        )
        move_locks: list[float] = []
        sign_locks: list[float] = []
        sign_requests: list[float] = []
        for period in periods:
            task = walk_to_signing(client, engine, headers, plan, period, move_locks)
            with WriteLocks(engine) as locks:
                start = time.perf_counter()
                response = client.post(
                    f"/api/v1/tasks/{task['id']}/sign",
                    json={"password": PASSWORD},
                    headers=headers["camat"],
                )
                sign_requests.append((time.perf_counter() - start) * 1000)
            expect(response, 200)
            sign_locks.append(held_ms(locks))
        close_app(app)

    baseline = statistics.median(move_locks)
    signing = statistics.median(sign_locks)
    request = statistics.median(sign_requests)
    print(
        f"{count} signings on {dialect}: write lock held p50 {signing:.1f} ms "
        f"(max {max(sign_locks):.1f} ms) of a {request:.1f} ms request; "
        f"a plain complete holds it {baseline:.1f} ms"
    )
    print_figures(
        {
            "benchmark": "signing",
            "engine": dialect,
            "signings": count,
            "baseline": "write lock held by a plain complete move (p50)",
            "baseline_lock_ms": baseline,
            "lock_held_p50_ms": signing,
            "lock_held_max_ms": max(sign_locks),
            "sign_request_p50_ms": request,
            "ratio": signing / baseline,
            "ratio_of_request": signing / request,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

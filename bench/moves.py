"""Benchmark the SOP's moves through the HTTP API, against the app's bare JSON endpoint.

Walks N measurements (default 1,000) from the first step to the signed last step through
the JSON API, with Flask's test client over a fresh database: each step's required outputs
are uploaded (small PDFs), then the step is completed, approved or signed, each call made
as a user holding the step's role. Prints moves per second (a move is one complete,
decision or sign call), uploads per second, and, measured in the same run on the same
machine, the rate of `GET /api/v1/health`, which touches no database, as the baseline; the
last line is one JSON object of the figures.

    .venv/bin/python bench/moves.py                      # SQLite file in a temp dir
    .venv/bin/python bench/moves.py --quick              # a few measurements, as the suite runs it
    .venv/bin/python bench/moves.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

import argparse
import io
import itertools
import logging
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from common import (  # noqa: E402
    PASSWORD,
    StatementCounter,
    Timings,
    close_app,
    expect,
    make_app,
    print_figures,
)

from app.demo import demo_pdf  # noqa: E402

HEALTH_CALLS = 5000
QUICK_MEASUREMENTS = 3
QUICK_HEALTH_CALLS = 200
# The generator of an output only signing makes (API.md: POST /tasks/{id}/sign).
SIGNING_GENERATOR = "signed_report"


def periods():
    """Yield every period the API accepts, over and over (each run ends before reuse)."""
    years = range(2000, 2101)
    return itertools.cycle(f"{y}-Q{q}" for y in years for q in range(1, 5))


def bench_health(client, count: int, timings: Timings) -> None:
    """Call the bare JSON endpoint `count` times."""
    for _ in range(count):
        expect(timings.time(client.get, "/api/v1/health"), 200)


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


def walk_measurements(client, sop_code, tokens, count, moves, uploads, starts, counter) -> None:
    """Start `count` measurements and move each from the first step to the signed last one."""
    headers = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}
    sop = expect(client.get(f"/api/v1/sops/{sop_code}", headers=headers["camat"]), 200)
    plan = step_moves(sop)
    period = periods()
    report_every = max(1, count // 10)
    for number in range(1, count + 1):
        response = starts.time(
            client.post,
            "/api/v1/instances",
            json={"sop": sop_code, "period": next(period)},
            headers=headers["camat"],
        )
        task = expect(response, 201)["open_tasks"][0]
        while task:
            role, action, body, outputs = plan[task["step_no"]]
            for kind in outputs:
                pdf = demo_pdf(kind, [f"Pengukuran {number}", f"Langkah {task['step_no']}"])
                response = uploads.time(
                    client.post,
                    f"/api/v1/tasks/{task['id']}/documents",
                    data={"kind": kind, "file": (io.BytesIO(pdf), "dokumen.pdf")},
                    headers=headers[role],
                    content_type="multipart/form-data",
                )
                expect(response, 201)
            path = f"/api/v1/tasks/{task['id']}/{action}"
            with counter.counting():
                response = moves.time(client.post, path, json=body, headers=headers[role])
            next_tasks = expect(response, 200)["next_tasks"]
            task = next_tasks[0] if next_tasks else None
        if number % report_every == 0:
            print(f"  {number:,}/{count:,} measurements signed", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measurements", type=int, default=1000, help="how many (1000)")
    parser.add_argument("--quick", action="store_true", help="a short run, as the tests do")
    parser.add_argument("--sop", default="pengukuran-kinerja", help="the SOP to walk")
    parser.add_argument(
        "--database-url",
        help="a database to bench instead of a fresh SQLite file (e.g. an empty PostgreSQL "
        "database: postgresql+psycopg://postgres@127.0.0.1/bench)",
    )
    args = parser.parse_args(argv)
    if args.measurements < 1:
        parser.error("--measurements must be at least 1")
    count = QUICK_MEASUREMENTS if args.quick else args.measurements
    health_calls = QUICK_HEALTH_CALLS if args.quick else HEALTH_CALLS
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
        moves = Timings("move")
        uploads = Timings("upload (PDF)")
        starts = Timings("start measurement")
        counter = StatementCounter(app)

        bench_health(client, min(200, health_calls), Timings("warm-up"))
        bench_health(client, health_calls // 2, health)
        wall = time.perf_counter()
        walk_measurements(client, args.sop, tokens, count, moves, uploads, starts, counter)
        wall = time.perf_counter() - wall
        # Half the baseline before the walk and half after, so drift shows in both.
        bench_health(client, health_calls - health_calls // 2, health)
        counter.close()
        close_app(app)

    shown_url = sa.make_url(url).render_as_string(hide_password=True)
    print()
    print(
        f"{count:,} measurements, every step to the signature, {dialect} "
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
    print(f"health per second:     {health.rate:,.1f}  (baseline, same run)")
    print(f"ratio move/health:     {moves.rate / health.rate:.3f}")
    print(f"SQL statements/move:   {counter.count / len(moves.seconds):.1f}")
    print(f"whole walk:            {wall:.1f} s")
    print_figures(
        {
            "benchmark": "moves",
            "engine": dialect,
            "measurements": count,
            "moves": len(moves.seconds),
            "moves_per_s": moves.rate,
            "baseline": "GET /api/v1/health",
            "baseline_per_s": health.rate,
            "ratio": moves.rate / health.rate,
            "statements_per_move": counter.count / len(moves.seconds),
            "p50_ms": moves.median_ms,
            "p99_ms": moves.percentile_ms(0.99),
            "uploads_per_s": uploads.rate,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

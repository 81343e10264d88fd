"""Benchmark the board page with many active measurements, against the app's bare JSON endpoint.

Starts N measurements (default 500) on a fresh SQLite file, moves them to steps spread over
the four lanes (uploading each step's required outputs on the way), signs in through the
login form as the Camat and renders the board (`GET /`, the whole page) again and again with
Flask's test client. Prints the median render time next to the median of `GET /api/v1/health`
(touches no database) measured in the same run, interleaved with the board calls, their
ratio, and the SQL statements one board render issues; the last line is one JSON object of
the figures.

    .venv/bin/python bench/board.py
    .venv/bin/python bench/board.py --quick              # a small board, as the suite runs it
    .venv/bin/python bench/board.py --measurements 100 --repeats 50
"""

import argparse
import io
import itertools
import logging
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from common import PASSWORD, StatementCounter, close_app, make_app, print_figures  # noqa: E402

from app.demo import demo_pdf  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Task, TaskStatus, User  # noqa: E402
from app.services import routing  # noqa: E402
from app.services.documents import BlobStore, upload_document  # noqa: E402

SOP = "pengukuran-kinerja"
QUICK_MEASUREMENTS = 18
QUICK_REPEATS = 3
# The step each measurement is left open at, in turn: every lane gets cards, reviews included.
TARGET_STEPS = (1, 2, 3, 4, 5, 7, 9, 10, 11)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def periods() -> list[str]:
    """Every period one SOP can have an active measurement for, from 2030-Q1 on: the quarters
    of 2030-2100, then those of 2000-2029, then the years 2000-2100 (505 in all)."""
    years = itertools.chain(range(2030, 2101), range(2000, 2030))
    quarters = [f"{year}-Q{quarter}" for year in years for quarter in range(1, 5)]
    return quarters + [str(year) for year in range(2000, 2101)]


def advance(task: Task, users: dict[str, User], store: BlobStore, limit: int) -> Task:
    """Upload the open task's required outputs and finish it as its first actor; answer the
    task it opened."""
    step = routing.step_of(task)
    actor = users[step.actors[0]]
    for kind in step.required_outputs:
        upload_document(
            task,
            kind=kind,
            filename="dokumen.pdf",
            stream=io.BytesIO(demo_pdf(kind, [task.instance.period, f"Langkah {step.no}"])),
            actor=actor,
            store=store,
            limit=limit,
        )
    if step.is_decision:
        result = routing.decide(task, actor=actor, decision="approve")
    else:
        result = routing.complete_task(task, actor=actor)
    return result.next_tasks[0]


def start_measurements(app, usernames: dict[str, str], count: int) -> dict[int, int]:
    """Start `count` measurements and leave them open at `TARGET_STEPS` in turn; answer how
    many cards each step has."""
    store = BlobStore(app.config["STORAGE_DIR"])
    limit = app.config["MAX_CONTENT_LENGTH"]
    spread: dict[int, int] = {}
    with app.app_context():
        users = {
            role: db.session.scalar(sa.select(User).filter_by(username=name))
            for role, name in usernames.items()
        }
        for number, period in enumerate(periods()[:count]):
            instance = routing.start_instance(sop_code=SOP, period=period, actor=users["camat"])
            db.session.flush()
            task = db.session.scalar(
                sa.select(Task).filter_by(instance_id=instance.id, status=TaskStatus.OPEN)
            )
            target = TARGET_STEPS[number % len(TARGET_STEPS)]
            while task.step_no != target:
                task = advance(task, users, store, limit)
            spread[target] = spread.get(target, 0) + 1
            db.session.commit()
            if (number + 1) % max(1, count // 5) == 0:
                print(f"  {number + 1:,}/{count:,} measurements started", file=sys.stderr)
    return dict(sorted(spread.items()))


def sign_in(client, username: str) -> None:
    """Sign in through the login form, CSRF token and all."""
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        raise SystemExit(f"login as {username} answered {response.status_code}")


def timed_get(client, path: str, seconds: list[float]) -> str:
    """GET `path`, record how long it took, and answer the body (stop on a non-200)."""
    start = time.perf_counter()
    response = client.get(path)
    body = response.get_data(as_text=True)
    seconds.append(time.perf_counter() - start)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return body


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measurements", type=int, default=500, help="active measurements (500)")
    parser.add_argument("--repeats", type=int, default=20, help="timed board renders (20)")
    parser.add_argument("--quick", action="store_true", help="a small board, as the tests do")
    args = parser.parse_args(argv)
    if args.quick:
        args.measurements, args.repeats = QUICK_MEASUREMENTS, QUICK_REPEATS
    if args.measurements < 1 or args.repeats < 1:
        parser.error("--measurements and --repeats must be at least 1")
    if args.measurements > len(periods()):
        parser.error(f"--measurements can be at most {len(periods())} (one per period)")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="sakip-bench-board-") as tmp:
        app, usernames, dialect = make_app(
            f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp) / "blobs"
        )
        setup = time.perf_counter()
        spread = start_measurements(app, usernames, args.measurements)
        setup = time.perf_counter() - setup
        client = app.test_client()
        sign_in(client, usernames["camat"])

        warm: list[float] = []
        page = timed_get(client, "/", warm)
        for _ in range(3):
            timed_get(client, "/", warm)
            timed_get(client, "/api/v1/health", warm)
        board: list[float] = []
        health: list[float] = []
        # Interleaved, so any drift of the machine falls on both alike.
        for _ in range(args.repeats):
            timed_get(client, "/", board)
            for _ in range(5):
                timed_get(client, "/api/v1/health", health)
        counter = StatementCounter(app)
        with counter.counting():
            client.get("/")
        counter.close()
        close_app(app)

    cards = page.count('class="task-card')
    board_ms = statistics.median(board) * 1000
    health_ms = statistics.median(health) * 1000
    print()
    print(
        f"{args.measurements:,} active measurements, sqlite (fresh file in a temp dir), "
        f"Python {platform.python_version()}, Flask test client, one process"
    )
    print(f"cards on the board:    {cards:,} (open at step: count {spread}); set-up {setup:.1f} s")
    print(f"board page size:       {len(page.encode()) / 1024:,.0f} KiB")
    print()
    print(f"GET / (board)          median {board_ms:9.2f} ms  ({len(board)} renders)")
    print(f"GET /api/v1/health     median {health_ms:9.2f} ms  ({len(health)} calls, baseline)")
    print(f"ratio board/health     {board_ms / health_ms:,.1f}")
    print(f"per card               {board_ms / max(1, cards):.3f} ms")
    print(f"SQL statements/render  {counter.count}")
    print_figures(
        {
            "benchmark": "board",
            "engine": dialect,
            "measurements": args.measurements,
            "cards": cards,
            "renders": len(board),
            "board_ms": board_ms,
            "baseline": "GET /api/v1/health",
            "baseline_ms": health_ms,
            "ratio": board_ms / health_ms,
            "statements": counter.count,
            "page_kib": len(page.encode()) / 1024,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

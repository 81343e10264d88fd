"""Benchmark the board page with 50 and with 500 active measurements, against the login page.

Starts measurements on a fresh SQLite file (or an empty PostgreSQL database with
`--database-url`) and moves them to steps spread over the four lanes (uploading each step's
required outputs on the way). Then serves that database with gunicorn (2 sync workers,
`wsgi:app` with `app.gunicorn_conf`, as `bin/serve` does) twice, signs in through each
server's login form as the Camat and times, over HTTP with keep-alive clients
(`requests.Session`), 20 renders of the board (`GET /`, the whole page) on each,
interleaved with `GET /login` (signed out) on the same server, the baseline of the same run:

- cold: the server keeping no rendered board (`BOARD_CACHE_SIZE=0`): every board is
  rendered afresh, as after any move and every minute (the time bars move). What a worker
  keeps of data that changes only with a new SOP version (the lanes, the parsed
  definitions) and the page about the board stay kept, as in production;
- kept: the server as deployed, answering the unchanged board from its cache;

with 50 measurements (`board_50_ms`, the board as it opens: each lane capped, its
show-more) and with 500 (`board_500_ms`, measured whole: `?more=all`, every lane expanded).

In this process, with Flask's test client: the SQL statements of one cold and one kept
render of each board (a gunicorn worker cannot be hooked from outside), and the first render
of a fresh process, every per-process cache the board uses emptied, against the login page
the same way (`first_*`). The last line is one JSON object of the figures.

    .venv/bin/python bench/board.py
    .venv/bin/python bench/board.py --quick              # small boards, as the suite runs it
    .venv/bin/python bench/board.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
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
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from common import (  # noqa: E402
    PASSWORD,
    GunicornServer,
    StatementCounter,
    close_app,
    ensure_database,
    make_app,
    print_figures,
    settle_statistics,
)

from app.demo import demo_pdf  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Task, TaskStatus, User  # noqa: E402
from app.services import routing  # noqa: E402
from app.services.documents import BlobStore, upload_document  # noqa: E402
from app.web.chrome import CACHE as CHROME_CACHE  # noqa: E402

SOP = "pengukuran-kinerja"
SMALL, LARGE = 50, 500
QUICK_SMALL, QUICK_LARGE, QUICK_REPEATS = 4, 12, 3
WORKERS = 2
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


def start_measurements(
    app, usernames: dict[str, str], count: int, first: int = 0
) -> dict[int, int]:
    """Start `count` measurements (from the `first`-th period on) and leave them open at
    `TARGET_STEPS` in turn; answer how many cards each step has."""
    store = BlobStore(app.config["STORAGE_DIR"])
    limit = app.config["MAX_CONTENT_LENGTH"]
    spread: dict[int, int] = {}
    with app.app_context():
        users = {
            role: db.session.scalar(sa.select(User).filter_by(username=name))
            for role, name in usernames.items()
        }
        for number, period in enumerate(periods()[first : first + count], start=first):
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
            if (number + 1 - first) % max(1, count // 5) == 0:
                print(f"  {number + 1:,} measurements started", file=sys.stderr)
    return dict(sorted(spread.items()))


@dataclass(frozen=True)
class Answer:
    """A server's answer, read as Flask's test client reads one."""

    status_code: int
    text: str

    def get_data(self, as_text: bool = True) -> str:
        return self.text


class ServerClient:
    """A keep-alive HTTP client (`requests.Session`) of one server that asks and answers as
    Flask's test client does (paths, redirects not followed), so one set of helpers drives
    both; the body is read within the call, as a browser waits for it."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()

    def get(self, path: str) -> Answer:
        response = self.session.get(self.url + path, allow_redirects=False)
        return Answer(response.status_code, response.text)

    def post(self, path: str, data: dict) -> Answer:
        response = self.session.post(self.url + path, data=data, allow_redirects=False)
        return Answer(response.status_code, response.text)


def sign_in(client, username: str) -> None:
    """Sign in through the login form, CSRF token and all."""
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        raise SystemExit(f"login as {username} answered {response.status_code}")


# Every per-process cache a board render uses: the kept boards and the page rounds about
# them (app/web/board.py), the lanes and the newest SOP definitions behind them and the menu
# (app/web/chrome.py).
BOARD_CACHES = ("board_cache", "board_page_rounds", "board_lanes", CHROME_CACHE)


def forget_kept(app) -> None:
    """Empty every cache a board render uses, for the first render of a fresh process."""
    for name in BOARD_CACHES:
        app.extensions.pop(name, None)


def counted_get(app, client, path: str) -> int:
    """The SQL statements of one GET of `path`."""
    counter = StatementCounter(app)
    try:
        with counter.counting():
            client.get(path)
    finally:
        counter.close()
    return counter.count


def timed_get(client, path: str, seconds: list[float], app=None) -> str:
    """GET `path`, record how long the whole answer took, and answer its body (stop on a
    non-200); with `app`, a first render: every cache the board uses is emptied first."""
    if app is not None:
        forget_kept(app)
    start = time.perf_counter()
    response = client.get(path)
    body = response.get_data(as_text=True)
    seconds.append(time.perf_counter() - start)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return body


class Served:
    """One server of the database (gunicorn), with a signed-in and a signed-out client."""

    def __init__(self, server: GunicornServer, username: str):
        self.server = server
        self.user = ServerClient(server.url)
        self.anonymous = ServerClient(server.url)
        sign_in(self.user, username)


def serve(database_url: str, storage: Path, log: Path, cache_size: int | None):
    """The database served by gunicorn's workers, keeping `cache_size` rendered boards each
    (None: as deployed)."""
    env = {} if cache_size is None else {"BOARD_CACHE_SIZE": str(cache_size)}
    return GunicornServer(database_url, storage, log, workers=WORKERS, env=env)


def measure_served(cold: Served, kept: Served, path: str, repeats: int, baseline: list) -> dict:
    """Time `repeats` renders of `path` on the cold server and on the kept one over HTTP,
    each followed by a login page of the same server (into `baseline`)."""
    # Warm-up, untimed: every worker of both servers answers each page at least once.
    for _ in range(4 * WORKERS):
        for served in (cold, kept):
            timed_get(served.user, path, [])
            timed_get(served.anonymous, "/login", [])
    fresh: list[float] = []
    unchanged: list[float] = []
    page = ""
    # Interleaved, so any drift of the machine falls on the boards and the baseline alike.
    for _ in range(repeats):
        page = timed_get(cold.user, path, fresh)
        timed_get(cold.anonymous, "/login", baseline)
        timed_get(kept.user, path, unchanged)
        timed_get(kept.anonymous, "/login", baseline)
    return {
        "ms": statistics.median(fresh) * 1000,
        "cached_ms": statistics.median(unchanged) * 1000,
        "cards": page.count('class="task-card'),
        "kib": len(page.encode()) / 1024,
    }


def measure_here(app, client, anonymous, path: str, repeats: int, baseline: list) -> dict:
    """In this process: the first render of `path` with every cache emptied, `repeats` times
    between two login pages (into `baseline`), and the statements of a cold and a kept
    render."""
    timed_get(client, path, [], app)
    first: list[float] = []
    for _ in range(repeats):
        timed_get(client, path, first, app)
        timed_get(anonymous, "/login", baseline)
    forget_kept(app)
    return {
        "first_ms": statistics.median(first) * 1000,
        "statements": counted_get(app, client, path),
        "statements_kept": counted_get(app, client, path),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed renders of each (20)")
    parser.add_argument("--quick", action="store_true", help="small boards, as the tests do")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default SQLite)")
    args = parser.parse_args(argv)
    small, large = (QUICK_SMALL, QUICK_LARGE) if args.quick else (SMALL, LARGE)
    if args.quick:
        args.repeats = QUICK_REPEATS
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="sakip-bench-board-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        ensure_database(url)
        storage = Path(tmp) / "blobs"
        app, usernames, dialect = make_app(url, storage)
        camat = usernames["camat"]
        setup = time.perf_counter()
        spread = start_measurements(app, usernames, small)
        settle_statistics(app)
        client = app.test_client()
        sign_in(client, camat)
        anonymous = app.test_client()
        for _ in range(3):
            timed_get(anonymous, "/login", [])
        setup = time.perf_counter() - setup
        here_baseline: list[float] = []
        baseline: list[float] = []
        cold_log, kept_log = Path(tmp) / "cold.log", Path(tmp) / "kept.log"
        with serve(url, storage, cold_log, 0) as cold, serve(url, storage, kept_log, None) as kept:
            servers = Served(cold, camat), Served(kept, camat)
            few = measure_served(*servers, "/", args.repeats, baseline)
            few |= measure_here(app, client, anonymous, "/", args.repeats, here_baseline)
            grown = time.perf_counter()
            start_measurements(app, usernames, large - small, first=small)
            settle_statistics(app)
            setup += time.perf_counter() - grown
            many = measure_served(*servers, "/?more=all", args.repeats, baseline)
            many |= measure_here(app, client, anonymous, "/?more=all", args.repeats, here_baseline)
            server_kind = cold.kind
        close_app(app)

    baseline_ms = statistics.median(baseline) * 1000
    here_ms = statistics.median(here_baseline) * 1000
    print()
    print(
        f"{dialect}, Python {platform.python_version()}, {server_kind}, requests keep-alive; "
        f"set-up {setup:.1f} s; open at step: count {spread} (of the first {small})"
    )
    print(f"GET /login (baseline)     median {baseline_ms:9.2f} ms  ({len(baseline)} calls)")
    for name, count, figures in (("board", small, few), ("board, all lanes", large, many)):
        print(
            f"{name} {count:>4} measurements  median {figures['ms']:9.2f} ms cold "
            f"({figures['ms'] / baseline_ms:5.1f}x), {figures['cached_ms']:7.2f} ms kept "
            f"({figures['cached_ms'] / baseline_ms:4.1f}x); {figures['cards']} cards, "
            f"{figures['kib']:,.0f} KiB, {figures['statements']} SQL statements "
            f"({figures['statements_kept']} kept)"
        )
    print(
        f"In this process (Flask test client), a fresh process's first render, every cache "
        f"emptied, against GET /login ({here_ms:.2f} ms): board of {small} "
        f"{few['first_ms']:.2f} ms ({few['first_ms'] / here_ms:.1f}x), of {large} "
        f"{many['first_ms']:.2f} ms ({many['first_ms'] / here_ms:.1f}x)"
    )
    print_figures(
        {
            "benchmark": "board",
            "engine": dialect,
            "client": f"{server_kind}, requests keep-alive",
            "measurements_small": small,
            "measurements_large": large,
            "renders": args.repeats,
            "baseline": "GET /login",
            "baseline_ms": baseline_ms,
            "board_50_ms": few["ms"],
            "board_500_ms": many["ms"],
            "cached_50_ms": few["cached_ms"],
            "cached_500_ms": many["cached_ms"],
            "ratio_50": few["ms"] / baseline_ms,
            "ratio_500": many["ms"] / baseline_ms,
            "cached_ratio_50": few["cached_ms"] / baseline_ms,
            "cached_ratio_500": many["cached_ms"] / baseline_ms,
            "statements_50": few["statements"],
            "statements_500": many["statements"],
            "statements_kept_50": few["statements_kept"],
            "statements_kept_500": many["statements_kept"],
            "cards_50": few["cards"],
            "cards_500": many["cards"],
            "page_50_kib": few["kib"],
            "page_500_kib": many["kib"],
            "first_baseline_ms": here_ms,
            "first_50_ms": few["first_ms"],
            "first_500_ms": many["first_ms"],
            "first_ratio_50": few["first_ms"] / here_ms,
            "first_ratio_500": many["first_ms"] / here_ms,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

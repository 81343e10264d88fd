"""Benchmark the SOP's moves through a real server, against the app's bare JSON endpoint.

Serves the app with gunicorn (2 workers, `wsgi:app` with `app.gunicorn_conf`, as `bin/serve`
does) over a fresh SQLite file, or the database `--database-url` names (migrated first), and
drives it over HTTP with keep-alive clients (`requests.Session`) holding bearer tokens.
A move is one `complete`, `decision` or `sign` call; the step's required outputs are
uploaded before it (small PDFs: set-up, not timed). Three phases:

1. plain moves: one client walks measurements from step 1 to the signing step (12),
   making 1,000 timed `complete` and `decision` calls (`--moves N`), each followed by one
   `GET /api/v1/health` (touches no database) on the same client, so noise hits the move
   and its baseline alike; the measurements left at the signing step become a pool;
2. half as many plain moves while a second client, in a thread, signs the pool's
   measurements (step 12: the Camat's password, the PDF, its PAdES signature), pausing
   after each signing as long as it took (`--signing-pause`), so signings run half the time;
3. SQL statements per move, counted in this process with Flask's test client over the same
   database (a gunicorn worker cannot be hooked from outside): a few measurements walked
   with one return each, so every kind (complete, approve, return) is counted.

Users are hashed with a cheap pbkdf2 (as the suite does), except the Camat, who signs: his
password keeps the app's default method (scrypt), so a signing costs what it costs in use.
The last line is one JSON object of the figures.

    .venv/bin/python bench/moves.py                      # SQLite file in a temp dir
    .venv/bin/python bench/moves.py --quick              # a few moves, as the suite runs it
    .venv/bin/python bench/moves.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

import argparse
import collections
import io
import logging
import math
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from common import (  # noqa: E402
    PASSWORD,
    GunicornServer,
    StatementCounter,
    Timings,
    close_app,
    ensure_database,
    expect,
    make_app,
    print_figures,
    step_moves,
)
from werkzeug.security import generate_password_hash  # noqa: E402

from app.demo import demo_pdf  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Instance, InstanceStatus, User  # noqa: E402
from app.services.audit import journal  # noqa: E402
from app.services.office import office_profile  # noqa: E402
from app.services.pades import ensure_self_signed_certificate  # noqa: E402

MOVES = 1000
QUICK_MOVES = 6
POOL = 30
QUICK_POOL = 2
STATEMENT_SAMPLE = 3

STARTED = time.perf_counter()


def stage(text: str) -> None:
    """Say on stderr how far the run has come, and when."""
    print(f"  [{time.perf_counter() - STARTED:6.1f} s] {text}", file=sys.stderr, flush=True)


class Failed(Exception):
    """A call the benchmark relies on did not answer as it should."""


def all_periods() -> list[str]:
    """Every period a measurement can run for (YYYY-Q1..Q4 and YYYY, 2000-2100): 505."""
    years = range(2000, 2101)
    return [f"{y}-Q{q}" for y in years for q in range(1, 5)] + [str(y) for y in years]


def free_periods(app, sop: str) -> list[str]:
    """The periods no active measurement of the SOP holds: a database benched before keeps
    the measurements a run leaves open, and a period has one active measurement at most."""
    with app.app_context():
        taken = set(
            db.session.scalars(
                sa.select(Instance.period).where(
                    Instance.sop_code == sop, Instance.status == InstanceStatus.ACTIVE
                )
            )
        )
    return [period for period in all_periods() if period not in taken]


def prepare_users(app, users: dict[str, str], certificate: Path) -> None:
    """Give the Camat a password hashed the app's default way (he signs, and signing checks
    it), and make the office's signing certificate before two workers would race to."""
    with app.app_context():
        camat = db.session.scalar(sa.select(User).where(User.username == users["camat"]))
        camat.password_hash = generate_password_hash(PASSWORD)
        db.session.commit()
        profile = office_profile()
        ensure_self_signed_certificate(
            {"SIGNING_SELF_SIGNED_FILE": str(certificate)},
            name=profile.name,
            organisation=profile.government,
            city=profile.city,
        )
        db.session.remove()


class Client:
    """One keep-alive HTTP client of the server, calling as any role by its bearer token."""

    def __init__(self, url: str, tokens: dict[str, str]):
        self.url = url
        self.session = requests.Session()
        self.headers = {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}

    def request(self, method: str, path: str, role: str | None, **kwargs) -> requests.Response:
        headers = self.headers[role] if role else None
        return self.session.request(method, self.url + path, headers=headers, **kwargs)

    def call(self, method: str, path: str, role: str | None, status: int = 200, **kwargs):
        """Make the call and answer its JSON; raise Failed unless it answered `status`."""
        response = self.request(method, path, role, **kwargs)
        if response.status_code != status:
            raise Failed(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    def attempt(self, errors: list, method: str, path: str, role: str, status: int, **kwargs):
        """Make a write and answer its JSON, or None when the server failed it for a reason
        of its own (5xx, or 409 for a lost race: the lock contention the benchmark looks
        for), recorded in `errors`; any other answer means the benchmark is wrong: Failed."""
        response = self.request(method, path, role, **kwargs)
        if response.status_code == status:
            return response.json()
        if response.status_code >= 500 or response.status_code == 409:
            code = response.json().get("error", {}).get("code") if response.content else None
            errors.append((time.perf_counter(), f"{method} {path}", response.status_code, code))
            return None
        raise Failed(f"{method} {path} answered {response.status_code}: {response.text[:500]}")

    def health(self) -> None:
        self.call("GET", "/api/v1/health", None)


def issue_tokens(url: str, users: dict[str, str]) -> dict[str, str]:
    """A bearer token per role, through the API (POST /api/v1/auth/token)."""
    session = requests.Session()
    tokens = {}
    for role, username in users.items():
        response = session.post(
            f"{url}/api/v1/auth/token", json={"username": username, "password": PASSWORD}
        )
        if response.status_code != 201:
            raise Failed(f"no token for {username}: {response.status_code} {response.text}")
        tokens[role] = response.json()["token"]
    return tokens


class Walker:
    """Walks measurements through the steps, one plain move at a time; a measurement that
    reaches the signing step joins the signing pool and the next one starts."""

    def __init__(self, client: Client, sop: str, plan: dict, periods: list[str], pool):
        self.client, self.sop, self.plan, self.pool = client, sop, plan, pool
        self.periods = iter(periods)
        self.task = None
        self.started = 0
        self.failed_moves = 0
        self.errors: list[tuple] = []

    def _start(self) -> dict:
        period = next(self.periods, None)
        if period is None:
            raise Failed(
                "every period of the SOP has an active measurement: bench an empty database "
                "(dropdb bench; createdb bench) or fewer --moves"
            )
        self.started += 1
        body = {"sop": self.sop, "period": period}
        return self.client.call("POST", "/api/v1/instances", "camat", 201, json=body)["open_tasks"][
            0
        ]

    def _upload(self, task: dict, role: str, outputs: list[str]) -> None:
        """Upload the step's outputs, each again until the server takes it."""
        for kind in outputs:
            pdf = demo_pdf(kind, [f"Pengukuran {self.started}", f"Langkah {task['step_no']}"])
            path = f"/api/v1/tasks/{task['id']}/documents"
            files = {"file": ("dokumen.pdf", pdf, "application/pdf")}
            for _ in range(5):
                answer = self.client.attempt(
                    self.errors, "POST", path, role, 201, data={"kind": kind}, files=files
                )
                if answer is not None:
                    break
            else:
                raise Failed(f"{path} refused {kind!r} five times: {self.errors[-1]}")

    def move(self, timings: Timings, health: Timings | None, spans: list | None = None) -> None:
        """Make one timed plain move (its uploads first, untimed), then one timed health
        call when `health` is given; `spans` collects the move's start and end."""
        if self.task is None:
            self.task = self._start()
        role, action, body, outputs = self.plan[self.task["step_no"]]
        self._upload(self.task, role, outputs)
        path = f"/api/v1/tasks/{self.task['id']}/{action}"
        start = time.perf_counter()
        answer = self.client.attempt(self.errors, "POST", path, role, 200, json=body)
        end = time.perf_counter()
        # A failed move is timed too: its user waited that long for the refusal. The task
        # stays open, and the next move tries it again.
        timings.seconds.append(end - start)
        if spans is not None:
            spans.append((start, end))
        if health is not None:
            health.time(self.client.health)
        if answer is None:
            self.failed_moves += 1
            return
        following = answer["next_tasks"]
        self.task = following[0] if following else None
        if self.task and self.plan[self.task["step_no"]][1] == "sign":
            self.pool.append(self.task)
            self.task = None

    def fill_pool(self, size: int) -> None:
        """Walk measurements, untimed, until `size` of them wait at the signing step."""
        while len(self.pool) < size:
            self.move(Timings("set-up"), None)


class Signer(threading.Thread):
    """A second client that signs the pool's measurements, one after the other with a pause
    between, until told to stop (the measurements the mover brings to the signing step join
    the pool); it records each signing's duration and span."""

    def __init__(self, client: Client, plan: dict, pool, pause: float):
        super().__init__(daemon=True)
        self.client, self.pool, self.pause = client, pool, pause
        self.role, _, self.body, _ = next(m for m in plan.values() if m[1] == "sign")
        self.timings = Timings("sign (step 12)")
        self.spans: list[tuple[float, float]] = []
        self.signing = threading.Event()
        self.errors: list[tuple] = []
        self.error: BaseException | None = None
        self.stopping = threading.Event()

    def sign(self, task: dict) -> None:
        path = f"/api/v1/tasks/{task['id']}/sign"
        start = time.perf_counter()
        # A signing the server failed is dropped from the pool, and counted.
        self.client.attempt(self.errors, "POST", path, self.role, 200, json=self.body)
        end = time.perf_counter()
        self.timings.seconds.append(end - start)
        self.spans.append((start, end))

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                # Set before the pool is looked at, so that the mover never sees an empty
                # pool and an idle signer while a signing is about to start.
                self.signing.set()
                try:
                    task = self.pool.popleft()
                except IndexError:
                    self.signing.clear()
                    self.stopping.wait(0.02)
                    continue
                self.sign(task)
                # Back to back, signings starve every other writer of SQLite's lock (one
                # run: 37 moves in 100 s, p99 26 s); a pause as long as `pause` times the
                # signing keeps them running a fixed share of the time on any machine.
                self.stopping.wait(self.pause * self.timings.seconds[-1])
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            self.error = error

    @property
    def done(self) -> bool:
        """Is the pool signed, nothing left to sign and no signing under way?"""
        return not self.pool and not self.signing.is_set()

    def finish(self) -> None:
        self.stopping.set()
        self.join()
        if self.error:
            raise self.error


def overlapping(spans: list, others: list) -> int:
    """How many of `spans` overlap one of `others` in time."""
    return sum(any(s < oe and os_ < e for os_, oe in others) for s, e in spans)


def serve_and_move(server, users, sop, periods, moves, pool_size, pause) -> dict:
    """Phases 1 and 2 over HTTP (`moves` plain moves, then half as many beside signings,
    but beside the whole pool's when it is small: the quick run); answer their Timings and
    counts."""
    least_signings = pool_size if pool_size < POOL else 0
    tokens = issue_tokens(server.url, users)
    mover = Client(server.url, tokens)
    plan = step_moves(mover.call("GET", f"/api/v1/sops/{sop}", "camat"))
    pool = collections.deque()
    walker = Walker(mover, sop, plan, periods, pool)
    signer = Signer(Client(server.url, {"camat": tokens["camat"]}), plan, pool, pause)

    stage(f"served by {server.kind}; warming up")
    # Warm-up, untimed: every code path once, a signing included.
    for _ in range(20):
        mover.health()
        signer.client.health()
    walker.fill_pool(1)
    signer.sign(pool.popleft())
    signer.timings.seconds.clear()
    signer.spans.clear()

    signer.errors.clear()
    walker.failed_moves = 0
    plain, health = Timings("move"), Timings("GET /api/v1/health")
    for number in range(1, moves + 1):
        walker.move(plain, health)
        if number % max(1, moves // 5) == 0:
            stage(f"phase 1: {number:,}/{moves:,} moves")
    failed_plain = walker.failed_moves
    walker.fill_pool(pool_size)
    stage(f"{len(pool)} measurements wait at the signing step")
    failed_before = walker.failed_moves

    busy, busy_health, spans = Timings("move, signing runs"), Timings("health, signing"), []
    signer.start()
    try:
        # Half as many moves as phase 1 (the run stays short), fewer if the pool is signed
        # before, more until `least_signings` are done.
        number = 0
        while number < max(1, moves // 2) or len(signer.spans) < least_signings:
            if number and signer.done:
                break
            walker.move(busy, busy_health, spans)
            number += 1
            if number % max(1, moves // 10) == 0:
                stage(f"phase 2: {number:,} moves, {len(signer.spans)} signed, {len(pool)} left")
    finally:
        signer.finish()
    return {
        "plain": plain,
        "health": health,
        "busy": busy,
        "busy_health": busy_health,
        "signing": signer.timings,
        "overlapping": overlapping(spans, signer.spans),
        "measurements": walker.started,
        "left_in_pool": len(pool),
        "failed_moves": failed_plain,
        "failed_with_signing": walker.failed_moves - failed_before,
        "failed_signings": len(signer.errors),
        "errors": walker.errors + signer.errors,
    }


class CommitWatch:
    """Counts the statements sent after a transaction's commit, within a move: objects the
    commit expired and the answer reloads (the issue's goal is none)."""

    def __init__(self, counter: StatementCounter):
        self.counter = counter
        self.committed = False
        self.after = 0
        sa.event.listen(counter.engine, "commit", self._commit)
        sa.event.listen(counter.engine, "before_cursor_execute", self._seen)

    def _commit(self, *args) -> None:
        if self.counter.active:
            self.committed = True

    def _seen(self, *args) -> None:
        if self.counter.active and self.committed:
            self.after += 1

    def close(self) -> None:
        sa.event.remove(self.counter.engine, "commit", self._commit)
        sa.event.remove(self.counter.engine, "before_cursor_execute", self._seen)


def count_statements(app, users, sop, periods, sample: int) -> dict:
    """Phase 3, in this process: walk `sample` measurements to the signing step, each
    returned once at the first decision, and count every move's SQL statements by kind."""
    client = app.test_client()
    headers = {}
    for role, username in users.items():
        body = {"username": username, "password": PASSWORD}
        token = expect(client.post("/api/v1/auth/token", json=body), 201)["token"]
        headers[role] = {"Authorization": f"Bearer {token}"}
    plan = step_moves(expect(client.get(f"/api/v1/sops/{sop}", headers=headers["camat"]), 200))
    counter = StatementCounter(app)
    watch = CommitWatch(counter)
    kinds = collections.defaultdict(list)
    periods = iter(periods)
    try:
        # The first measurement warms the process (caches, compiled statements): not counted.
        for number in range(sample + 1):
            body = {"sop": sop, "period": next(periods)}
            response = client.post("/api/v1/instances", json=body, headers=headers["camat"])
            task = expect(response, 201)["open_tasks"][0]
            returned = False
            while task and plan[task["step_no"]][1] != "sign":
                role, action, body, outputs = plan[task["step_no"]]
                for kind in outputs:
                    data = {"kind": kind, "file": (_pdf_file(kind), "dokumen.pdf")}
                    path = f"/api/v1/tasks/{task['id']}/documents"
                    expect(client.post(path, data=data, headers=headers[role]), 201)
                kind = {"complete": "complete", "decision": "approve"}[action]
                if action == "decision" and not returned:
                    body, kind = {"decision": "return", "note": "Perbaiki"}, "return"
                    returned = True
                path = f"/api/v1/tasks/{task['id']}/{action}"
                before, after = counter.count, watch.after
                watch.committed = False
                with counter.counting():
                    response = client.post(path, json=body, headers=headers[role])
                if number:
                    kinds[kind].append((counter.count - before, watch.after - after))
                following = expect(response, 200)["next_tasks"]
                task = following[0] if following else None
    finally:
        watch.close()
        counter.close()
    counted = [c for seen in kinds.values() for c in seen]
    return {
        "statements_per_move": sum(c for c, _ in counted) / len(counted),
        "statements_after_commit": sum(a for _, a in counted) / len(counted),
        "moves_counted": len(counted),
        **{f"statements_{k}": sum(c for c, _ in v) / len(v) for k, v in sorted(kinds.items())},
    }


def _pdf_file(kind: str) -> io.BytesIO:
    return io.BytesIO(demo_pdf(kind, ["Pengukuran", "hitung pernyataan SQL"]))


def report(figures: dict, timings: list[Timings], where: str, server_kind: str) -> None:
    """The readable table before the JSON line."""
    print()
    print(f"{where}, Python {platform.python_version()}, {server_kind}, requests keep-alive")
    print()
    print(
        f"{'call':<22}{'count':>9}{'seconds':>10}{'per second':>12}"
        f"{'mean ms':>10}{'p50 ms':>9}{'p95 ms':>9}"
    )
    for row in timings:
        if row.seconds:
            print(row.row())
    print()
    print(f"moves per second:        {figures['moves_per_s']:,.1f}")
    print(f"health per second:       {figures['baseline_per_s']:,.1f}  (baseline, interleaved)")
    print(f"ratio move/health:       {figures['ratio']:.3f}  (goal >= 0.2)")
    print(f"p50 / p99 plain:         {figures['p50_ms']:.1f} / {figures['p99_ms']:.1f} ms")
    print(
        f"p50 / p99 with signing:  {figures['p50_with_signing_ms']:.1f} / "
        f"{figures['p99_with_signing_ms']:.1f} ms  (goal p99 <= 3x p50; "
        f"{figures['moves_overlapping_signing']:,} of {figures['moves_with_signing']:,} moves "
        f"overlapped one of {figures['signings']:,} signings, "
        f"p50 {figures['signing_p50_ms']:.0f} ms)"
    )
    print(
        f"failed by the server:    {figures['failed_moves']} moves alone, "
        f"{figures['failed_with_signing']} moves and {figures['failed_signings']} signings "
        "while signing (5xx or 409; timed, then tried again)"
    )
    print(
        f"SQL statements per move: {figures['statements_per_move']:.1f}  (goal <= 10; "
        f"{figures['statements_after_commit']:.1f} after the commit; in-process)"
    )


def run(args, folder: Path, moves: int, pool_size: int, sample: int):
    """Set up the database, serve it for phases 1 and 2, count statements in phase 3;
    answer the figures of each, the engine's and the server's names and the database URL."""
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    ensure_database(url)
    app, users, dialect = make_app(url, folder / "blobs")
    certificate = folder / "signing-office.p12"
    prepare_users(app, users, certificate)
    periods = free_periods(app, args.sop)
    # Each measurement gives 11 plain moves; the pool, the warm-up and phase 3 need more.
    needed = math.ceil(2 * moves / 11) + pool_size + sample + 6
    if len(periods) < needed:
        raise SystemExit(f"{len(periods)} free periods, {needed} needed: bench an empty database")
    close_app(app)
    stage("database ready; starting the server")
    server = GunicornServer(
        url,
        folder / "blobs",
        folder / "server.log",
        workers=args.workers,
        threads=args.threads,
        env={"SIGNING_SELF_SIGNED_FILE": str(certificate)},
    )
    try:
        with server:
            http = serve_and_move(
                server, users, args.sop, periods, moves, pool_size, args.signing_pause
            )
    except Failed as error:
        log = server.log_path.read_text()[-2000:]
        raise SystemExit(f"{error}\n(the server's log ends: {log})") from error
    if http["errors"]:
        # The answers the server failed, and its log's end, before the folder goes.
        first = http["errors"][0][0]
        for at, call, status, code in http["errors"][:20]:
            print(f"  +{at - first:7.2f} s {call} {status} {code}", file=sys.stderr)
        print(server.log_path.read_text()[-3000:], file=sys.stderr)
    stage("server stopped; phase 3: SQL statements per move, in this process")
    counted = count_statements(app, users, args.sop, periods[http["measurements"] :], sample)
    close_app(app)
    return http, counted, dialect, server.kind, url


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--moves", "--measurements", type=int, default=MOVES, dest="moves",
        help=f"timed plain moves per phase ({MOVES:,})",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a short run, as the tests do")
    parser.add_argument("--sop", default="pengukuran-kinerja", help="the SOP to walk")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (1: sync workers)"
    )
    parser.add_argument(
        "--signing-pause", type=float, default=1.0,
        help="the pause after each signing, in multiples of its duration (1; 0: back to back)",
    )  # fmt: skip
    parser.add_argument(
        "--database-url",
        help="a database to bench instead of a fresh SQLite file, created if missing and "
        "migrated (e.g. postgresql+psycopg://postgres@127.0.0.1/bench)",
    )
    args = parser.parse_args(argv)
    if args.moves < 1:
        parser.error("--moves must be at least 1")
    moves = QUICK_MOVES if args.quick else args.moves
    pool_size = QUICK_POOL if args.quick else POOL
    sample = 1 if args.quick else STATEMENT_SAMPLE
    logging.getLogger("alembic").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="sakip-bench-moves-") as tmp:
        try:
            http, counted, dialect, server_kind, url = run(
                args, Path(tmp), moves, pool_size, sample
            )
        finally:
            # The app writes its pending audit checkpoint at exit, beside the blob store:
            # now, while the folder is there, or it would make the folder again.
            journal._writer.flush_pending()

    plain, health, busy, signing = http["plain"], http["health"], http["busy"], http["signing"]
    figures = {
        "benchmark": "moves",
        "engine": dialect,
        "server": server_kind,
        "moves": moves,
        "moves_per_s": plain.rate,
        "baseline": "GET /api/v1/health",
        "baseline_per_s": health.rate,
        "ratio": plain.rate / health.rate,
        "p50_ms": plain.median_ms,
        "p99_ms": plain.percentile_ms(0.99),
        "baseline_p50_ms": health.median_ms,
        "p50_with_signing_ms": busy.median_ms,
        "p99_with_signing_ms": busy.percentile_ms(0.99),
        "p99_over_p50_with_signing": busy.percentile_ms(0.99) / busy.median_ms,
        "moves_with_signing": len(busy.seconds),
        "moves_overlapping_signing": http["overlapping"],
        "signings": len(signing.seconds),
        "signing_p50_ms": signing.median_ms if signing.seconds else 0.0,
        "signing_pause": args.signing_pause,
        "failed_moves": http["failed_moves"],
        "failed_with_signing": http["failed_with_signing"],
        "failed_signings": http["failed_signings"],
        "measurements": http["measurements"],
        **counted,
    }
    shown = sa.make_url(url).render_as_string(hide_password=True)
    where = f"{moves:,} plain moves a phase on {dialect} " + (
        f"({shown})" if args.database_url else "(fresh file in a temp dir)"
    )
    report(figures, [health, plain, http["busy_health"], busy, signing], where, server_kind)
    print_figures(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())

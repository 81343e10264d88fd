"""What the benchmarks share: the app on a fresh database, timings, SQL counting, the
JSON line every benchmark ends with."""

import json
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.cli import load_reference_data  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services.accounts import create_user  # noqa: E402

PASSWORD = "bench-password"
ROLES = ("camat", "sekcam", "kasi", "anggota")


def make_app(database_url: str, storage: Path, roles=ROLES):
    """Build the app on a migrated database with the SOPs, the calendar and one user per role;
    answer the app, the users' names by role, and the engine's name."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "STORAGE_DIR": str(storage),
            "SECRET_KEY": "bench",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "AUDIT_KEY": "bench-audit-key-not-for-production",
        }
    )
    # A unique suffix lets a benchmark run again on the same PostgreSQL database.
    suffix = uuid.uuid4().hex[:8]
    with app.app_context():
        upgrade()
        load_reference_data()
        users = {}
        for role in roles:
            username = f"bench-{role}-{suffix}"
            create_user(
                username=username, full_name=f"Bench {role}", password=PASSWORD, roles=[role]
            )
            users[role] = username
        db.session.commit()
        dialect = db.engine.dialect.name
    return app, users, dialect


def close_app(app) -> None:
    """Close the app's database connections."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


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

    def percentile_ms(self, share: float) -> float:
        """The nearest-rank percentile of the durations, in milliseconds."""
        ms = sorted(s * 1000 for s in self.seconds)
        return ms[min(len(ms) - 1, max(0, round(share * len(ms) + 0.5) - 1))]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    def row(self) -> str:
        ms = [s * 1000 for s in self.seconds]
        return (
            f"{self.name:<22}{len(ms):>9,}{sum(self.seconds):>10.2f}{self.rate:>12,.1f}"
            f"{statistics.fmean(ms):>10.2f}{self.median_ms:>9.2f}{self.percentile_ms(0.95):>9.2f}"
        )


def expect(response, status: int) -> dict:
    """Answer the response's JSON, or stop the benchmark if the call failed."""
    if response.status_code != status:
        raise SystemExit(
            f"{response.request.method} {response.request.path} answered "
            f"{response.status_code}: {response.get_data(as_text=True)[:500]}"
        )
    return response.get_json()


class StatementCounter:
    """Counts the SQL statements sent to an engine while `counting` is on."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.count = 0
        self.active = False
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        if self.active:
            self.count += 1

    @contextmanager
    def counting(self):
        self.active = True
        try:
            yield self
        finally:
            self.active = False

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)


def print_figures(figures: dict) -> None:
    """Print the run's figures as one JSON object on the last line, for runs to compare."""
    rounded = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    print(json.dumps(rounded, ensure_ascii=False), flush=True)

"""The analytics let SQL do the counting: the same number of statements for a handful of
closed tasks and for thousands."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Instance, InstanceStatus, SopVersion, Task, TaskOutcome, TaskStatus, User
from app.services.analytics import Scope, step_analytics

SOP = "pengukuran-kinerja"


def _add_measurements(count: int, offset: int) -> None:
    """Insert `count` completed measurements of twelve closed tasks each, in bulk."""
    version_id = db.session.scalar(sa.select(SopVersion.id).filter_by(code=SOP))
    camat_id = db.session.scalar(sa.select(User.id).filter_by(username="camat"))
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    instances = []
    for n in range(offset, offset + count):
        begun = start + timedelta(days=n % 300, minutes=n)
        instances.append(
            {
                "sop_version_id": version_id,
                "sop_code": SOP,
                "period": f"2026-Q{n % 4 + 1}",
                "title": f"Pengukuran {n}",
                "status": InstanceStatus.COMPLETED,
                "started_at": begun,
                "completed_at": begun + timedelta(hours=30),
                "started_by_id": camat_id,
                "returns": n % 2,
                "updated_at": begun,
                "version": 1,
            }
        )
    ids = db.session.scalars(sa.insert(Instance).returning(Instance.id), instances).all()
    tasks = []
    for instance_id, row in zip(ids, instances, strict=True):
        for step_no in range(1, 13):
            opened = row["started_at"] + timedelta(hours=2 * step_no)
            tasks.append(
                {
                    "instance_id": instance_id,
                    "step_no": step_no,
                    "iteration": 1,
                    "status": TaskStatus.DONE,
                    "outcome": TaskOutcome.COMPLETED,
                    "opened_at": opened,
                    "due_at": opened + timedelta(minutes=60),
                    "closed_at": opened + timedelta(minutes=30 + (instance_id * step_no) % 90),
                    "elapsed_minutes": 30 + (instance_id * step_no) % 90,
                    "working_minutes": 30 + (instance_id * step_no) % 90,
                    "late": (instance_id * step_no) % 90 > 30,
                    "backdated": False,
                    "version": 1,
                }
            )
    db.session.execute(sa.insert(Task), tasks)
    db.session.commit()


def _statements_of_analytics(reader: User) -> tuple[int, int]:
    step_analytics(Scope(SOP), reader)  # after a commit: reload the reader, not counted
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = step_analytics(Scope(SOP, period="2026"), reader)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements), sum(step.tasks for step in result.steps)


def test_statements_do_not_grow_with_tasks(app_ctx, users):
    """Do 5 measurements and 300 (3 600 closed tasks) cost the same number of statements?"""
    reader = db.session.scalar(sa.select(User).filter_by(username="camat"))
    _add_measurements(5, 0)
    few, tasks = _statements_of_analytics(reader)
    assert tasks == 60
    _add_measurements(295, 5)
    many, tasks = _statements_of_analytics(reader)
    assert tasks == 3600
    assert many == few
    assert few <= 7

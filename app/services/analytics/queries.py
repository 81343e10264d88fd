"""The SQL of the analytics: the database counts the closed tasks and ranks their working
minutes, a fixed number of statements however many measurements there are.

Percentiles are nearest rank, taken with window functions that SQLite and PostgreSQL share:
within a group of n tasks ordered by working minutes, the p-th percentile is the task at
row number ceil(p × n / 100), written (p × n + 99) // 100 in integer arithmetic.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from app.extensions import db
from app.models import Instance, SopVersion, Task, TaskOutcome, TaskStatus
from app.services.analytics.figures import MEDIAN, P90, Counts
from app.services.sop_definitions import definition_of

KEYS = ("step_no", "quarter", "role")


def lane_expression(versions: Sequence[SopVersion]):
    """A SQL expression naming the lane (the step's first actor, as on the board) of a task,
    from its instance's pinned SOP version and its step number."""
    whens = []
    for version in versions:
        lanes: dict[str, list[int]] = {}
        for step in definition_of(version).steps:
            lanes.setdefault(step.actors[0], []).append(step.no)
        for role, numbers in lanes.items():
            condition = sa.and_(Instance.sop_version_id == version.id, Task.step_no.in_(numbers))
            whens.append((condition, sa.literal(role)))
    return sa.case(*whens, else_=sa.literal("")) if whens else sa.literal("")


def closed_tasks(conditions: list, quarter, lane) -> sa.Subquery:
    """The scope's closed tasks, one row each with the keys they are grouped by."""
    return (
        sa.select(
            Task.step_no.label("step_no"),
            quarter.label("quarter"),
            lane.label("role"),
            Task.working_minutes.label("minutes"),
            sa.case((Task.late.is_(True), 1), else_=0).label("late"),
            sa.case((Task.outcome == TaskOutcome.RETURNED, 1), else_=0).label("returned"),
        )
        .join(Instance, Task.instance_id == Instance.id)
        .where(Task.status == TaskStatus.DONE, *conditions)
        .subquery("closed")
    )


def _rank_at(count, percent: int):
    return (count * percent + 99) // 100


def count_tasks(closed: sa.Subquery, keys: Sequence[str]) -> dict[tuple, Counts]:
    """Count the closed tasks per group of `keys` (of KEYS), with the median and p90 of their
    working minutes: one statement."""
    group = [closed.c[key] for key in keys]
    ranked = sa.select(
        *group,
        closed.c.minutes,
        closed.c.late,
        closed.c.returned,
        sa.func.row_number().over(partition_by=group, order_by=closed.c.minutes).label("rank"),
        sa.func.count().over(partition_by=group).label("n"),
    ).subquery("ranked")
    by = [ranked.c[key] for key in keys]

    def at_rank(percent: int):
        hit = ranked.c["rank"] == _rank_at(ranked.c.n, percent)
        return sa.func.min(sa.case((hit, ranked.c.minutes)))

    query = sa.select(
        *by,
        sa.func.count(),
        sa.func.sum(ranked.c.late),
        sa.func.sum(ranked.c.returned),
        at_rank(MEDIAN),
        at_rank(P90),
    ).group_by(*by)
    result = {}
    for row in db.session.execute(query):
        key, (tasks, late, returns, median, p90) = tuple(row[: len(keys)]), row[len(keys) :]
        late, returns = int(late or 0), int(returns or 0)
        result[key] = Counts(
            tasks=tasks,
            on_time=tasks - late,
            late=late,
            returns=returns,
            median_working_minutes=median,
            p90_working_minutes=p90,
        )
    return result


def scope_instances(conditions: list) -> list:
    """The scope's measurements, oldest first: one statement."""
    return db.session.execute(
        sa.select(
            Instance.id,
            Instance.title,
            Instance.period,
            Instance.status,
            Instance.started_at,
            Instance.completed_at,
            Instance.returns,
        )
        .where(*conditions)
        .order_by(Instance.started_at, Instance.id)
    ).all()


def versions_of(sop: str) -> list[SopVersion]:
    """Every version of SOP `sop`, oldest first: one statement."""
    if "\x00" in sop:
        return []  # no code holds a NUL, and PostgreSQL cannot even compare text that does
    return list(
        db.session.scalars(sa.select(SopVersion).filter_by(code=sop).order_by(SopVersion.version))
    )

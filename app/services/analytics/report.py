"""Put the analytics together: the SQL's counts, the definition's steps and standards, and
each completed measurement's cycle time on the office's working calendar."""

from collections import defaultdict

from app.errors import DomainError
from app.models import ADMIN, VIEWER, InstanceStatus, User
from app.services.analytics import queries
from app.services.analytics.figures import (
    MEDIAN,
    Analytics,
    Counts,
    InstanceFigures,
    Measurement,
    QuarterFigures,
    RoleFigures,
    StepFigures,
    nearest_rank,
    ratio,
)
from app.services.analytics.scope import Scope, local_quarter, quarter_expression
from app.services.calendar import WorkingCalendar
from app.services.office_calendar import office_calendar
from app.services.sop_definitions import SopDefinition, Step, definition_of

SYSTEM_READERS = (ADMIN, VIEWER)


def reader_roles(definition: SopDefinition) -> tuple[str, ...]:
    """Who may read a SOP's analytics: the actors of its decision steps (the reviewers: the
    Sekcam and the Camat of the shipped SOP), the admin and the viewer."""
    reviewers = {actor for step in definition.steps if step.is_decision for actor in step.actors}
    return (*sorted(reviewers), *SYSTEM_READERS)


def may_read(user: User, definition: SopDefinition) -> bool:
    """Tell whether `user` may read the analytics of `definition`."""
    return user.has_role(*reader_roles(definition))


def standard_minutes(step: Step, calendar: WorkingCalendar) -> int:
    """The mutu baku in working minutes: a minute standard is itself; a day standard counts
    the calendar's longest working day for each day (a full Monday to Thursday)."""
    if step.standard.unit == "minute":
        return step.standard.value
    longest = max(
        sum(end.hour * 60 + end.minute - start.hour * 60 - start.minute for start, end in periods)
        for periods in calendar.periods.values()
    )
    return step.standard.value * longest


def _step_rows(
    definition: SopDefinition, counts: dict[int, Counts], calendar: WorkingCalendar
) -> list[StepFigures]:
    rows = []
    for step in definition.steps:
        found = counts.get(step.no, Counts())
        rows.append(
            StepFigures(
                **vars(found),
                step_no=step.no,
                step_name=step.name,
                actors=step.actors,
                actor_names=tuple(definition.actor_names(step.actors)),
                standard_minutes=standard_minutes(step, calendar),
                standard=step.standard,
                is_decision=step.is_decision,
            )
        )
    return rows


def _role_rows(definition: SopDefinition, counts: dict[str, Counts]) -> list[RoleFigures]:
    rows = []
    for actor in definition.actors:
        steps = tuple(s.no for s in definition.steps if s.actors[0] == actor.code)
        if not steps:
            continue
        found = counts.get(actor.code, Counts())
        rows.append(RoleFigures(**vars(found), role=actor.code, role_name=actor.name, steps=steps))
    return rows


def _instance_figures(measurements: list[Measurement]) -> InstanceFigures:
    cycles = sorted(
        m.cycle_working_minutes for m in measurements if m.cycle_working_minutes is not None
    )
    return InstanceFigures(
        measurements=len(measurements),
        completed=len(cycles),
        median_cycle_working_minutes=nearest_rank(cycles, MEDIAN),
        returns_per_instance=ratio(sum(m.returns for m in measurements), len(measurements)),
    )


def _measurements(rows, calendar: WorkingCalendar) -> list[Measurement]:
    result = []
    for row in rows:
        completed = row.status == InstanceStatus.COMPLETED and row.completed_at is not None
        result.append(
            Measurement(
                instance_id=row.id,
                title=row.title,
                period=row.period,
                status=str(row.status),
                quarter=local_quarter(row.started_at),
                started_at=row.started_at,
                completed_at=row.completed_at,
                cycle_working_minutes=(
                    calendar.working_minutes_between(row.started_at, row.completed_at)
                    if completed
                    else None
                ),
                returns=row.returns,
            )
        )
    return result


def _sum_counts(rows: list[StepFigures]) -> Counts:
    return Counts(
        tasks=sum(r.tasks for r in rows),
        on_time=sum(r.on_time for r in rows),
        late=sum(r.late for r in rows),
        returns=sum(r.returns for r in rows),
    )


def readable_versions(sop: str, reader: User) -> list:
    """The versions of SOP `sop`, oldest first, if `reader` may read its analytics: 404 for
    an SOP the office does not run, 403 for a reader who is not one of its readers."""
    versions = queries.versions_of(sop)
    if not versions:
        raise DomainError(404, "unknown_sop", sop=sop)
    if not may_read(reader, definition_of(versions[-1])):
        raise DomainError(403, "forbidden")
    return versions


def step_analytics(scope: Scope, reader: User) -> Analytics:
    """The analytics of the scope's measurements, if `reader` may read them (else 403)."""
    versions = readable_versions(scope.sop, reader)
    # The newest version names the steps; the lanes follow each instance's pinned version.
    definition = definition_of(versions[-1])
    calendar = office_calendar()
    conditions = scope.conditions()
    measurements = _measurements(queries.scope_instances(conditions), calendar)
    quarters = sorted({m.quarter for m in measurements})
    closed = queries.closed_tasks(
        conditions,
        quarter_expression(quarters),
        queries.lane_expression(versions),
    )
    by_step = {key[0]: c for key, c in queries.count_tasks(closed, ["step_no"]).items()}
    by_role = {key[0]: c for key, c in queries.count_tasks(closed, ["role"]).items()}
    by_quarter: dict[str, dict[int, Counts]] = defaultdict(dict)
    for (quarter, step_no), counts in queries.count_tasks(closed, ["quarter", "step_no"]).items():
        by_quarter[quarter][step_no] = counts
    roles_by_quarter: dict[str, dict[str, Counts]] = defaultdict(dict)
    for (quarter, role), counts in queries.count_tasks(closed, ["quarter", "role"]).items():
        roles_by_quarter[quarter][role] = counts
    trend = []
    for quarter in quarters:
        steps = _step_rows(definition, by_quarter[quarter], calendar)
        trend.append(
            QuarterFigures(
                quarter=quarter,
                instances=_instance_figures([m for m in measurements if m.quarter == quarter]),
                totals=_sum_counts(steps),
                steps=steps,
                roles=_role_rows(definition, roles_by_quarter[quarter]),
            )
        )
    return Analytics(
        sop=scope.sop,
        sop_title=definition.title,
        steps=_step_rows(definition, by_step, calendar),
        roles=_role_rows(definition, by_role),
        instances=_instance_figures(measurements),
        measurements=measurements,
        trend=trend,
    )

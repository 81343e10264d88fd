"""A hand-made history of measurements for the analytics tests: instances and tasks written
straight into the database with opened, closed and due times worked out by hand.

Times are WIB (UTC+7). The office works Mon–Thu 07:30–12:00 and 12:30–16:00, Fri 07:30–11:30
and 13:00–14:30. 18–24 March 2026 is a run of days off (cuti bersama 18, 20, 23, 24; Nyepi 19;
the weekend 21–22) and Good Friday is 3 April 2026. Standards: step 8 120 menit, step 9 30,
step 10 60, step 11 90 (steps 8–9 in the Anggota's lane, 10 the Sekcam's, 11 the Camat's).
"""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from app.extensions import db
from app.models import Instance, InstanceStatus, SopVersion, Task, TaskOutcome, TaskStatus, User
from app.services.office_calendar import office_calendar
from app.services.sop_definitions import definition_of

WIB = timezone(timedelta(hours=7))
SOP = "pengukuran-kinerja"
DONE, OK, BACK = TaskOutcome.COMPLETED, TaskOutcome.APPROVED, TaskOutcome.RETURNED


def at(day: str, clock: str) -> datetime:
    """ "2026-03-02", "08:00" → that moment in WIB."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=WIB)


def _instance(period, started, status, camat, completed=None, returns=0) -> Instance:
    version = db.session.scalar(
        sa.select(SopVersion).filter_by(code=SOP).order_by(SopVersion.version.desc())
    )
    instance = Instance(
        sop_version=version,
        sop_code=SOP,
        period=period,
        title=f"Pengukuran {period} ({started:%d %b})",
        status=status,
        started_at=started,
        completed_at=completed,
        started_by=camat,
        returns=returns,
        updated_at=completed or started,
    )
    db.session.add(instance)
    return instance


def _task(instance, step_no, iteration, opened, due, closed=None, minutes=None, outcome=DONE):
    """A task whose due time and working minutes are the hand-worked ones, checked against
    the office calendar so a slip in the arithmetic fails the test rather than hides."""
    calendar = office_calendar()
    step = definition_of(instance.sop_version).step(step_no)
    assert calendar.due_at(opened, step.standard.value, step.standard.unit) == due, (step_no, due)
    task = Task(
        instance=instance, step_no=step_no, iteration=iteration, opened_at=opened, due_at=due
    )
    if closed is not None:
        assert calendar.working_minutes_between(opened, closed) == minutes, (step_no, minutes)
        task.status, task.outcome, task.closed_at = TaskStatus.DONE, outcome, closed
        task.working_minutes = minutes
        task.elapsed_minutes = int((closed - opened).total_seconds() // 60)
        task.late = closed > due
    else:
        task.status = TaskStatus.OPEN
    db.session.add(task)
    return task


def build_history() -> dict[str, Instance]:
    """Write measurements A–D (in scope for January–June 2026) and E (cancelled), F (July)."""
    camat = db.session.scalar(sa.select(User).filter_by(username="camat"))
    d = "2026-03-02"  # A, a Monday of Q1: one return by the Sekcam.
    a = _instance("2026-Q1", at(d, "08:00"), InstanceStatus.COMPLETED, camat, at(d, "13:00"), 1)
    _task(a, 9, 1, at(d, "08:00"), at(d, "08:30"), at(d, "08:20"), 20)  # on time
    _task(a, 10, 1, at(d, "08:20"), at(d, "09:20"), at(d, "09:50"), 90, BACK)  # late, returned
    _task(a, 9, 2, at(d, "09:50"), at(d, "10:20"), at(d, "10:10"), 20)
    _task(a, 10, 2, at(d, "10:10"), at(d, "11:10"), at(d, "10:50"), 40, OK)
    # 10:50–12:00 is 70 minutes, the lunch break is not counted, 12:30–13:00 adds 30: 100
    # (wall clock 130); due at 10:50 + 70 + 20 = 12:50, so closing at 13:00 is late.
    _task(a, 11, 1, at(d, "10:50"), at(d, "12:50"), at(d, "13:00"), 100, OK)
    # A's cycle: 08:00–12:00 (240) + 12:30–13:00 (30) = 270 working minutes.

    # B starts on Tuesday 17 March 15:00, the afternoon before the days off.
    b = _instance(
        "2026-Q1", at("2026-03-17", "15:00"), InstanceStatus.COMPLETED, camat,
        at("2026-03-25", "12:00"),
    )  # fmt: skip
    # Step 8 across the days off: 15:00–16:00 on the 17th (60), then nothing until Wednesday
    # 25 March 07:30; 07:30–09:00 (90): 150 working minutes, while the wall clock says
    # 8 days less 6 hours = 11 160 minutes. Due after 120: 60 on the 17th + 60 → 25 Mar 08:30.
    _task(b, 8, 1, at("2026-03-17", "15:00"), at("2026-03-25", "08:30"),
          at("2026-03-25", "09:00"), 150)  # fmt: skip
    d = "2026-03-25"
    _task(b, 9, 1, at(d, "09:00"), at(d, "09:30"), at(d, "09:45"), 45)  # late
    _task(b, 10, 1, at(d, "09:45"), at(d, "10:45"), at(d, "10:30"), 45, OK)
    _task(b, 11, 1, at(d, "10:30"), at(d, "12:00"), at(d, "12:00"), 90, OK)  # exactly at due
    # B's cycle: 60 on the 17th + 07:30–12:00 on the 25th (270) = 330.

    # C starts on Thursday 2 April 15:00 (Q2), the day before Good Friday; the Camat returns.
    c = _instance(
        "2026-Q2", at("2026-04-02", "15:00"), InstanceStatus.COMPLETED, camat,
        at("2026-04-06", "11:20"), 1,
    )  # fmt: skip
    # 15:00–16:00 Thursday (60), Friday 3 April and the weekend off, Monday 07:30–07:45 (15):
    # 75; due at 15:30 the same Thursday, so late.
    _task(c, 9, 1, at("2026-04-02", "15:00"), at("2026-04-02", "15:30"),
          at("2026-04-06", "07:45"), 75)  # fmt: skip
    d = "2026-04-06"
    _task(c, 10, 1, at(d, "07:45"), at(d, "08:45"), at(d, "08:30"), 45, OK)
    _task(c, 11, 1, at(d, "08:30"), at(d, "10:00"), at(d, "09:30"), 60, BACK)  # returned
    _task(c, 9, 2, at(d, "09:30"), at(d, "10:00"), at(d, "09:50"), 20)
    _task(c, 10, 2, at(d, "09:50"), at(d, "10:50"), at(d, "10:30"), 40, OK)
    _task(c, 11, 2, at(d, "10:30"), at(d, "12:00"), at(d, "11:20"), 50, OK)
    # C's cycle: 60 on Thursday + 07:30–11:20 on Monday (230) = 290.

    d = "2026-04-14"  # D, a Tuesday of Q2, still running.
    dd = _instance("2026-Q2", at(d, "08:00"), InstanceStatus.ACTIVE, camat)
    _task(dd, 9, 1, at(d, "08:00"), at(d, "08:30"), at(d, "08:40"), 40)  # late
    _task(dd, 10, 1, at(d, "08:40"), at(d, "09:40"))  # open: not counted

    # Out of scope: a cancelled measurement, and one started in July.
    e = _instance("2026-Q1", at("2026-03-10", "08:00"), InstanceStatus.CANCELLED, camat)
    _task(e, 9, 1, at("2026-03-10", "08:00"), at("2026-03-10", "08:30"),
          at("2026-03-10", "08:10"), 10)  # fmt: skip
    f = _instance("2026-Q3", at("2026-07-06", "08:00"), InstanceStatus.ACTIVE, camat)
    _task(f, 9, 1, at("2026-07-06", "08:00"), at("2026-07-06", "08:30"),
          at("2026-07-06", "08:10"), 10)  # fmt: skip
    db.session.commit()
    return {"A": a, "B": b, "C": c, "D": dd, "E": e, "F": f}

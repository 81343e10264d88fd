"""The Kinerja SOP analytics over a hand-made history, figure by figure (tests/analytics_history
has the times; the arithmetic of every expected figure is written beside it)."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import User
from app.services.analytics import Scope, step_analytics
from app.services.analytics.figures import nearest_rank
from tests.analytics_history import SOP, build_history

FIRST_HALF = {"since": date(2026, 1, 1), "until": date(2026, 6, 30)}

# step: (tasks, on_time, late, compliance, median, p90, standard, returns)
EXPECTED_STEPS = {
    # B's 150 (late: due 08:30, closed 09:00): 0 / 1 on time.
    8: (1, 0, 1, Decimal("0.0"), 150, 150, 120, 0),
    # A 20, A 20, B 45 (late), C 75 (late), C 20, D 40 (late): 3 / 6 = 50.0 %;
    # sorted 20 20 20 40 45 75: median rank ceil(0.5 × 6) = 3 → 20, p90 rank ceil(5.4) = 6 → 75.
    9: (6, 3, 3, Decimal("50.0"), 20, 75, 30, 0),
    # A 90 (late, returned), A 40, B 45, C 45, C 40: 4 / 5 = 80.0 %; sorted 40 40 45 45 90:
    # median rank 3 → 45, p90 rank ceil(4.5) = 5 → 90; the return counts here, at the Sekcam.
    10: (5, 4, 1, Decimal("80.0"), 45, 90, 60, 1),
    # A 100 (late), B 90 (at the due time: on time), C 60 (returned), C 50: 3 / 4 = 75.0 %;
    # sorted 50 60 90 100: median rank 2 → 60, p90 rank ceil(3.6) = 4 → 100.
    11: (4, 3, 1, Decimal("75.0"), 60, 100, 90, 1),
}


def _figures(row):
    return (
        row.tasks,
        row.on_time,
        row.late,
        row.compliance,
        row.median_working_minutes,
        row.p90_working_minutes,
        row.standard_minutes,
        row.returns,
    )


def _reader(username="camat") -> User:
    return db.session.scalar(sa.select(User).filter_by(username=username))


@pytest.fixture
def history(app_ctx, users):
    return build_history()


def test_steps_match_the_hand_worked_figures(history):
    """Does every step's count, compliance, median, p90 and return match the hand arithmetic?"""
    result = step_analytics(Scope(SOP, **FIRST_HALF), _reader())
    rows = {row.step_no: row for row in result.steps}
    assert list(rows) == list(range(1, 13))
    for step_no, expected in EXPECTED_STEPS.items():
        assert _figures(rows[step_no]) == expected, step_no
    # Steps nobody closed a task of: nothing counted, no compliance rather than 0 %.
    assert _figures(rows[1]) == (0, 0, 0, None, None, None, 15, 0)
    # A day standard in working minutes: 2 working days of 480 minutes.
    assert rows[7].standard_minutes == 960
    assert rows[10].actors == ("sekcam",)


def test_measurements_cycle_times_and_returns(history):
    """Are cycle times counted in working minutes over the days off, with the rounds?"""
    result = step_analytics(Scope(SOP, **FIRST_HALF), _reader())
    cycles = {m.instance_id: (m.cycle_working_minutes, m.returns) for m in result.measurements}
    assert cycles == {
        history["A"].id: (270, 1),  # 08:00–12:00 + 12:30–13:00
        history["B"].id: (330, 0),  # 60 on 17 March + 270 on 25 March, 18–24 March off
        history["C"].id: (290, 1),  # 60 on 2 April + 230 on 6 April, Good Friday off
        history["D"].id: (None, 0),  # still running: no cycle time
    }
    # Completed 270 290 330: median rank 2 → 290; 2 returns over 4 measurements = 0.50.
    instances = result.instances
    assert (instances.measurements, instances.completed) == (4, 3)
    assert instances.median_cycle_working_minutes == 290
    assert instances.returns_per_instance == Decimal("0.50")


def test_roles_follow_the_board_lanes(history):
    """Does each lane count the tasks of its steps (the first actor's, as on the board)?"""
    result = step_analytics(Scope(SOP, **FIRST_HALF), _reader())
    roles = {row.role: row for row in result.roles}
    # Anggota: step 8's 150 and step 9's six: 3 / 7 on time = 42.857… → 42.9 %; sorted
    # 20 20 20 40 45 75 150: median rank ceil(3.5) = 4 → 40, p90 rank ceil(6.3) = 7 → 150.
    anggota = roles["anggota"]
    assert (anggota.tasks, anggota.on_time, anggota.late, anggota.compliance) == (
        7,
        3,
        4,
        Decimal("42.9"),
    )
    assert (anggota.median_working_minutes, anggota.p90_working_minutes) == (40, 150)
    assert anggota.steps == (5, 6, 7, 8, 9)
    assert (roles["sekcam"].tasks, roles["sekcam"].returns, roles["sekcam"].compliance) == (
        5,
        1,
        Decimal("80.0"),
    )
    assert (roles["camat"].tasks, roles["camat"].median_working_minutes) == (4, 60)
    assert (roles["kasi"].tasks, roles["kasi"].compliance) == (0, None)


def test_trend_by_the_measurements_quarter(history):
    """Does the trend give each quarter its own measurements' figures?"""
    result = step_analytics(Scope(SOP, **FIRST_HALF), _reader())
    assert [q.quarter for q in result.trend] == ["2026-Q1", "2026-Q2"]
    q1, q2 = result.trend
    # Q1 (A, B): cycles 270 330 → median rank 1 → 270; 1 return / 2 = 0.50.
    assert (q1.instances.completed, q1.instances.median_cycle_working_minutes) == (2, 270)
    assert q1.instances.returns_per_instance == Decimal("0.50")
    # Tasks 1 + 3 + 3 + 2 = 9, late 1 + 1 + 1 + 1 = 4: 5 / 9 = 55.6 %.
    assert (q1.totals.tasks, q1.totals.late, q1.totals.compliance) == (9, 4, Decimal("55.6"))
    q1_steps = {s.step_no: s for s in q1.steps}
    # Step 9 in Q1: 20 20 45 (late): 2 / 3 = 66.7 %, median rank 2 → 20, p90 rank 3 → 45.
    assert _figures(q1_steps[9])[:6] == (3, 2, 1, Decimal("66.7"), 20, 45)
    # Step 11 in Q1: 100 (late) 90: 50.0 %, median rank 1 → 90, p90 rank 2 → 100.
    assert _figures(q1_steps[11])[:6] == (2, 1, 1, Decimal("50.0"), 90, 100)
    # Q2 (C, D): C's 290 only; tasks 3 + 2 + 2 = 7, late 2 (C's and D's step 9): 71.4 %.
    assert (q2.instances.completed, q2.instances.median_cycle_working_minutes) == (1, 290)
    assert (q2.totals.tasks, q2.totals.late, q2.totals.compliance) == (7, 2, Decimal("71.4"))
    q2_steps = {s.step_no: s for s in q2.steps}
    # Step 9 in Q2: 75 (late) 20 40 (late): 1 / 3 = 33.3 %, sorted 20 40 75: median 40, p90 75.
    assert _figures(q2_steps[9])[:6] == (3, 1, 2, Decimal("33.3"), 40, 75)
    assert _figures(q2_steps[10])[:6] == (2, 2, 0, Decimal("100.0"), 40, 45)
    # The lanes per quarter: the Anggota's Q1 is step 8's 150 (late) and step 9's 20 20 45
    # (late): 2 / 4 = 50.0 %, sorted 20 20 45 150: median rank 2 → 20, p90 rank 4 → 150.
    q1_roles = {r.role: r for r in q1.roles}
    anggota = q1_roles["anggota"]
    assert (anggota.tasks, anggota.late, anggota.compliance) == (4, 2, Decimal("50.0"))
    assert (anggota.median_working_minutes, anggota.p90_working_minutes) == (20, 150)
    # The Camat's Q2: C's 60 (returned) and 50: both on time, one return.
    camat = {r.role: r for r in q2.roles}["camat"]
    assert (camat.tasks, camat.on_time, camat.returns, camat.compliance) == (
        2,
        2,
        1,
        Decimal("100.0"),
    )


def test_the_slowest_step_against_its_standard(history):
    """Is the step whose median runs furthest over its mutu baku named (150 / 120 at step 8)?"""
    result = step_analytics(Scope(SOP, **FIRST_HALF), _reader())
    assert result.slowest_step.step_no == 8
    assert result.slowest_step.over_standard == Decimal("1.25")


def test_period_and_range_choose_the_measurements(history):
    """Do a period, or a range of start dates, choose which measurements count?"""
    q1 = step_analytics(Scope(SOP, period="2026-Q1"), _reader())
    assert {m.instance_id for m in q1.measurements} == {history["A"].id, history["B"].id}
    # A year brings its quarters along: A–D and F (E is cancelled).
    year = step_analytics(Scope(SOP, period="2026"), _reader("viewer"))
    assert len(year.measurements) == 5
    # 17 March to 2 April 15:00 exactly: B and C.
    scope = Scope(SOP, since=date(2026, 3, 17), until=history["C"].started_at)
    assert len(step_analytics(scope, _reader("admin")).measurements) == 2
    nothing = step_analytics(Scope(SOP, since=date(2027, 1, 1)), _reader())
    assert nothing.is_empty and nothing.trend == [] and nothing.instances.completed == 0
    assert all(row.tasks == 0 for row in nothing.steps)


def test_bad_scopes_and_readers_are_refused(history):
    """Are a reversed range, a bad period and a reader outside the reviewers refused?"""
    with pytest.raises(DomainError) as error:
        Scope(SOP, since=date(2026, 6, 1), until=date(2026, 5, 31))
    assert (error.value.status, error.value.code) == (422, "analytics_range_reversed")
    with pytest.raises(DomainError) as error:
        Scope(SOP, period="2026-Q5")
    assert error.value.code == "invalid_period"
    for username in ("anggota", "kasi"):
        with pytest.raises(DomainError) as error:
            step_analytics(Scope(SOP), _reader(username))
        assert error.value.status == 403


def test_nearest_rank():
    """Is the percentile the value at rank ceil(p × n / 100)?"""
    assert nearest_rank([], 50) is None
    assert nearest_rank([7], 90) == 7
    assert nearest_rank([1, 2, 3, 4], 50) == 2
    assert nearest_rank(list(range(1, 11)), 90) == 9
    assert nearest_rank(list(range(1, 12)), 90) == 10

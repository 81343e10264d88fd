"""Tests for the timeline drawing (app/rendering/svg/timeline.py)."""

from types import SimpleNamespace

import pytest

from app.rendering.svg.timeline import TimelineBar, timeline_bars, timeline_svg
from tests.rendering.svg import SVG, classes, parse, text_of, with_class

ROWS = [
    TimelineBar("1", 15, 12, late=False, open=False),
    TimelineBar("9 (putaran 1)", 30, 45, late=True, open=False),
    TimelineBar("9 (putaran 2)", 30, 26, late=False, open=True),
    TimelineBar("10", 60, 45, late=False, open=True),
]


def test_timeline_draws_one_bar_per_row():
    """Does the timeline draw one labelled bar per row with "working / standard mnt"?"""
    root = parse(timeline_svg(ROWS))
    bars = with_class(root, "bar")
    assert len(bars) == 4
    values = [text_of(with_class(bar, "value")[0]) for bar in bars]
    assert values[0] == "12 / 15 mnt"
    assert values[3] == "45 / 60 mnt"
    assert "9 (putaran 2)" in text_of(bars[2])


def test_timeline_marks_late_and_nearly_late_rows():
    """Are late rows red with hatching, open rows from 75 % amber, and the rest green?"""
    root = parse(timeline_svg(ROWS))
    states = [classes(bar) - {"bar"} for bar in with_class(root, "bar")]
    # 45 of 60 minutes is exactly 75 %: "near", as on the board.
    assert states == [{"bar-ok"}, {"bar-late"}, {"bar-near"}, {"bar-near"}]
    late = with_class(root, "bar-late")[0]
    assert "terlambat" in text_of(with_class(late, "value")[0])
    assert len(late.findall(f"{SVG}line")) > 2  # the standard's end mark and the hatching


def test_timeline_flags_working_time_over_the_standard():
    """Is a row over its standard drawn late even when the caller did not flag it?"""
    root = parse(timeline_svg([TimelineBar("3", 30, 31, late=False, open=True)]))
    assert "bar-late" in classes(with_class(root, "bar")[0])


def test_timeline_scale_is_set_by_the_largest_value():
    """Does the longest bar fit the axis, and do the ticks start at 0 and rise evenly?"""
    root = parse(timeline_svg(ROWS))
    widths = [float(r.get("width")) for r in with_class(root, "working")]
    standards = [float(r.get("width")) for r in with_class(root, "standard")]
    # 60 minutes, the largest value, spans the whole axis; 45 minutes three quarters of it.
    assert standards[3] == max(widths + standards)
    assert widths[1] == widths[3] == pytest.approx(standards[3] * 45 / 60)
    ticks = [
        int(t.text.replace(".", ""))
        for t in with_class(root, "axis")[0].iter(f"{SVG}text")
        if t.text.replace(".", "").isdigit()
    ]
    assert ticks[0] == 0 and ticks[-1] >= 60
    assert len({b - a for a, b in zip(ticks, ticks[1:], strict=False)}) == 1


def test_timeline_handles_zero_minutes():
    """Does a row with no standard and no working time render without bars?"""
    root = parse(timeline_svg([TimelineBar("1", 0, 0, late=False, open=True)]))
    assert len(with_class(root, "bar")) == 1
    assert not with_class(root, "working")
    assert text_of(with_class(root, "value")[0]) == "0 / 0 mnt"


def test_timeline_empty_says_no_data():
    """Does an empty timeline render a friendly "Belum ada data"?"""
    root = parse(timeline_svg([], title="Waktu"))
    assert root.find(f"{SVG}title").text == "Waktu"
    assert text_of(with_class(root, "empty")[0]) == "Belum ada data"
    assert not with_class(root, "bar")


def test_timeline_uses_the_boards_near_limit_rule():
    """Is an open row near from exactly 75 % of its standard, and a closed one never near?"""
    assert TimelineBar("a", 60, 44, open=True).state == "ok"
    assert TimelineBar("a", 60, 45, open=True).state == "near"
    assert TimelineBar("a", 60, 45, open=False).state == "ok"
    assert TimelineBar("a", 60, 61, open=False).state == "late"


def view(step_no, iteration, standard, working, *, late=None, overdue=False, closed=True):
    """A described task as `task_views.describe_tasks` gives it, with only what bars read."""
    task = SimpleNamespace(
        step_no=step_no, iteration=iteration, late=late, closed_at="closed" if closed else None
    )
    return SimpleNamespace(
        task=task, standard_minutes=standard, working_minutes=working, overdue=overdue
    )


def test_bars_are_built_from_described_tasks():
    """Does each task become a bar named by its step (and round), late when late or overdue,
    open while it has no closing time?"""
    bars = timeline_bars(
        [
            view(1, 1, 15, 12, late=False),
            view(9, 2, 30, 40, late=True),
            view(10, 1, 60, 70, overdue=True, closed=False),
        ]
    )
    assert [b.label for b in bars] == ["Langkah 1", "Langkah 9 (putaran 2)", "Langkah 10"]
    assert [b.late for b in bars] == [False, True, True]
    assert [b.open for b in bars] == [False, False, True]


def test_timeline_text_is_escaped():
    """Are <, & and quotes in a title or a label escaped, so the SVG parses and shows them?"""
    root = parse(timeline_svg([TimelineBar('<1> & "x"', 10, 5, False, False)], title="a < b & c"))
    assert root.find(f"{SVG}title").text == "a < b & c"
    assert '<1> & "x"' in text_of(with_class(root, "bar")[0])

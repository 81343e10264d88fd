"""Tests for the achievement chart's axis (app/rendering/svg/chart.py)."""

from decimal import Decimal

import pytest

from app.rendering.svg import chart
from app.rendering.svg.chart import AXIS_LIMIT, MAX_TICKS, ChartBar, achievement_chart_svg, axis_for
from tests.rendering.svg import SVG, parse


def tick_labels(svg: str) -> list[str]:
    """The numbers printed under the axis, left to right."""
    root = parse(svg)
    return [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.lstrip("-").isdigit()]


def grid_lines(svg: str) -> int:
    """The vertical lines of the grid (the axis, the ticks and the dashed target)."""
    root = parse(svg)
    return sum(1 for line in root.iter(f"{SVG}line") if line.get("x1") == line.get("x2"))


def bars(*values) -> list[ChartBar]:
    return [ChartBar(f"Seksi {n}", None if v is None else Decimal(str(v)), "Tinggi") for n, v in
            enumerate(values)]  # fmt: skip


@pytest.mark.parametrize(
    ("values", "top", "step"),
    [
        ([], 120, 20),
        ([95, 80], 120, 20),
        ([121], 140, 20),
        ([160], 160, 20),
        ([175], 175, 25),
        ([1402.9], 200, 25),
        ([4000, -50], 200, 25),
    ],
)
def test_the_axis_has_round_ticks_and_stops_at_its_limit(values, top, step):
    """Is the axis 0 to at least 120 %, on round steps, at most MAX_TICKS of them, and never
    past AXIS_LIMIT whatever the values?"""
    axis = axis_for(values)
    assert (axis.top, axis.step) == (top, step)
    assert len(axis.ticks) - 1 <= MAX_TICKS and axis.top <= AXIS_LIMIT
    assert 100 in axis.ticks


def test_a_typo_of_1402_percent_draws_a_few_grid_lines_not_hundreds():
    """Does a bar of 1.402,90 % leave a bounded grid (0 to 200 by 25), drawn cut at the
    axis's end with its real figure and a note that it passes the scale?"""
    svg = achievement_chart_svg(bars(96.16, 1402.9, None), "Capaian")
    assert tick_labels(svg) == ["0", "25", "50", "75", "100", "125", "150", "175", "200"]
    assert grid_lines(svg) <= MAX_TICKS + 1 + 4  # the ticks, and the cut mark's two strokes
    assert "1.402,90 % · Tinggi" in svg
    assert f"melewati skala {AXIS_LIMIT} %" in svg
    plot = chart.PLOT_W
    widths = [float(r.get("width")) for r in parse(svg).iter(f"{SVG}rect")]
    assert max(widths) == pytest.approx(plot)  # the clipped bar ends at the axis


def test_a_negative_capaian_draws_no_bar_and_says_so():
    """Is a negative capaian drawn as no bar, marked below 0, with its figure printed?"""
    svg = achievement_chart_svg(bars(-50), "Capaian")
    assert "-50,00 % · Tinggi" in svg and "di bawah 0" in svg
    assert [float(r.get("width")) for r in parse(svg).iter(f"{SVG}rect")] == [0.0]

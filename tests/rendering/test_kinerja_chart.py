"""The Kinerja SOP charts: shares of the mutu baku, the slowest step marked, compliance per
quarter, and an empty state."""

from decimal import Decimal

from app.rendering.svg import writer as w
from app.rendering.svg.kinerja import QuarterBar, StepTimeBar, compliance_svg, step_time_svg
from tests.rendering.svg import SVG, parse, text_of, with_class

BARS = [
    StepTimeBar("Langkah 1", 15, None, None),
    StepTimeBar("Langkah 8", 120, 150, 150, slowest=True),
    StepTimeBar("Langkah 9", 30, 20, 75),
    StepTimeBar("Langkah 10", 60, 45, 90),
]


def _width(rect) -> float:
    return float(rect.get("width"))


def test_medians_are_shares_of_the_standard():
    """Is each median drawn as its share of the step's own standard, on one scale?"""
    root = parse(step_time_svg(BARS, title="Waktu kerja"))
    medians = with_class(root, "median")
    assert len(medians) == 3  # step 1 has no closed task: no bar
    slow, nine, ten = (_width(rect) for rect in medians)
    # 150 / 120 = 125 %, 20 / 30 = 66.7 %, 45 / 60 = 75 %.
    assert abs(slow / ten - 125 / 75) < 0.02
    assert abs(nine / ten - (200 / 3) / 75) < 0.02


def test_slowest_step_stands_out():
    """Is the slowest step in the warning colour, its label bold and its value named?"""
    root = parse(step_time_svg(BARS, title="Waktu kerja"))
    (slowest,) = with_class(root, "slowest")[1:]  # the row's group, then its bar
    assert slowest.get("fill") == w.NEAR_FILL
    row = with_class(root, "slowest")[0]
    assert "paling lambat" in text_of(row)
    assert any(t.get("font-weight") == "bold" for t in row.iter(f"{SVG}text"))
    others = [r for r in with_class(root, "median") if "slowest" not in r.get("class")]
    assert all(r.get("fill") != w.NEAR_FILL for r in others)
    assert "Paling lambat: Langkah 8" in root.find(f"{SVG}desc").text


def test_value_text_and_empty_rows():
    """Does a row say its minutes against the standard, or that nothing was closed?"""
    assert BARS[1].value_text == "150 / 120 mnt · p90 150"
    assert BARS[0].value_text == "belum ada tugas selesai"
    assert StepTimeBar("Langkah 7", 960, 1250, 2000).value_text == "1.250 / 960 mnt · p90 2.000"


def test_a_far_p90_stays_inside_the_plot():
    """Is a p90 far over the standard cut at the axis' end instead of running off?"""
    svg = step_time_svg([StepTimeBar("Langkah 9", 30, 300, 3000)], title="t")
    root = parse(svg)
    width = float(root.get("viewBox").split()[2])
    lines = [float(e.get("x2")) for e in root.iter(f"{SVG}line")]
    assert max(lines) < width


def test_compliance_per_quarter():
    """Is compliance drawn per quarter on a 0–100 % scale with its figures written?"""
    bars = [
        QuarterBar("Triwulan I 2026", Decimal("55.6"), 9, 4),
        QuarterBar("Triwulan II 2026", Decimal("71.4"), 7, 2),
    ]
    root = parse(compliance_svg(bars, title="Kepatuhan"))
    rects = [r for r in root.iter(f"{SVG}rect")]
    assert abs(_width(rects[1]) / _width(rects[0]) - 71.4 / 55.6) < 0.01
    assert "55,6 % · 9 tugas, 4 terlambat" in text_of(root)


def test_empty_charts():
    """Does a chart with nothing closed say so?"""
    for svg in (
        step_time_svg([StepTimeBar("Langkah 1", 15, None, None)], title="t"),
        compliance_svg([QuarterBar("Triwulan I 2026", None, 0, 0)], title="t"),
    ):
        assert "Belum ada data" in text_of(parse(svg))

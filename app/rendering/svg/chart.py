"""The achievement chart: capaian (%) per section as horizontal bars against 100 %, with
each value and predikat in a column of its own."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.rendering.format import format_percent
from app.rendering.svg import writer as w

BAR = "#2f5d8a"
TOTAL = "#1b3652"
LABEL_W, PLOT_W, VALUE_W, ROW_H, TOP = 200, 280, 150, 34, 26
LABEL_SIZE = 11


@dataclass(frozen=True)
class ChartBar:
    """One bar of the achievement chart: a section, or the whole office (`total`)."""

    label: str
    value: Decimal | None
    category: str
    total: bool = False


def wrap(text: str, width: float, size: float = LABEL_SIZE, *, bold: bool = False) -> list[str]:
    """Break `text` into at most two lines no wider than `width` (measured in the font);
    the second is cut with an ellipsis when the rest does not fit."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and w.text_width(candidate, size, bold=bold) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [w.clip(line, size, width, bold=bold) for line in lines]


# The axis: it always shows 0 to at least 120 % (the 100 % target with room past it), and
# never more than AXIS_LIMIT: a typo of 4.000 % must not squeeze every other bar to a sliver
# nor draw hundreds of grid lines. A value beyond the axis is drawn to its end, marked as cut,
# and its real figure printed beside it. The ticks are round steps, at most MAX_TICKS of them.
AXIS_FLOOR, AXIS_LIMIT, MAX_TICKS = 120, 200, 8
NICE_STEPS = (10, 20, 25, 50, 100)


@dataclass(frozen=True)
class Axis:
    """The achievement axis: 0 to `top` %, a grid line every `step` %."""

    top: int
    step: int

    @property
    def ticks(self) -> list[int]:
        return list(range(0, self.top + 1, self.step))


def axis_for(values: Sequence[float]) -> Axis:
    """Choose the axis of these achievements: round ticks, a bounded number of them, and a
    top no higher than AXIS_LIMIT whatever the values (those beyond it are clipped)."""
    highest = min(max(values, default=0.0), AXIS_LIMIT)
    for step in NICE_STEPS:
        top = max(AXIS_FLOOR, step * math.ceil(highest / step))
        if top // step <= MAX_TICKS:
            return Axis(top, step)
    return Axis(AXIS_LIMIT, NICE_STEPS[-1])


def _grid(left: float, scale: float, axis: Axis, bottom: float) -> list[str]:
    parts = []
    for tick in axis.ticks:
        x = left + tick * scale
        if tick == 100:
            style = {"stroke": w.INK, "stroke_width": 1.3, "stroke_dasharray": "5 3"}
        elif tick == 0:
            style = {"stroke": w.INK, "stroke_width": 1.2}
        else:
            style = {"stroke": w.GRID, "stroke_width": 0.8}
        parts.append(w.el("line", x1=x, y1=TOP - 4, x2=x, y2=bottom, **style))
        parts.append(w.text(x, bottom + 14, str(tick), 9.5, text_anchor="middle", fill=w.MUTED))
    parts.append(
        w.text(
            left + PLOT_W / 2,
            bottom + 31,
            "capaian (%); garis putus-putus: target 100 %",
            9.5,
            text_anchor="middle",
            fill=w.MUTED,
        )
    )
    return parts


def _cut_mark(x: float, mid: float) -> str:
    """Two slanted white strokes across the end of a bar that goes past the axis."""
    return "".join(
        w.el(
            "line",
            x1=x - dx - 3,
            y1=mid + 11,
            x2=x - dx + 3,
            y2=mid - 11,
            stroke="#ffffff",
            stroke_width=2,
        )
        for dx in (10, 5)
    )


def _bar(bar: ChartBar, mid: float, left: float, scale: float, axis: Axis) -> list[str]:
    values_x = left + PLOT_W + 12
    weight = {"font_weight": "bold"} if bar.total else {}
    lines = wrap(bar.label, LABEL_W - 10, bold=bar.total)
    first = mid - 6.5 * (len(lines) - 1) + 4
    parts = [
        w.text(LABEL_W, first + 13 * n, line, LABEL_SIZE, text_anchor="end", **weight)
        for n, line in enumerate(lines)
    ]
    if bar.value is None:
        parts.append(w.text(values_x, mid + 4, "tidak dapat diukur", 10.5, fill=w.MUTED))
        return parts
    value = float(bar.value)
    bar_w = max(0.0, min(value, axis.top) * scale)
    fill = TOTAL if bar.total else BAR
    parts.append(w.el("rect", x=left, y=mid - 9, width=bar_w, height=18, fill=fill))
    label = f"{format_percent(bar.value)} % · {bar.category}"
    if value > axis.top:
        parts.append(_cut_mark(left + bar_w, mid))
        parts.append(w.text(values_x, mid + 12, f"melewati skala {axis.top} %", 9, fill=w.MUTED))
        mid -= 5
    elif value < 0:
        parts.append(w.text(left + 3, mid + 4, "◂ di bawah 0", 9, fill=w.MUTED))
    parts.append(w.text(values_x, mid + 4, label, 10.5, **weight))
    return parts


def achievement_chart_svg(bars: Sequence[ChartBar], title: str) -> str:
    """Draw achievement (capaian, %) as horizontal bars against a dashed line at 100 %."""
    axis = axis_for([float(b.value) for b in bars if b.value is not None])
    scale = PLOT_W / axis.top
    left = LABEL_W + 10
    values_x = left + PLOT_W + 12
    bottom = TOP + ROW_H * len(bars)
    parts = [
        w.text(0, 13, title, 12, font_weight="bold"),
        w.text(values_x, 13, "Capaian · predikat", 10, fill=w.MUTED),
        *_grid(left, scale, axis, bottom),
    ]
    for i, bar in enumerate(bars):
        parts.extend(_bar(bar, TOP + i * ROW_H + ROW_H / 2, left, scale, axis))
    measured = sum(1 for b in bars if b.value is not None)
    return w.document(
        "".join(parts),
        label=title,
        desc=f"{len(bars)} batang; {measured} dapat diukur. Garis putus-putus: target 100 %.",
        width=values_x + VALUE_W,
        height=bottom + 40,
        id_prefix="chart",
    )

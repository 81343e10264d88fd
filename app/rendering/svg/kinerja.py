"""The Kinerja SOP charts: each step's working time against its mutu baku (median and p90 as
a share of the standard, the slowest step in the warning colour and named), and compliance
per quarter. Pure functions from figures to SVG text, for the page (and any later PDF)."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.rendering.format import format_number
from app.rendering.svg import writer as w
from app.rendering.svg.chart import BAR, wrap

MARGIN, ROW_H, PLOT_W, LABEL_SIZE, VALUE_SIZE = 12, 34, 300, 11, 10
SLOWEST_STROKE = "#7a5200"
P90_INK = "#1b3652"


@dataclass(frozen=True)
class StepTimeBar:
    """One step: the median and p90 of its closed tasks' working minutes, and its standard."""

    label: str
    standard_minutes: int
    median_minutes: int | None
    p90_minutes: int | None
    slowest: bool = False

    def share(self, minutes: int | None) -> float | None:
        """Minutes as a percentage of the standard."""
        if minutes is None or self.standard_minutes <= 0:
            return None
        return 100 * minutes / self.standard_minutes

    @property
    def value_text(self) -> str:
        """ "150 / 120 mnt · p90 150", or "belum ada tugas selesai"."""
        if self.median_minutes is None:
            return "belum ada tugas selesai"
        median, standard = format_number(self.median_minutes), format_number(self.standard_minutes)
        return f"{median} / {standard} mnt · p90 {format_number(self.p90_minutes)}"


@dataclass(frozen=True)
class QuarterBar:
    """One quarter: the compliance of its closed tasks."""

    label: str
    compliance: Decimal | None
    tasks: int
    late: int

    @property
    def value_text(self) -> str:
        if self.compliance is None:
            return "belum ada tugas selesai"
        return f"{format_number(self.compliance, 1)} % · {self.tasks} tugas, {self.late} terlambat"


def _axis(left: float, top: float, bottom: float, axis_max: int, tick: int, name: str) -> str:
    scale = PLOT_W / axis_max
    parts = []
    for value in range(0, axis_max + 1, tick):
        x = left + value * scale
        if value == 100:
            style = {"stroke": w.INK, "stroke_width": 1.3, "stroke_dasharray": "5 3"}
        else:
            style = {"stroke": w.MUTED if value == 0 else w.GRID, "stroke_width": 1}
        parts.append(w.el("line", x1=x, y1=top - 4, x2=x, y2=bottom, **style))
        parts.append(w.text(x, bottom + 14, f"{value} %", 9.5, text_anchor="middle", fill=w.MUTED))
    parts.append(
        w.text(left + PLOT_W / 2, bottom + 30, name, 9.5, text_anchor="middle", fill=w.MUTED)
    )
    return w.el("g", "".join(parts), class_="axis")


def _label(x: float, mid: float, text: str, width: float, *, bold: bool = False) -> str:
    lines = wrap(text, width, bold=bold)
    first = mid - 6.5 * (len(lines) - 1) + 4
    weight = {"font_weight": "bold"} if bold else {}
    return "".join(
        w.text(x, first + 13 * n, line, LABEL_SIZE, text_anchor="end", **weight)
        for n, line in enumerate(lines)
    )


def _empty(title: str, id_prefix: str, size: str | None) -> str:
    body = w.el(
        "rect", x=0.5, y=0.5, width=359, height=79, rx=6, fill=w.BAND_FILL, stroke=w.GRID
    ) + w.text(180, 45, "Belum ada data", 14, fill=w.MUTED, text_anchor="middle", class_="empty")
    return w.document(
        body,
        label=title,
        desc="Belum ada tugas selesai.",
        width=360,
        height=80,
        id_prefix=id_prefix,
        size=size,
    )


def _step_row(bar: StepTimeBar, mid: float, left: float, scale: float, axis_max: int) -> str:
    parts = [w.title(f"{bar.label}: {bar.value_text}")]
    parts.append(_label(left - 8, mid, bar.label, left - MARGIN - 8, bold=bar.slowest))
    median, p90 = bar.share(bar.median_minutes), bar.share(bar.p90_minutes)
    end = left
    if median is not None:
        width = min(median, axis_max) * scale
        fill, stroke = (w.NEAR_FILL, SLOWEST_STROKE) if bar.slowest else (BAR, "none")
        parts.append(
            w.el(
                "rect",
                x=left,
                y=mid - 8,
                width=max(width, 1),
                height=16,
                fill=fill,
                stroke=stroke,
                stroke_width=1.5,
                class_="median slowest" if bar.slowest else "median",
            )
        )
        end = left + width
    if p90 is not None:
        x90 = left + min(p90, axis_max) * scale
        parts.append(
            w.el("line", x1=end, y1=mid, x2=x90, y2=mid, stroke=P90_INK, stroke_width=1.5)
            + w.el("line", x1=x90, y1=mid - 7, x2=x90, y2=mid + 7, stroke=P90_INK, stroke_width=2)
        )
        end = max(end, x90)
    over = median is not None and median > 100
    value = bar.value_text + (" · paling lambat" if bar.slowest else "")
    parts.append(
        w.text(
            left + PLOT_W + 8,
            mid + 3.5,
            value,
            VALUE_SIZE,
            fill=w.LATE_FILL if over else (w.MUTED if median is None else w.INK),
            font_weight="bold" if bar.slowest else None,
            class_="value",
        )
    )
    return w.el("g", "".join(parts), class_="bar slowest" if bar.slowest else "bar")


def _legend(x: float, y: float) -> str:
    items = [
        (w.el("rect", x=0, y=-6, width=20, height=12, fill=BAR), "Median"),
        (
            w.el("line", x1=0, y1=0, x2=14, y2=0, stroke=P90_INK, stroke_width=1.5)
            + w.el("line", x1=14, y1=-6, x2=14, y2=6, stroke=P90_INK, stroke_width=2),
            "p90",
        ),
        (
            w.el("rect", x=0, y=-6, width=20, height=12, fill=w.NEAR_FILL, stroke=SLOWEST_STROKE),
            "Paling lambat terhadap mutu baku",
        ),
    ]
    parts = []
    for sample, name in items:
        parts.append(w.el("g", sample, transform=f"translate({w.num(x)},{w.num(y)})"))
        parts.append(w.text(x + 26, y + 3.5, name, 10))
        x += 26 + w.text_width(name, 10) + 18
    return w.el("g", "".join(parts), class_="legend")


def _axis_max(shares: Sequence[float]) -> int:
    largest = max(shares, default=0)
    return min(500, max(150, 50 * math.ceil(largest / 50)))


def step_time_svg(
    bars: Sequence[StepTimeBar], *, title: str, id_prefix: str = "step-time", size=None
) -> str:
    """Draw each step's median and p90 working time as a share of its mutu baku (dashed line at
    100 %), the slowest step in the warning colour and named."""
    if not any(bar.median_minutes is not None for bar in bars):
        return _empty(title, id_prefix, size)
    shares = [s for bar in bars for s in (bar.share(bar.p90_minutes),) if s is not None]
    axis_max = _axis_max(shares)
    tick = 50 if axis_max <= 300 else 100
    label_w = min(170.0, max(w.text_width(b.label, LABEL_SIZE, bold=True) for b in bars)) + 14
    left, top = MARGIN + label_w, 28
    bottom = top + ROW_H * len(bars)
    value_w = max(
        w.text_width(
            b.value_text + (" · paling lambat" if b.slowest else ""), VALUE_SIZE, bold=True
        )
        for b in bars
    )
    rows = "".join(
        _step_row(bar, top + i * ROW_H + ROW_H / 2, left, PLOT_W / axis_max, axis_max)
        for i, bar in enumerate(bars)
    )
    slowest = next((bar for bar in bars if bar.slowest), None)
    desc = f"{len(bars)} langkah; garis putus-putus: mutu baku (100 %)."
    if slowest is not None:
        desc += f" Paling lambat: {slowest.label} ({slowest.value_text})."
    return w.document(
        w.text(MARGIN, 14, "% mutu baku (median; garis: p90)", 10, fill=w.MUTED)
        + _axis(left, top, bottom, axis_max, tick, "waktu kerja sebagai % mutu baku")
        + w.el("g", rows, class_="bars")
        + _legend(MARGIN, bottom + 50),
        label=title,
        desc=desc,
        width=left + PLOT_W + 8 + value_w + MARGIN,
        height=bottom + 66,
        id_prefix=id_prefix,
        size=size,
    )


def compliance_svg(
    bars: Sequence[QuarterBar], *, title: str, id_prefix: str = "compliance", size=None
) -> str:
    """Draw compliance with the mutu baku (on time / closed, %) per quarter."""
    if not any(bar.compliance is not None for bar in bars):
        return _empty(title, id_prefix, size)
    label_w = 120
    left, top = MARGIN + label_w, 12
    bottom = top + ROW_H * len(bars)
    scale = PLOT_W / 100
    rows = []
    for i, bar in enumerate(bars):
        mid = top + i * ROW_H + ROW_H / 2
        parts = [w.title(f"{bar.label}: {bar.value_text}"), _label(left - 8, mid, bar.label, 110)]
        if bar.compliance is not None:
            width = float(bar.compliance) * scale
            parts.append(w.el("rect", x=left, y=mid - 8, width=max(width, 1), height=16, fill=BAR))
        parts.append(w.text(left + PLOT_W + 8, mid + 3.5, bar.value_text, VALUE_SIZE))
        rows.append(w.el("g", "".join(parts), class_="bar"))
    value_w = max(w.text_width(b.value_text, VALUE_SIZE) for b in bars)
    return w.document(
        _axis(left, top, bottom, 100, 20, "tepat waktu (% tugas selesai)")
        + w.el("g", "".join(rows), class_="bars"),
        label=title,
        desc=f"{len(bars)} triwulan; kepatuhan = tepat waktu / selesai × 100.",
        width=left + PLOT_W + 8 + value_w + MARGIN,
        height=bottom + 40,
        id_prefix=id_prefix,
        size=size,
    )

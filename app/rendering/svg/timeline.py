"""The timeline: each task's working time against its mutu baku, one horizontal bar a row,
coloured by the one rule the board uses (`services.deadlines`)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.rendering.format import format_number
from app.rendering.svg import writer as w
from app.services.deadlines import NEAR_LIMIT_SHARE, TimeState, time_state

TITLE = "Waktu kerja per langkah dibanding mutu baku"
MARGIN = 16
ROW_H = 28
PLOT_W = 520
LABEL_SIZE, VALUE_SIZE = 11, 10
BAR_FILLS = {"late": w.LATE_FILL, "near": w.NEAR_FILL, "ok": w.OK_FILL}


@dataclass(frozen=True)
class TimelineBar:
    """One step (or one round of a step) against its time standard, in working minutes."""

    label: str
    standard_minutes: int
    working_minutes: int
    late: bool = False
    open: bool = False

    @property
    def is_late(self) -> bool:
        """Flagged late, or over its standard even when nobody flagged it."""
        over = self.standard_minutes > 0 and self.working_minutes > self.standard_minutes
        return self.late or over

    @property
    def state(self) -> TimeState:
        """ "late", "near" (only while open) or "ok"."""
        if not self.open:
            return "late" if self.is_late else "ok"
        return time_state(self.working_minutes, self.standard_minutes, late=self.is_late)

    @property
    def value_text(self) -> str:
        """ "45 / 60 mnt", with " · terlambat" when late."""
        text = f"{_minutes(self.working_minutes)} / {_minutes(self.standard_minutes)} mnt"
        return text + (" \u00b7 terlambat" if self.is_late else "")


def timeline_bars(views: Iterable) -> list[TimelineBar]:
    """The bars of described tasks (`task_views.TaskView`), the same on the page and the PDF."""
    return [
        TimelineBar(
            label=f"Langkah {view.task.step_no}"
            + (f" (putaran {view.task.iteration})" if view.task.iteration > 1 else ""),
            standard_minutes=view.standard_minutes,
            working_minutes=view.working_minutes,
            late=bool(view.task.late) or view.overdue,
            open=view.task.closed_at is None,
        )
        for view in views
    ]


def _minutes(value: int) -> str:
    return format_number(value)


def _nice_step(span: float, target_ticks: int = 6) -> int:
    raw = max(span / target_ticks, 1)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


def _hatch(x: float, y: float, width: float, height: float, spacing: float = 6) -> str:
    """Diagonal stripes clipped to a rectangle, as plain lines (svglib has no patterns)."""
    segments = []
    offset = spacing
    while offset < width + height:
        # The stripe x - x0 + (y - y0) = offset, clipped to the box.
        ax, ay = x + min(offset, width), y + max(0.0, offset - width)
        bx, by = x + max(0.0, offset - height), y + min(offset, height)
        segments.append(w.el("line", x1=ax, y1=ay, x2=bx, y2=by, stroke=w.WHITE, stroke_width=1.6))
        offset += spacing
    return "".join(segments)


def _late_bar(x: float, y: float, width: float, height: float) -> str:
    """A hatched red bar with a dark outline, so lateness reads without colour too."""
    return (
        w.el("rect", x=x, y=y, width=width, height=height, fill=w.LATE_FILL)
        + _hatch(x, y, width, height)
        + w.el(
            "rect",
            x=x,
            y=y,
            width=width,
            height=height,
            fill="none",
            stroke=w.LATE_STROKE,
            stroke_width=1.2,
        )
    )


@dataclass(frozen=True)
class _Plot:
    """The geometry shared by the axis and the bars."""

    left: float
    top: float
    rows: int
    axis_max: int
    step: int

    @property
    def bottom(self) -> float:
        return self.top + self.rows * ROW_H

    @property
    def scale(self) -> float:
        return PLOT_W / self.axis_max

    @classmethod
    def of(cls, rows: Sequence[TimelineBar], label_w: float) -> "_Plot":
        largest = max(max(r.standard_minutes, r.working_minutes) for r in rows)
        step = _nice_step(largest) if largest > 0 else 10
        axis_max = max(step * -(-largest // step), step)
        return cls(MARGIN + label_w, MARGIN + 4, len(rows), axis_max, step)


def _axis(plot: _Plot) -> str:
    """Gridlines at each tick, the minutes under them, and the axis' name."""
    axis = [
        w.el(
            "line",
            x1=plot.left,
            y1=plot.bottom,
            x2=plot.left + PLOT_W,
            y2=plot.bottom,
            stroke=w.MUTED,
        )
    ]
    for tick in range(0, plot.axis_max + 1, plot.step):
        x = plot.left + tick * plot.scale
        axis.append(
            w.el(
                "line",
                x1=x,
                y1=plot.top,
                x2=x,
                y2=plot.bottom,
                stroke=w.GRID if tick else w.MUTED,
                stroke_width=1 if tick else 1.2,
            )
        )
        axis.append(w.el("line", x1=x, y1=plot.bottom, x2=x, y2=plot.bottom + 4, stroke=w.MUTED))
        axis.append(
            w.text(x, plot.bottom + 16, _minutes(tick), 9.5, fill=w.MUTED, text_anchor="middle")
        )
    axis.append(
        w.text(
            plot.left + PLOT_W / 2,
            plot.bottom + 32,
            "menit kerja",
            10,
            fill=w.MUTED,
            text_anchor="middle",
        )
    )
    return w.el("g", "".join(axis), class_="axis")


def _standard(plot: _Plot, mid: float, width: float) -> str:
    return w.el(
        "rect",
        x=plot.left,
        y=mid - 8,
        width=width,
        height=16,
        fill=w.STANDARD_FILL,
        class_="standard",
    ) + w.el(
        "line",
        x1=plot.left + width,
        y1=mid - 10,
        x2=plot.left + width,
        y2=mid + 10,
        stroke=w.INK,
        stroke_width=1.5,
    )


def _working(plot: _Plot, mid: float, width: float, state: TimeState) -> str:
    late = state == "late"
    bar = w.el(
        "rect",
        x=plot.left,
        y=mid - 5,
        width=width,
        height=10,
        fill=BAR_FILLS[state],
        stroke=w.LATE_STROKE if late else "none",
        stroke_width=1.2,
        class_="working",
    )
    if late:
        bar += _hatch(plot.left, mid - 5, width, 10) + w.el(
            "rect",
            x=plot.left,
            y=mid - 5,
            width=width,
            height=10,
            fill="none",
            stroke=w.LATE_STROKE,
            stroke_width=1.2,
        )
    return bar


def _bar(plot: _Plot, index: int, row: TimelineBar, label_w: float) -> str:
    """One row: its label, the standard's band and end mark, the working bar, the value."""
    mid = plot.top + index * ROW_H + ROW_H / 2
    state = row.state
    parts = [
        w.title(f"{row.label}: {row.value_text}" + (" (berjalan)" if row.open else "")),
        w.text(
            plot.left - 8,
            mid + 4,
            w.clip(row.label, LABEL_SIZE, label_w - 14),
            LABEL_SIZE,
            text_anchor="end",
        ),
    ]
    standard_w = row.standard_minutes * plot.scale
    if standard_w > 0:
        parts.append(_standard(plot, mid, standard_w))
    working_w = row.working_minutes * plot.scale
    if working_w > 0:
        parts.append(_working(plot, mid, working_w, state))
    parts.append(
        w.text(
            plot.left + max(standard_w, working_w) + 6,
            mid + 3.5,
            row.value_text,
            VALUE_SIZE,
            font_weight="bold",
            fill=w.LATE_FILL if state == "late" else w.INK,
            class_="value",
        )
    )
    return w.el("g", "".join(parts), class_=f"bar bar-{state}")


def _legend(x0: float, y0: float) -> tuple[str, float]:
    near = f"Berjalan, ≥ {round(NEAR_LIMIT_SHARE * 100)} %"
    items = [
        (w.el("rect", x=0, y=-8, width=24, height=16, fill=w.STANDARD_FILL), "Mutu baku"),
        (w.el("rect", x=0, y=-5, width=24, height=10, fill=w.OK_FILL), "Dalam batas"),
        (w.el("rect", x=0, y=-5, width=24, height=10, fill=w.NEAR_FILL), near),
        (_late_bar(0, -5, 24, 10), "Terlambat"),
    ]
    parts, x = [], x0
    for sample, name in items:
        parts.append(w.el("g", sample, transform=f"translate({w.num(x)},{w.num(y0 + 8)})"))
        parts.append(w.text(x + 30, y0 + 11.5, name, 10))
        x += 30 + w.text_width(name, 10) + 20
    return w.el("g", "".join(parts), class_="legend"), 18


def _empty(title: str, width: str | None, id_prefix: str) -> str:
    natural_width, natural_height = 420, 90
    body = w.el(
        "rect",
        x=0.5,
        y=0.5,
        width=natural_width - 1,
        height=natural_height - 1,
        rx=6,
        fill=w.BAND_FILL,
        stroke=w.GRID,
    ) + w.text(
        natural_width / 2,
        natural_height / 2 + 5,
        "Belum ada data",
        14,
        fill=w.MUTED,
        text_anchor="middle",
        class_="empty",
    )
    return w.document(
        body,
        label=title,
        desc="Belum ada data waktu kerja.",
        width=natural_width,
        height=natural_height,
        id_prefix=id_prefix,
        size=width,
    )


def timeline_svg(
    rows: Sequence[TimelineBar],
    *,
    title: str = TITLE,
    width: str | None = None,
    id_prefix: str = "timeline",
) -> str:
    """Draw working time against the time standard, one horizontal bar per row."""
    if not rows:
        return _empty(title, width, id_prefix)
    widest = max(w.text_width(r.label, LABEL_SIZE) for r in rows)
    label_w = min(220.0, max(60.0, widest)) + 14
    value_w = max(w.text_width(r.value_text, VALUE_SIZE, bold=True) for r in rows) + 16
    plot = _Plot.of(rows, label_w)
    bars = "".join(_bar(plot, i, row, label_w) for i, row in enumerate(rows))
    key, key_h = _legend(plot.left, plot.bottom + 44)
    late_count = sum(1 for r in rows if r.is_late)
    desc = (
        f"{len(rows)} baris; {late_count} terlambat. "
        f"Skala 0\u2013{_minutes(plot.axis_max)} menit kerja."
    )
    return w.document(
        _axis(plot) + w.el("g", bars, class_="bars") + key,
        label=title,
        desc=desc,
        width=plot.left + PLOT_W + value_w + MARGIN,
        height=plot.bottom + 44 + key_h + MARGIN,
        id_prefix=id_prefix,
        size=width,
    )

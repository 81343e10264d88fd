"""The SOP's official flowchart: one lane per actor, one row per step, the decisions' return
loops round the right of the lanes, and a running measurement's progress marked on it.

Drawn in phases over one `Layout`: the table (bands, lanes and their headers), the
co-actor markers, the steps, the arrows with their Ya / Tidak labels, the key.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from app.rendering.svg import writer as w
from app.rendering.svg.flowchart_layout import (
    HEADER_H,
    LANE_W,
    MARGIN,
    NO_COL_W,
    TRACK_SPACING,
    Box,
    Edge,
    Layout,
    edge_points,
    layout,
)
from app.rendering.svg.flowchart_legend import legend
from app.rendering.svg.flowchart_shapes import (
    DECISION_LABEL_SIZE,
    arrow,
    document_symbol,
    label_widths,
    pill,
    pill_width,
    shape,
)
from app.rendering.svg.labels import fit_label, ranges
from app.services.sop_definitions import SopDefinition

LABEL_SIZE = 10
HEADER_SIZE = 11.5
LABEL_WORDS = 6
# How each state draws a step: fill, stroke, stroke width.
STATE_STYLES = {
    "current": (w.CURRENT_FILL, w.CURRENT_STROKE, 3.5),
    "done": (w.DONE_FILL, w.DONE_STROKE, 1.6),
    "pending": (w.WHITE, w.SHAPE_STROKE, 1.4),
}


@dataclass(frozen=True)
class FlowProgress:
    """Where a running instance stands, for marking its flowchart."""

    done_steps: frozenset[int] = frozenset()
    current_steps: frozenset[int] = frozenset()
    returns_taken: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "done_steps", frozenset(self.done_steps))
        object.__setattr__(self, "current_steps", frozenset(self.current_steps))
        object.__setattr__(self, "returns_taken", MappingProxyType(dict(self.returns_taken)))

    def state_of(self, step_no: int) -> str:
        """ "done", "current" or "pending"."""
        if step_no in self.done_steps:
            return "done"
        return "current" if step_no in self.current_steps else "pending"


NO_PROGRESS = FlowProgress()


# --------------------------------------------------------------------------- the table


def _bands(plan: Layout) -> list[str]:
    width = plan.lanes_right - MARGIN
    return [
        w.el("rect", x=MARGIN, y=top, width=width, height=bottom - top, fill=w.BAND_FILL)
        for row, (top, bottom) in enumerate(zip(plan.bounds, plan.bounds[1:], strict=False))
        if row % 2
    ]


def _lane_header(definition: SopDefinition, index: int, prefix: str) -> str:
    actor = definition.actors[index]
    header_widths = {1: [LANE_W - 20], 2: [LANE_W - 20] * 2}
    rows = fit_label(actor.name, header_widths, HEADER_SIZE, 99, bold=True)
    x = MARGIN + NO_COL_W + (index + 0.5) * LANE_W
    return w.el(
        "g",
        w.title(actor.name)
        + w.lines(x, MARGIN + HEADER_H / 2, rows, HEADER_SIZE, font_weight="bold"),
        class_="lane-header",
        id=f"{prefix}-lane-{actor.code}",
    )


def _table(definition: SopDefinition, plan: Layout, prefix: str) -> str:
    """The bands of alternate rows, the header row, the lane lines and the lane names."""
    width = plan.lanes_right - MARGIN
    header_bottom = MARGIN + HEADER_H
    grid = _bands(plan)
    grid.append(w.el("rect", x=MARGIN, y=MARGIN, width=width, height=HEADER_H, fill=w.HEADER_FILL))
    for i in range(plan.lanes + 1):
        x = plan.lanes_left + i * LANE_W
        grid.append(w.el("line", x1=x, y1=MARGIN, x2=x, y2=plan.table_bottom, stroke=w.GRID))
    grid.append(
        w.el(
            "line",
            x1=MARGIN,
            y1=header_bottom,
            x2=plan.lanes_right,
            y2=header_bottom,
            stroke=w.MUTED,
        )
    )
    grid.append(
        w.el(
            "rect",
            x=MARGIN,
            y=MARGIN,
            width=width,
            height=plan.table_bottom - MARGIN,
            fill="none",
            stroke=w.MUTED,
            stroke_width=1.2,
        )
    )
    grid.append(
        w.text(
            MARGIN + NO_COL_W / 2,
            MARGIN + HEADER_H / 2 + 4,
            "No",
            HEADER_SIZE,
            font_weight="bold",
            text_anchor="middle",
        )
    )
    grid.extend(_lane_header(definition, i, prefix) for i in range(len(definition.actors)))
    return w.el("g", "".join(grid), class_="table")


# --------------------------------------------------------------------------- the steps


def _co_actors(definition: SopDefinition, plan: Layout, progress: FlowProgress) -> str:
    """Other actors of a step: a dashed line to a small circle in each of their lanes."""
    lane_of = {actor.code: i for i, actor in enumerate(definition.actors)}
    names = {actor.code: actor.name for actor in definition.actors}
    markers: list[str] = []
    for box in plan.boxes.values():
        for code in box.step.actors[1:]:
            if code not in lane_of or lane_of[code] == box.lane:
                continue
            x = plan.lane_centre(lane_of[code])
            y = box.cy + (0 if box.symbol == "decision" else 8)
            done = progress.state_of(box.step.no) == "done"
            line = w.el(
                "line",
                x1=box.cx,
                y1=y,
                x2=x,
                y2=y,
                stroke=w.MUTED,
                stroke_width=1.2,
                stroke_dasharray="4 3",
            )
            circle = w.el(
                "circle",
                cx=x,
                cy=y,
                r=7,
                fill=w.DONE_FILL if done else w.WHITE,
                stroke=w.SHAPE_STROKE,
                stroke_width=1.4,
            )
            label = f"Langkah {box.step.no} juga dilaksanakan oleh {names[code]}"
            markers.append(w.el("g", w.title(label) + line + circle, class_="co-actor"))
    return w.el("g", "".join(markers), class_="co-actors")


def _outputs(box: Box, state: str) -> str:
    step = box.step
    if box.symbol == "decision":
        x, y = box.cx + 60, box.top - 4
    else:
        x, y = box.right + 5, box.top
    fill = w.DONE_FILL if state == "done" else w.WHITE
    return document_symbol(x, y, "Output: " + "; ".join(step.outputs), len(step.outputs) > 1, fill)


def _running_badge(box: Box) -> str:
    content = "sedang berjalan"
    right = box.cx - (10 if box.symbol == "decision" else 6)
    y = box.top - (13 if box.symbol == "decision" else 11)
    badge = pill(right - pill_width(content), y, content, w.CURRENT_STROKE)
    return w.el("g", badge, class_="current-label")


def _step_number(box: Box, state: str) -> str:
    """The step's number, in a filled disc once done or running (readable without colour)."""
    x = MARGIN + NO_COL_W / 2
    number = str(box.step.no)
    if state == "pending":
        return w.text(
            x, box.cy + 4, number, 12, font_weight="bold", text_anchor="middle", class_="step-no"
        )
    disc = w.DONE_STROKE if state == "done" else w.CURRENT_STROKE
    return w.el("circle", cx=x, cy=box.cy, r=12, fill=disc) + w.text(
        x,
        box.cy + 4,
        number,
        HEADER_SIZE,
        font_weight="bold",
        text_anchor="middle",
        fill=w.WHITE,
        class_="step-no",
    )


def _step(definition: SopDefinition, box: Box, state: str, prefix: str) -> str:
    """One step: its shape and label, its outputs, its running badge and its number."""
    step = box.step
    size = DECISION_LABEL_SIZE if box.symbol == "decision" else LABEL_SIZE
    label = fit_label(step.name, label_widths(box.symbol), size, LABEL_WORDS)
    actors = ", ".join(definition.actor_names(step.actors))
    parts = [
        w.title(f"{step.no}. {step.name} ({actors})"),
        shape(box, *STATE_STYLES[state]),
        w.lines(box.cx, box.cy, label, size, class_="step-label"),
    ]
    if step.outputs:
        parts.append(_outputs(box, state))
    if state == "current":
        parts.append(_running_badge(box))
    parts.append(_step_number(box, state))
    return w.el(
        "g",
        "".join(parts),
        id=f"{prefix}-step-{step.no}",
        class_=f"step step-{box.symbol} step-{state}",
    )


# --------------------------------------------------------------------------- the arrows


def _next_arrow(edge: Edge, points: list, prefix: str) -> tuple[str, str]:
    """A step's arrow to its next step, and a decision's "Ya" beside it."""
    source = edge.source
    drawn = arrow(
        points, w.SHAPE_STROKE, 1.4, class_="flow flow-next", id=f"{prefix}-next-{source.step.no}"
    )
    if source.symbol != "decision":
        return drawn, ""
    turns_right = len(points) > 2 and points[2][0] > points[1][0]
    label = w.text(
        source.cx + (-5 if turns_right else 5),
        source.bottom + 11,
        "Ya",
        9.5,
        font_weight="bold",
        text_anchor="end" if turns_right else "start",
        class_="flow-label flow-label-ya",
    )
    return drawn, label


def _return_arrow(edge: Edge, points: list, count: int, prefix: str) -> tuple[str, str]:
    """A decision's return arrow, thick and red once taken (with its count), and its "Tidak"."""
    source = edge.source
    element_id = f"{prefix}-return-{source.step.no}"
    if count:
        drawn = arrow(
            points, w.RETURN_TAKEN, 2.6, class_="flow flow-return flow-return-taken", id=element_id
        )
    else:
        drawn = arrow(
            points,
            w.RETURN_IDLE,
            1.3,
            stroke_dasharray="5 4",
            class_="flow flow-return flow-return-idle",
            id=element_id,
        )
    x, y = source.right + 4, source.cy + 13
    label = w.text(
        x,
        y,
        "Tidak",
        9.5,
        font_weight="bold",
        fill=w.RETURN_TAKEN if count else w.INK,
        class_="flow-label flow-label-tidak",
    )
    if count:
        # Under the label, where the diamond falls away, so it stays inside the lane.
        badge = w.title(f"Dikembalikan {count} kali") + pill(
            x, y + 4, f"\u00d7{count}", w.RETURN_TAKEN, 9
        )
        label += w.el("g", badge, class_="return-count")
    return drawn, label


def _arrows(plan: Layout, taken: Mapping[int, int], prefix: str) -> str:
    """Every arrow, untaken returns under the others and taken returns on top; then the
    labels over all of them."""

    def order(edge: Edge) -> int:
        if edge.kind != "return":
            return 1
        return 2 if taken.get(edge.source.step.no, 0) else 0

    arrows: list[str] = []
    labels: list[str] = []
    for edge in sorted(plan.edges, key=order):
        points = edge_points(edge, plan.lanes_right)
        if edge.kind == "next":
            drawn, label = _next_arrow(edge, points, prefix)
        else:
            drawn, label = _return_arrow(edge, points, taken.get(edge.source.step.no, 0), prefix)
        arrows.append(drawn)
        labels.append(label)
    return w.el("g", "".join(arrows), class_="flows") + w.el(
        "g", "".join(labels), class_="flow-labels"
    )


# --------------------------------------------------------------------------- the whole


def _description(definition: SopDefinition, lanes: int, progress: FlowProgress | None) -> str:
    """Say in words what the drawing shows, for readers who cannot see it."""
    actor_list = ", ".join(actor.name for actor in definition.actors)
    desc = f"{len(definition.steps)} langkah dalam {lanes} lajur pelaksana ({actor_list})."
    decisions = [s for s in definition.steps if s.is_decision]
    if decisions:
        branches = "; ".join(
            f"langkah {s.no} (Ya ke {s.next}, Tidak kembali ke {s.on_return})" for s in decisions
        )
        desc += f" Keputusan: {branches}."
    if progress is None:
        return desc
    if progress.done_steps:
        desc += f" Selesai: langkah {ranges(progress.done_steps)}."
    if progress.current_steps:
        desc += f" Sedang berjalan: langkah {ranges(progress.current_steps)}."
    taken = sorted(progress.returns_taken.items())
    returned = [f"langkah {no} \u00d7{n}" for no, n in taken if n]
    if returned:
        desc += " Dikembalikan: " + ", ".join(returned) + "."
    return desc


def flowchart_svg(
    definition: SopDefinition,
    progress: FlowProgress | None = None,
    *,
    width: str | None = None,
    id_prefix: str | None = None,
) -> str:
    """Draw the SOP as its official lane flowchart, marking `progress` when given.

    `width` (e.g. "100%") replaces the natural pixel size; `id_prefix` keeps element ids
    unique when several drawings share one HTML page.
    """
    prefix = id_prefix or f"flow-{definition.code}"
    plan = layout(definition)
    marks = progress or NO_PROGRESS
    body = [
        _table(definition, plan, prefix),
        _co_actors(definition, plan, marks),
        w.el(
            "g",
            "".join(
                _step(definition, box, marks.state_of(box.step.no), prefix)
                for box in plan.boxes.values()
            ),
            class_="steps",
        ),
        _arrows(plan, marks.returns_taken, prefix),
    ]
    tracks_w = 24 + TRACK_SPACING * plan.tracks if plan.tracks else 0
    natural_width = max(plan.lanes_right + tracks_w, 560) + MARGIN
    key, key_height = legend(
        MARGIN, plan.table_bottom + 18, natural_width - 2 * MARGIN, progress is not None
    )
    body.append(key)
    return w.document(
        "".join(body),
        label=f"Diagram alir SOP {definition.title}",
        desc=_description(definition, plan.lanes, progress),
        width=natural_width,
        height=plan.table_bottom + 18 + key_height + MARGIN,
        id_prefix=prefix,
        size=width,
    )


def flowchart_data_uri(
    definition: SopDefinition, progress: FlowProgress | None = None, **options: object
) -> str:
    """Answer the flowchart as a `data:image/svg+xml;base64,...` URI for an `<img>`."""
    return w.data_uri(flowchart_svg(definition, progress, **options))  # type: ignore[arg-type]

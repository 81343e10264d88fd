"""The flowchart's symbols: step shapes, the document sheet, a label pill and an arrow."""

from collections.abc import Sequence

from app.rendering.svg import writer as w
from app.rendering.svg.flowchart_layout import (
    DECISION_H,
    DECISION_W,
    PROCESS_W,
    Box,
    Point,
)

DOC_W, DOC_H = 26, 20
DECISION_LABEL_SIZE = 9.5
ARROW_LEN, ARROW_HALF = 8, 3.5


def shape(box: Box, fill: str, stroke: str, width: float) -> str:
    """A step's outline: a diamond for a decision, a rounded or square box otherwise."""
    style = {"fill": fill, "stroke": stroke, "stroke_width": width}
    x, y = box.cx - box.w / 2, box.top
    if box.symbol == "decision":
        corners = [(box.cx, y), (box.right, box.cy), (box.cx, box.bottom), (x, box.cy)]
        return w.el("polygon", points=w.points(corners), **style)
    radius = box.h / 2 if box.symbol == "terminator" else 2
    return w.el("rect", x=x, y=y, width=box.w, height=box.h, rx=radius, ry=radius, **style)


def label_widths(symbol: str) -> dict[int, list[float]]:
    """For 1, 2 and 3 lines of label, the width each line has inside the symbol."""
    if symbol != "decision":
        inner = PROCESS_W - 14 if symbol == "process" else PROCESS_W - 30
        return {n: [inner] * n for n in (1, 2, 3)}
    spacing = DECISION_LABEL_SIZE * 1.2
    half_text = DECISION_LABEL_SIZE * 0.5
    widths: dict[int, list[float]] = {}
    for count in (1, 2, 3):
        offsets = [spacing * (i - (count - 1) / 2) for i in range(count)]
        widths[count] = [
            DECISION_W * (1 - (abs(o) + half_text) / (DECISION_H / 2)) - 10 for o in offsets
        ]
    return widths


def _sheet(left: float, top: float, fill: str) -> str:
    bottom = top + DOC_H - 3
    path = (
        f"M{w.num(left)},{w.num(top)} h{DOC_W} V{w.num(bottom)} "
        f"C{w.num(left + DOC_W * 0.75)},{w.num(bottom - 6)} {w.num(left + DOC_W * 0.25)},"
        f"{w.num(bottom + 6)} {w.num(left)},{w.num(bottom)} Z"
    )
    return w.el("path", d=path, fill=fill, stroke=w.SHAPE_STROKE, stroke_width=1.1)


def document_symbol(x: float, y: float, label: str, stacked: bool, fill: str) -> str:
    """The document sheet (two stacked for several outputs), `label` as its tooltip."""
    sheets = (_sheet(x + 3, y - 3, fill) if stacked else "") + _sheet(x, y, fill)
    rules = "".join(
        w.el(
            "line",
            x1=x + 5,
            y1=y + 5 + 4 * i,
            x2=x + DOC_W - 5,
            y2=y + 5 + 4 * i,
            stroke=w.MUTED,
            stroke_width=0.8,
        )
        for i in range(2)
    )
    return w.el("g", w.title(label) + sheets + rules, class_="document")


def pill(x: float, y: float, content: str, fill: str, size: float = 8.5) -> str:
    """White bold text on a rounded badge whose left edge is `x`."""
    width = w.text_width(content, size, bold=True) + 10
    height = size + 6
    badge = w.el("rect", x=x, y=y, width=width, height=height, rx=height / 2, fill=fill)
    return badge + w.text(
        x + width / 2,
        y + height / 2 + size * 0.35,
        content,
        size,
        fill=w.WHITE,
        font_weight="bold",
        text_anchor="middle",
    )


def pill_width(content: str, size: float = 8.5) -> float:
    """How wide `pill` draws `content`."""
    return w.text_width(content, size, bold=True) + 10


def arrow(points: Sequence[Point], colour: str, width: float, **attrs: object) -> str:
    """An orthogonal polyline ending in an arrowhead polygon at its last point."""
    (x1, y1), (x2, y2) = points[-2], points[-1]
    dx = (x2 > x1) - (x2 < x1)
    dy = (y2 > y1) - (y2 < y1)
    # Stop the line under the arrowhead so a thick stroke does not poke through the tip.
    stop = (x2 - dx * (ARROW_LEN - 1), y2 - dy * (ARROW_LEN - 1))
    base_x, base_y = x2 - dx * ARROW_LEN, y2 - dy * ARROW_LEN
    half = ARROW_HALF + (width - 1.4) * 0.6
    head = [
        (x2, y2),
        (base_x - dy * half, base_y + dx * half),
        (base_x + dy * half, base_y - dx * half),
    ]
    line = w.el(
        "polyline",
        points=w.points([*points[:-1], stop]),
        fill="none",
        stroke=colour,
        stroke_width=width,
        stroke_dasharray=attrs.pop("stroke_dasharray", None),
        stroke_linejoin="round",
    )
    return w.el("g", line + w.el("polygon", points=w.points(head), fill=colour), **attrs)

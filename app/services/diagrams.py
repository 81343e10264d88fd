"""SVG drawings of an SOP: its official flowchart in actor lanes, and a working-time timeline.

Pure functions over plain data (no Flask, no database) that answer SVG 1.1 strings, so an
HTML page can inline them and a PDF can embed them as a data URI.

The drawings avoid features that `svglib` (the SVG reader behind xhtml2pdf) ignores:
arrowheads and hatching are explicit polygons and lines rather than `<marker>` and
`<pattern>`, every `<tspan>` has an absolute position, and styling is done with
presentation attributes (an inline `<style>` would also leak into the HTML page).
"""

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from xml.sax.saxutils import escape, quoteattr

from app.services.sop_definitions import SopDefinition, Step

FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"

# Advance widths of DejaVu Sans (regular, then bold) for " " .. "~", in thousandths of an em;
# measuring labels instead of counting characters keeps them inside their shapes.
_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698,
    770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
    684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,
    525, 636, 337, 636, 838,
)  # fmt: skip
_BOLD_WIDTHS = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734,
    830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812,
    774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716,
    712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652,
    582, 712, 365, 712, 838,
)  # fmt: skip
_WIDE_GLYPH = 900  # anything outside ASCII (é, ×, …): assume wide rather than overflow
ELLIPSIS = "\u2026"

# Colours chosen to stay apart in greyscale; every state also differs in stroke width or dash.
INK = "#1f2933"
MUTED = "#5b6675"
GRID = "#c5ccd6"
HEADER_FILL = "#e8edf3"
BAND_FILL = "#f6f8fa"
SHAPE_STROKE = "#374151"
DONE_FILL = "#d3ead5"
DONE_STROKE = "#2e7d32"
CURRENT_FILL = "#fff3d6"
CURRENT_STROKE = "#b45309"
RETURN_IDLE = "#8a94a0"
RETURN_TAKEN = "#c62828"
LATE_FILL = "#c62828"
LATE_STROKE = "#7f1d1d"
NEAR_FILL = "#e0a100"
OK_FILL = "#2e7d32"
STANDARD_FILL = "#dde3ea"


# --------------------------------------------------------------------------- SVG helpers


def _num(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(attrs: Mapping[str, object]) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = _num(value) if isinstance(value, int | float) else str(value)
        parts.append(f" {name}={quoteattr(text)}")
    return "".join(parts)


def _el(tag: str, content: str | None = None, **attrs: object) -> str:
    if content is None:
        return f"<{tag}{_attrs(attrs)}/>"
    return f"<{tag}{_attrs(attrs)}>{content}</{tag}>"


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def _text(x: float, y: float, text: str, size: float, **attrs: object) -> str:
    attrs.setdefault("fill", INK)
    return _el("text", escape(text), x=x, y=y, font_size=size, **attrs)


def _lines(x: float, y_center: float, lines: Sequence[str], size: float, **attrs: object) -> str:
    """Centre `lines` vertically on `y_center` as absolutely placed tspans."""
    step = size * 1.2
    first = y_center - step * (len(lines) - 1) / 2 + size * 0.35
    spans = "".join(
        _el("tspan", escape(line), x=x, y=first + i * step) for i, line in enumerate(lines)
    )
    attrs.setdefault("fill", INK)
    return _el("text", spans, font_size=size, text_anchor="middle", **attrs)


def _text_width(text: str, size: float, *, bold: bool = False) -> float:
    table = _BOLD_WIDTHS if bold else _WIDTHS
    total = 0
    for char in text:
        code = ord(char) - 32
        total += table[code] if 0 <= code < len(table) else _WIDE_GLYPH
    return total * size / 1000


def _document(
    open_tag: str, body: str, title: str, desc: str, id_prefix: str, width: float, height: float
) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1"{open_tag}'
        f"{_attrs({'viewBox': f'0 0 {_num(width)} {_num(height)}'})}"
        f' role="img" aria-labelledby={quoteattr(f"{id_prefix}-title {id_prefix}-desc")}'
        f" font-family={quoteattr(FONT_FAMILY)}>"
        f"<title id={quoteattr(id_prefix + '-title')}>{escape(title)}</title>"
        f"<desc id={quoteattr(id_prefix + '-desc')}>{escape(desc)}</desc>"
        f"{body}</svg>"
    )


def _size_attrs(width: str | None, natural_width: float, natural_height: float) -> str:
    if width is None:
        return _attrs({"width": natural_width, "height": natural_height})
    # The viewBox keeps the aspect ratio, so a relative width needs no height.
    return _attrs({"width": width})


def svg_data_uri(svg: str) -> str:
    """Wrap an SVG document as a base64 `data:` URI for an `<img src>`."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# --------------------------------------------------------------------------- label fitting


def _fill_lines(
    words: Sequence[str], widths: Sequence[float], size: float, bold: bool = False
) -> list[str] | None:
    """Fill `words` greedily into lines of `widths`; None when they do not all fit."""
    lines: list[str] = []
    i = 0
    for width in widths:
        if i == len(words):
            break
        line = words[i]
        if _text_width(line, size, bold=bold) > width:
            return None
        i += 1
        while i < len(words) and _text_width(f"{line} {words[i]}", size, bold=bold) <= width:
            line = f"{line} {words[i]}"
            i += 1
        lines.append(line)
    return lines if i == len(words) else None


def _with_ellipsis(words: Sequence[str]) -> list[str]:
    return [*words[:-1], words[-1].rstrip(",;:.") + ELLIPSIS]


def _fit_label(
    text: str,
    line_widths: Mapping[int, Sequence[float]],
    size: float,
    max_words: int,
    *,
    bold: bool = False,
) -> list[str]:
    """Fit the first `max_words` of `text` into the fewest lines; cut with an ellipsis."""
    words = text.split() or [""]
    shown = words[:max_words]
    cut = len(shown) < len(words)
    most = max(line_widths)
    while shown:
        candidate = _with_ellipsis(shown) if cut else list(shown)
        for count in sorted(line_widths):
            lines = _fill_lines(candidate, line_widths[count], size, bold)
            if lines is not None:
                return lines
        shown, cut = shown[:-1], True
    # One word wider than the shape: clip its letters.
    word, width = words[0], line_widths[most][0]
    while len(word) > 1 and _text_width(word + ELLIPSIS, size, bold=bold) > width:
        word = word[:-1]
    return [word + ELLIPSIS]


def _ranges(numbers: Iterable[int]) -> str:
    """Write 1, 2, 3, 5 as "1–3, 5"."""
    ordered = sorted(set(numbers))
    parts: list[str] = []
    start = prev = None
    for number in [*ordered, None]:
        if start is not None and (number is None or number != prev + 1):
            parts.append(str(start) if start == prev else f"{start}\u2013{prev}")
            start = None
        if number is not None and start is None:
            start = number
        prev = number
    return ", ".join(parts)


# --------------------------------------------------------------------------- flowchart


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


MARGIN = 16
NO_COL_W = 52
LANE_W = 210
HEADER_H = 46
SHAPE_OFFSET = -14  # shapes sit left of the lane's middle to leave room for the document
PROCESS_W, PROCESS_H = 150, 48
DECISION_W, DECISION_H = 164, 76
ROW_PAD = 16
ENTRY_SPACING = 9  # between return arrows entering the same step from above
TRACK_SPACING = 16  # between return tracks right of the lanes
DOC_W, DOC_H = 26, 20
LABEL_SIZE = 10
DECISION_LABEL_SIZE = 9.5
LABEL_WORDS = 6
ARROW_LEN, ARROW_HALF = 8, 3.5
TURN_BELOW = 12  # an arrow to the next row turns this far below the shape


@dataclass
class _Box:
    step: Step
    row: int
    lane: int
    cx: float
    cy: float
    symbol: str  # terminator | process | decision

    @property
    def w(self) -> float:
        return DECISION_W if self.symbol == "decision" else PROCESS_W

    @property
    def h(self) -> float:
        return DECISION_H if self.symbol == "decision" else PROCESS_H

    @property
    def top(self) -> float:
        return self.cy - self.h / 2

    @property
    def bottom(self) -> float:
        return self.cy + self.h / 2

    @property
    def right(self) -> float:
        return self.cx + self.w / 2

    def top_at(self, x: float) -> float:
        """The y where an arrow coming down at `x` meets the shape."""
        if self.symbol != "decision":
            return self.top
        return self.top + self.h / 2 * min(1.0, abs(x - self.cx) / (self.w / 2))


@dataclass
class _Edge:
    source: _Box
    target: _Box
    kind: str  # next | return
    track: int | None = None  # index of the column right of the lanes, for non-adjacent edges
    entry: int = 0  # order among the track edges entering the same target
    entries: int = 1


def _symbol(definition: SopDefinition, step: Step) -> str:
    if step.is_decision:
        return "decision"
    if step is definition.steps[0] or step.next is None:
        return "terminator"
    return "process"


def _layout(definition: SopDefinition) -> tuple[dict[int, _Box], list[_Edge], list[float]]:
    """Place every step in its row and lane, and route every arrow; answer row boundaries."""
    lane_of = {actor.code: i for i, actor in enumerate(definition.actors)}
    row_of = {step.no: i for i, step in enumerate(definition.steps)}
    pairs: list[tuple[Step, int, str]] = []
    for step in definition.steps:
        if step.next is not None:
            pairs.append((step, step.next, "next"))
        if step.is_decision and step.on_return is not None:
            pairs.append((step, step.on_return, "return"))
    track_pairs = [
        (source, target, kind)
        for source, target, kind in pairs
        if row_of[target] != row_of[source.no] + 1
    ]
    # Shorter spans take the inner tracks, so the tracks do not cross each other.
    track_pairs.sort(key=lambda p: (abs(row_of[p[1]] - row_of[p[0].no]), row_of[p[0].no]))
    entering: dict[int, list[int]] = {}
    for index, (_, target, _) in enumerate(track_pairs):
        entering.setdefault(target, []).append(index)

    boxes: dict[int, _Box] = {}
    bounds = [float(MARGIN + HEADER_H)]
    for row, step in enumerate(definition.steps):
        symbol = _symbol(definition, step)
        height = DECISION_H if symbol == "decision" else PROCESS_H
        pad_top = (
            ROW_PAD
            + ENTRY_SPACING * len(entering.get(step.no, ()))
            + (4 if step.no in entering else 0)
        )
        lane = lane_of.get(step.actors[0], 0) if step.actors else 0
        cx = MARGIN + NO_COL_W + lane * LANE_W + LANE_W / 2 + SHAPE_OFFSET
        cy = bounds[-1] + pad_top + height / 2
        boxes[step.no] = _Box(step, row, lane, cx, cy, symbol)
        bounds.append(cy + height / 2 + ROW_PAD)

    edges: list[_Edge] = []
    for source, target, kind in pairs:
        edges.append(_Edge(boxes[source.no], boxes[target], kind))
    for index, (source, target, kind) in enumerate(track_pairs):
        edge = next(
            e
            for e in edges
            if e.source.step is source and e.target.step.no == target and e.kind == kind
        )
        edge.track = index
        edge.entry = entering[target].index(index)
        edge.entries = len(entering[target])
    return boxes, edges, bounds


def _arrow(
    points: Sequence[tuple[float, float]], colour: str, width: float, **attrs: object
) -> str:
    """An orthogonal polyline ending in an arrowhead polygon at its last point."""
    (x1, y1), (x2, y2) = points[-2], points[-1]
    dx = (x2 > x1) - (x2 < x1)
    dy = (y2 > y1) - (y2 < y1)
    # Stop the line under the arrowhead so a thick stroke does not poke through the tip.
    stop = (x2 - dx * (ARROW_LEN - 1), y2 - dy * (ARROW_LEN - 1))
    line_points = [*points[:-1], stop]
    base_x, base_y = x2 - dx * ARROW_LEN, y2 - dy * ARROW_LEN
    half = ARROW_HALF + (width - 1.4) * 0.6
    head = [
        (x2, y2),
        (base_x - dy * half, base_y + dx * half),
        (base_x + dy * half, base_y - dx * half),
    ]
    dash = attrs.pop("stroke_dasharray", None)
    return _el(
        "g",
        _el(
            "polyline",
            points=" ".join(f"{_num(x)},{_num(y)}" for x, y in line_points),
            fill="none",
            stroke=colour,
            stroke_width=width,
            stroke_dasharray=dash,
            stroke_linejoin="round",
        )
        + _el("polygon", points=" ".join(f"{_num(x)},{_num(y)}" for x, y in head), fill=colour),
        **attrs,
    )


def _edge_points(edge: _Edge, lanes_right: float) -> list[tuple[float, float]]:
    source, target = edge.source, edge.target
    if edge.track is None:
        turn = source.bottom + (TURN_BELOW + 2 if source.symbol == "decision" else TURN_BELOW)
        if abs(source.cx - target.cx) < 0.5:
            return [(source.cx, source.bottom), (target.cx, target.top)]
        return [
            (source.cx, source.bottom),
            (source.cx, turn),
            (target.cx, turn),
            (target.cx, target.top),
        ]
    track_x = lanes_right + 14 + TRACK_SPACING * edge.track
    entry_y = target.top - 12 - ENTRY_SPACING * edge.entry
    # Outer tracks enter further left, so entering arrows never cross each other.
    entry_x = target.cx + 22 + 14 * (edge.entries - 1 - edge.entry)
    if edge.kind == "return":
        start = [(source.right, source.cy), (track_x, source.cy)]
    else:
        turn = source.bottom + TURN_BELOW
        start = [(source.cx, source.bottom), (source.cx, turn), (track_x, turn)]
    return [*start, (track_x, entry_y), (entry_x, entry_y), (entry_x, target.top_at(entry_x))]


def _shape(box: _Box, fill: str, stroke: str, width: float) -> str:
    style = {"fill": fill, "stroke": stroke, "stroke_width": width}
    x, y = box.cx - box.w / 2, box.top
    if box.symbol == "decision":
        points = [(box.cx, y), (box.right, box.cy), (box.cx, box.bottom), (x, box.cy)]
        return _el("polygon", points=" ".join(f"{_num(a)},{_num(b)}" for a, b in points), **style)
    radius = box.h / 2 if box.symbol == "terminator" else 2
    return _el("rect", x=x, y=y, width=box.w, height=box.h, rx=radius, ry=radius, **style)


def _label_widths(symbol: str) -> dict[int, list[float]]:
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


def _document_symbol(x: float, y: float, title: str, stacked: bool, fill: str) -> str:
    def sheet(left: float, top: float) -> str:
        bottom = top + DOC_H - 3
        path = (
            f"M{_num(left)},{_num(top)} h{DOC_W} V{_num(bottom)} "
            f"C{_num(left + DOC_W * 0.75)},{_num(bottom - 6)} {_num(left + DOC_W * 0.25)},"
            f"{_num(bottom + 6)} {_num(left)},{_num(bottom)} Z"
        )
        return _el("path", d=path, fill=fill, stroke=SHAPE_STROKE, stroke_width=1.1)

    sheets = (sheet(x + 3, y - 3) if stacked else "") + sheet(x, y)
    lines = "".join(
        _el(
            "line",
            x1=x + 5,
            y1=y + 5 + 4 * i,
            x2=x + DOC_W - 5,
            y2=y + 5 + 4 * i,
            stroke=MUTED,
            stroke_width=0.8,
        )
        for i in range(2)
    )
    return _el("g", _title(title) + sheets + lines, class_="document")


def _pill(x: float, y: float, text: str, fill: str, size: float = 8.5) -> str:
    width = _text_width(text, size, bold=True) + 10
    return _el("rect", x=x, y=y, width=width, height=size + 6, rx=(size + 6) / 2, fill=fill) + (
        _text(
            x + width / 2,
            y + (size + 6) / 2 + size * 0.35,
            text,
            size,
            fill="#ffffff",
            font_weight="bold",
            text_anchor="middle",
        )
    )


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
    boxes, edges, bounds = _layout(definition)
    lanes = max(1, len(definition.actors))
    table_left = MARGIN
    lanes_left = MARGIN + NO_COL_W
    lanes_right = lanes_left + lanes * LANE_W
    tracks = sum(1 for e in edges if e.track is not None)
    table_bottom = bounds[-1]
    body: list[str] = []

    # Table: bands, header, lanes.
    grid: list[str] = []
    for row, (top, bottom) in enumerate(zip(bounds, bounds[1:], strict=False)):
        if row % 2:
            grid.append(
                _el(
                    "rect",
                    x=table_left,
                    y=top,
                    width=lanes_right - table_left,
                    height=bottom - top,
                    fill=BAND_FILL,
                )
            )
    grid.append(
        _el(
            "rect",
            x=table_left,
            y=MARGIN,
            width=lanes_right - table_left,
            height=HEADER_H,
            fill=HEADER_FILL,
        )
    )
    for i in range(lanes + 1):
        x = lanes_left + i * LANE_W
        grid.append(_el("line", x1=x, y1=MARGIN, x2=x, y2=table_bottom, stroke=GRID))
    grid.append(
        _el(
            "line",
            x1=table_left,
            y1=MARGIN + HEADER_H,
            x2=lanes_right,
            y2=MARGIN + HEADER_H,
            stroke=MUTED,
        )
    )
    grid.append(
        _el(
            "rect",
            x=table_left,
            y=MARGIN,
            width=lanes_right - table_left,
            height=table_bottom - MARGIN,
            fill="none",
            stroke=MUTED,
            stroke_width=1.2,
        )
    )
    grid.append(
        _text(
            table_left + NO_COL_W / 2,
            MARGIN + HEADER_H / 2 + 4,
            "No",
            11.5,
            font_weight="bold",
            text_anchor="middle",
        )
    )
    for i, actor in enumerate(definition.actors):
        header_widths = {1: [LANE_W - 20], 2: [LANE_W - 20] * 2}
        lines = _fit_label(actor.name, header_widths, 11.5, 99, bold=True)
        grid.append(
            _el(
                "g",
                _title(actor.name)
                + _lines(
                    lanes_left + (i + 0.5) * LANE_W,
                    MARGIN + HEADER_H / 2,
                    lines,
                    11.5,
                    font_weight="bold",
                ),
                class_="lane-header",
                id=f"{prefix}-lane-{actor.code}",
            )
        )
    body.append(_el("g", "".join(grid), class_="table"))

    done = progress.done_steps if progress else frozenset()
    current = progress.current_steps if progress else frozenset()
    taken = progress.returns_taken if progress else {}
    lane_of = {actor.code: i for i, actor in enumerate(definition.actors)}
    names = {actor.code: actor.name for actor in definition.actors}

    # Other actors of a step: a dashed line to a small circle in each of their lanes.
    connectors: list[str] = []
    for box in boxes.values():
        for code in box.step.actors[1:]:
            if code not in lane_of or lane_of[code] == box.lane:
                continue
            x = lanes_left + lane_of[code] * LANE_W + LANE_W / 2 + SHAPE_OFFSET
            y = box.cy + (0 if box.symbol == "decision" else 8)
            fill = DONE_FILL if box.step.no in done else "#ffffff"
            connectors.append(
                _el(
                    "g",
                    _title(f"Langkah {box.step.no} juga dilaksanakan oleh {names[code]}")
                    + _el(
                        "line",
                        x1=box.cx,
                        y1=y,
                        x2=x,
                        y2=y,
                        stroke=MUTED,
                        stroke_width=1.2,
                        stroke_dasharray="4 3",
                    )
                    + _el(
                        "circle", cx=x, cy=y, r=7, fill=fill, stroke=SHAPE_STROKE, stroke_width=1.4
                    ),
                    class_="co-actor",
                )
            )
    body.append(_el("g", "".join(connectors), class_="co-actors"))

    # Steps.
    shapes: list[str] = []
    for box in boxes.values():
        step = box.step
        state = "done" if step.no in done else "current" if step.no in current else "pending"
        if state == "current":
            fill, stroke, stroke_width = CURRENT_FILL, CURRENT_STROKE, 3.5
        elif state == "done":
            fill, stroke, stroke_width = DONE_FILL, DONE_STROKE, 1.6
        else:
            fill, stroke, stroke_width = "#ffffff", SHAPE_STROKE, 1.4
        size = DECISION_LABEL_SIZE if box.symbol == "decision" else LABEL_SIZE
        label = _fit_label(step.name, _label_widths(box.symbol), size, LABEL_WORDS)
        actors = ", ".join(definition.actor_names(step.actors))
        parts = [
            _title(f"{step.no}. {step.name} ({actors})"),
            _shape(box, fill, stroke, stroke_width),
            _lines(box.cx, box.cy, label, size, class_="step-label"),
        ]
        if step.outputs:
            if box.symbol == "decision":
                doc_x, doc_y = box.cx + 60, box.top - 4
            else:
                doc_x, doc_y = box.right + 5, box.top
            parts.append(
                _document_symbol(
                    doc_x,
                    doc_y,
                    "Output: " + "; ".join(step.outputs),
                    len(step.outputs) > 1,
                    DONE_FILL if state == "done" else "#ffffff",
                )
            )
        if state == "current":
            text = "sedang berjalan"
            pill_w = _text_width(text, 8.5, bold=True) + 10
            pill_right = box.cx - (10 if box.symbol == "decision" else 6)
            pill_y = box.top - (13 if box.symbol == "decision" else 11)
            parts.append(
                _el(
                    "g",
                    _pill(pill_right - pill_w, pill_y, text, CURRENT_STROKE),
                    class_="current-label",
                )
            )
        # Step number, in a filled disc once done or running (readable without colour).
        number_x = table_left + NO_COL_W / 2
        if state == "pending":
            parts.append(
                _text(
                    number_x,
                    box.cy + 4,
                    str(step.no),
                    12,
                    font_weight="bold",
                    text_anchor="middle",
                    class_="step-no",
                )
            )
        else:
            disc = DONE_STROKE if state == "done" else CURRENT_STROKE
            parts.append(
                _el("circle", cx=number_x, cy=box.cy, r=12, fill=disc)
                + _text(
                    number_x,
                    box.cy + 4,
                    str(step.no),
                    11.5,
                    font_weight="bold",
                    text_anchor="middle",
                    fill="#ffffff",
                    class_="step-no",
                )
            )
        shapes.append(
            _el(
                "g",
                "".join(parts),
                id=f"{prefix}-step-{step.no}",
                class_=f"step step-{box.symbol} step-{state}",
            )
        )
    body.append(_el("g", "".join(shapes), class_="steps"))

    # Arrows: untaken returns under the others, taken returns on top.
    def order(edge: _Edge) -> int:
        if edge.kind != "return":
            return 1
        return 2 if taken.get(edge.source.step.no, 0) else 0

    arrows: list[str] = []
    labels: list[str] = []
    for edge in sorted(edges, key=order):
        points = _edge_points(edge, lanes_right)
        source = edge.source
        if edge.kind == "next":
            arrows.append(
                _arrow(
                    points,
                    SHAPE_STROKE,
                    1.4,
                    class_="flow flow-next",
                    id=f"{prefix}-next-{source.step.no}",
                )
            )
            if source.symbol == "decision":
                turns_right = len(points) > 2 and points[2][0] > points[1][0]
                x = source.cx + (-5 if turns_right else 5)
                labels.append(
                    _text(
                        x,
                        source.bottom + 11,
                        "Ya",
                        9.5,
                        font_weight="bold",
                        text_anchor="end" if turns_right else "start",
                        class_="flow-label flow-label-ya",
                    )
                )
            continue
        count = taken.get(source.step.no, 0)
        if count:
            arrows.append(
                _arrow(
                    points,
                    RETURN_TAKEN,
                    2.6,
                    class_="flow flow-return flow-return-taken",
                    id=f"{prefix}-return-{source.step.no}",
                )
            )
        else:
            arrows.append(
                _arrow(
                    points,
                    RETURN_IDLE,
                    1.3,
                    stroke_dasharray="5 4",
                    class_="flow flow-return flow-return-idle",
                    id=f"{prefix}-return-{source.step.no}",
                )
            )
        x, y = source.right + 4, source.cy + 13
        labels.append(
            _text(
                x,
                y,
                "Tidak",
                9.5,
                font_weight="bold",
                fill=RETURN_TAKEN if count else INK,
                class_="flow-label flow-label-tidak",
            )
        )
        if count:
            # Under the label, where the diamond falls away, so it stays inside the lane.
            labels.append(
                _el(
                    "g",
                    _title(f"Dikembalikan {count} kali")
                    + _pill(x, y + 4, f"\u00d7{count}", RETURN_TAKEN, 9),
                    class_="return-count",
                )
            )
    body.append(_el("g", "".join(arrows), class_="flows"))
    body.append(_el("g", "".join(labels), class_="flow-labels"))

    natural_width = max(lanes_right + (24 + TRACK_SPACING * tracks if tracks else 0), 560) + MARGIN
    legend, legend_height = _flow_legend(
        MARGIN, table_bottom + 18, natural_width - 2 * MARGIN, progress is not None
    )
    body.append(legend)
    natural_height = table_bottom + 18 + legend_height + MARGIN

    title = f"Diagram alir SOP {definition.title}"
    actor_list = ", ".join(actor.name for actor in definition.actors)
    desc = f"{len(definition.steps)} langkah dalam {lanes} lajur pelaksana ({actor_list})."
    decisions = [s for s in definition.steps if s.is_decision]
    if decisions:
        desc += (
            " Keputusan: "
            + "; ".join(
                f"langkah {s.no} (Ya ke {s.next}, Tidak kembali ke {s.on_return})"
                for s in decisions
            )
            + "."
        )
    if progress is not None:
        if done:
            desc += f" Selesai: langkah {_ranges(done)}."
        if current:
            desc += f" Sedang berjalan: langkah {_ranges(current)}."
        returned = [f"langkah {no} \u00d7{n}" for no, n in sorted(taken.items()) if n]
        if returned:
            desc += " Dikembalikan: " + ", ".join(returned) + "."
    return _document(
        _size_attrs(width, natural_width, natural_height),
        "".join(body),
        title,
        desc,
        prefix,
        natural_width,
        natural_height,
    )


def _flow_legend(x0: float, y0: float, max_width: float, with_progress: bool) -> tuple[str, float]:
    """Draw the symbol key under the chart; answer it and its height."""
    sample_w, sample_h = 34, 20

    def sample_box(
        x: float,
        y: float,
        rx: float,
        fill: str = "#ffffff",
        stroke: str = SHAPE_STROKE,
        stroke_width: float = 1.4,
        inset: float = 0,
    ):
        return _el(
            "rect",
            x=x + inset,
            y=y + inset,
            width=sample_w - 2 * inset,
            height=sample_h - 2 * inset,
            rx=rx,
            fill=fill,
            stroke=stroke,
            stroke_width=stroke_width,
        )

    def terminator(x: float, y: float) -> str:
        return sample_box(x, y, rx=10)

    def process(x: float, y: float) -> str:
        return sample_box(x, y, rx=2)

    def document(x: float, y: float) -> str:
        return _document_symbol(x + 4, y, "Dokumen", False, "#ffffff")

    def decision(x: float, y: float) -> str:
        cx, cy = x + sample_w / 2, y + sample_h / 2
        points = [(cx, y - 2), (x + sample_w, cy), (cx, y + sample_h + 2), (x, cy)]
        return _el(
            "polygon",
            points=" ".join(f"{_num(a)},{_num(b)}" for a, b in points),
            fill="#ffffff",
            stroke=SHAPE_STROKE,
            stroke_width=1.4,
        )

    def co_actor(x: float, y: float) -> str:
        cy = y + sample_h / 2
        return _el(
            "line",
            x1=x,
            y1=cy,
            x2=x + sample_w - 7,
            y2=cy,
            stroke=MUTED,
            stroke_width=1.2,
            stroke_dasharray="4 3",
        ) + _el(
            "circle",
            cx=x + sample_w - 7,
            cy=cy,
            r=6,
            fill="#ffffff",
            stroke=SHAPE_STROKE,
            stroke_width=1.4,
        )

    def done(x: float, y: float) -> str:
        return sample_box(x, y, rx=2, fill=DONE_FILL, stroke=DONE_STROKE, stroke_width=1.6)

    def running(x: float, y: float) -> str:
        return sample_box(
            x, y, rx=2, fill=CURRENT_FILL, stroke=CURRENT_STROKE, stroke_width=3.5, inset=1
        )

    def returned(x: float, y: float) -> str:
        cy = y + sample_h / 2
        return _arrow([(x + sample_w, cy), (x, cy)], RETURN_TAKEN, 2.6)

    def idle(x: float, y: float) -> str:
        cy = y + sample_h / 2
        return _arrow([(x + sample_w, cy), (x, cy)], RETURN_IDLE, 1.3, stroke_dasharray="5 4")

    items = [
        (terminator, "Terminator (mulai/selesai)"),
        (process, "Proses"),
        (decision, "Keputusan (Ya / Tidak)"),
        (document, "Dokumen (output)"),
        (co_actor, "Pelaksana pendamping"),
    ]
    if with_progress:
        items += [
            (done, "Selesai"),
            (running, "Sedang berjalan"),
            (returned, "Dikembalikan (\u00d7 jumlah)"),
            (idle, "Jalur kembali (belum dipakai)"),
        ]
    size = 10
    row_h = sample_h + 12
    parts = [_text(x0, y0 + 10, "Keterangan simbol", 10.5, font_weight="bold")]
    x, y = x0, y0 + 18
    for draw, text in items:
        item_w = sample_w + 6 + _text_width(text, size) + 22
        if x > x0 and x + item_w > x0 + max_width:
            x, y = x0, y + row_h
        parts.append(draw(x, y))
        parts.append(_text(x + sample_w + 6, y + sample_h / 2 + size * 0.35, text, size))
        x += item_w
    return _el("g", "".join(parts), class_="legend"), y + row_h - y0


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineBar:
    """One step (or one round of a step) against its time standard, in working minutes."""

    label: str
    standard_minutes: int
    working_minutes: int
    late: bool = False
    open: bool = False


TIMELINE_ROW_H = 28
TIMELINE_PLOT_W = 520
NEAR_LIMIT = 0.75  # share of the standard after which an open step is flagged amber


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
        segments.append(_el("line", x1=ax, y1=ay, x2=bx, y2=by, stroke="#ffffff", stroke_width=1.6))
        offset += spacing
    return "".join(segments)


def _minutes(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def timeline_svg(
    rows: Sequence[TimelineBar],
    *,
    title: str = "Waktu kerja per langkah terhadap mutu baku",
    width: str | None = None,
    id_prefix: str = "timeline",
) -> str:
    """Draw working time against the time standard, one horizontal bar per row."""
    if not rows:
        natural_width, natural_height = 420, 90
        body = _el(
            "rect",
            x=0.5,
            y=0.5,
            width=natural_width - 1,
            height=natural_height - 1,
            rx=6,
            fill=BAND_FILL,
            stroke=GRID,
        ) + _text(
            natural_width / 2,
            natural_height / 2 + 5,
            "Belum ada data",
            14,
            fill=MUTED,
            text_anchor="middle",
            class_="empty",
        )
        return _document(
            _size_attrs(width, natural_width, natural_height),
            body,
            title,
            "Belum ada data waktu kerja.",
            id_prefix,
            natural_width,
            natural_height,
        )

    label_size, value_size = 11, 10
    label_w = min(220.0, max(60.0, max(_text_width(r.label, label_size) for r in rows))) + 14
    largest = max(max(r.standard_minutes, r.working_minutes) for r in rows)
    step = _nice_step(largest) if largest > 0 else 10
    axis_max = max(step * -(-largest // step), step)
    scale = TIMELINE_PLOT_W / axis_max

    def value_text(row: TimelineBar) -> str:
        text = f"{_minutes(row.working_minutes)} / {_minutes(row.standard_minutes)} mnt"
        return text + (" \u00b7 terlambat" if _is_late(row) else "")

    value_w = max(_text_width(value_text(r), value_size, bold=True) for r in rows) + 16
    plot_left = MARGIN + label_w
    plot_top = MARGIN + 4
    plot_bottom = plot_top + len(rows) * TIMELINE_ROW_H
    natural_width = plot_left + TIMELINE_PLOT_W + value_w + MARGIN

    parts: list[str] = []
    # Gridlines and axis.
    ticks = range(0, axis_max + 1, step)
    axis = [
        _el(
            "line",
            x1=plot_left,
            y1=plot_bottom,
            x2=plot_left + TIMELINE_PLOT_W,
            y2=plot_bottom,
            stroke=MUTED,
        )
    ]
    for tick in ticks:
        x = plot_left + tick * scale
        axis.append(
            _el(
                "line",
                x1=x,
                y1=plot_top,
                x2=x,
                y2=plot_bottom,
                stroke=GRID if tick else MUTED,
                stroke_width=1 if tick else 1.2,
            )
        )
        axis.append(_el("line", x1=x, y1=plot_bottom, x2=x, y2=plot_bottom + 4, stroke=MUTED))
        axis.append(
            _text(x, plot_bottom + 16, _minutes(tick), 9.5, fill=MUTED, text_anchor="middle")
        )
    axis.append(
        _text(
            plot_left + TIMELINE_PLOT_W / 2,
            plot_bottom + 32,
            "menit kerja",
            10,
            fill=MUTED,
            text_anchor="middle",
        )
    )
    parts.append(_el("g", "".join(axis), class_="axis"))

    bars: list[str] = []
    for i, row in enumerate(rows):
        top = plot_top + i * TIMELINE_ROW_H
        mid = top + TIMELINE_ROW_H / 2
        late = _is_late(row)
        near = (
            row.open
            and row.standard_minutes > 0
            and row.working_minutes > NEAR_LIMIT * row.standard_minutes
        )
        state = "late" if late else "near" if near else "ok"
        label = row.label
        while len(label) > 1 and _text_width(label, label_size) > label_w - 14:
            label = label[:-2] + ELLIPSIS
        parts_row = [
            _title(f"{row.label}: {value_text(row)}" + (" (berjalan)" if row.open else "")),
            _text(plot_left - 8, mid + 4, label, label_size, text_anchor="end"),
        ]
        standard_w = row.standard_minutes * scale
        if standard_w > 0:
            parts_row.append(
                _el(
                    "rect",
                    x=plot_left,
                    y=mid - 8,
                    width=standard_w,
                    height=16,
                    fill=STANDARD_FILL,
                    class_="standard",
                )
                + _el(
                    "line",
                    x1=plot_left + standard_w,
                    y1=mid - 10,
                    x2=plot_left + standard_w,
                    y2=mid + 10,
                    stroke=INK,
                    stroke_width=1.5,
                )
            )
        working_w = row.working_minutes * scale
        if working_w > 0:
            fill = LATE_FILL if late else NEAR_FILL if near else OK_FILL
            bar = _el(
                "rect",
                x=plot_left,
                y=mid - 5,
                width=working_w,
                height=10,
                fill=fill,
                stroke=LATE_STROKE if late else "none",
                stroke_width=1.2,
                class_="working",
            )
            if late:
                bar += _hatch(plot_left, mid - 5, working_w, 10)
                bar += _el(
                    "rect",
                    x=plot_left,
                    y=mid - 5,
                    width=working_w,
                    height=10,
                    fill="none",
                    stroke=LATE_STROKE,
                    stroke_width=1.2,
                )
            parts_row.append(bar)
        end = plot_left + max(standard_w, working_w)
        parts_row.append(
            _text(
                end + 6,
                mid + 3.5,
                value_text(row),
                value_size,
                font_weight="bold",
                fill=LATE_FILL if late else INK,
                class_="value",
            )
        )
        bars.append(_el("g", "".join(parts_row), class_=f"bar bar-{state}"))
    parts.append(_el("g", "".join(bars), class_="bars"))

    legend, legend_h = _timeline_legend(plot_left, plot_bottom + 44)
    parts.append(legend)
    natural_height = plot_bottom + 44 + legend_h + MARGIN
    late_count = sum(1 for r in rows if _is_late(r))
    desc = (
        f"{len(rows)} baris; {late_count} terlambat. Skala 0\u2013{_minutes(axis_max)} menit kerja."
    )
    return _document(
        _size_attrs(width, natural_width, natural_height),
        "".join(parts),
        title,
        desc,
        id_prefix,
        natural_width,
        natural_height,
    )


def _is_late(row: TimelineBar) -> bool:
    return row.late or (row.standard_minutes > 0 and row.working_minutes > row.standard_minutes)


def _timeline_legend(x0: float, y0: float) -> tuple[str, float]:
    items = [
        (_el("rect", x=0, y=-8, width=24, height=16, fill=STANDARD_FILL), "Mutu baku"),
        (_el("rect", x=0, y=-5, width=24, height=10, fill=OK_FILL), "Dalam batas"),
        (_el("rect", x=0, y=-5, width=24, height=10, fill=NEAR_FILL), "Berjalan, > 75 %"),
        (
            _el("rect", x=0, y=-5, width=24, height=10, fill=LATE_FILL)
            + _hatch(0, -5, 24, 10)
            + _el(
                "rect",
                x=0,
                y=-5,
                width=24,
                height=10,
                fill="none",
                stroke=LATE_STROKE,
                stroke_width=1.2,
            ),
            "Terlambat",
        ),
    ]
    parts, x = [], x0
    for sample, text in items:
        parts.append(_el("g", sample, transform=f"translate({_num(x)},{_num(y0 + 8)})"))
        parts.append(_text(x + 30, y0 + 11.5, text, 10))
        x += 30 + _text_width(text, 10) + 20
    return _el("g", "".join(parts), class_="legend"), 18


def flowchart_data_uri(
    definition: SopDefinition, progress: FlowProgress | None = None, **options: object
) -> str:
    """Answer the flowchart as a `data:image/svg+xml;base64,...` URI for an `<img>`."""
    return svg_data_uri(flowchart_svg(definition, progress, **options))  # type: ignore[arg-type]

"""Where the flowchart puts things: each step's shape in its row and actor lane, and the
route of every arrow (to the next row directly, or round the right of the lanes)."""

from dataclasses import dataclass

from app.services.sop_definitions import SopDefinition, Step

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
TURN_BELOW = 12  # an arrow to the next row turns this far below the shape

Point = tuple[float, float]


@dataclass
class Box:
    """A step's shape: its row, its lane, its centre and its symbol."""

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
class Edge:
    """An arrow between two steps: to the next step, or a decision's return."""

    source: Box
    target: Box
    kind: str  # next | return
    track: int | None = None  # index of the column right of the lanes, for non-adjacent edges
    entry: int = 0  # order among the track edges entering the same target
    entries: int = 1


@dataclass
class Layout:
    """The placed steps, the routed arrows, and the rows' boundaries (top to bottom)."""

    boxes: dict[int, Box]
    edges: list[Edge]
    bounds: list[float]
    lanes: int

    @property
    def lanes_left(self) -> float:
        return MARGIN + NO_COL_W

    @property
    def lanes_right(self) -> float:
        return self.lanes_left + self.lanes * LANE_W

    @property
    def table_bottom(self) -> float:
        return self.bounds[-1]

    @property
    def tracks(self) -> int:
        return sum(1 for e in self.edges if e.track is not None)

    def lane_centre(self, lane: int) -> float:
        """The x of the shapes in `lane`."""
        return self.lanes_left + lane * LANE_W + LANE_W / 2 + SHAPE_OFFSET


def symbol_of(definition: SopDefinition, step: Step) -> str:
    """The flowchart symbol of a step: a decision diamond, a terminator or a process."""
    if step.is_decision:
        return "decision"
    if step is definition.steps[0] or step.next is None:
        return "terminator"
    return "process"


def _pairs(definition: SopDefinition) -> list[tuple[Step, int, str]]:
    pairs: list[tuple[Step, int, str]] = []
    for step in definition.steps:
        if step.next is not None:
            pairs.append((step, step.next, "next"))
        if step.is_decision and step.on_return is not None:
            pairs.append((step, step.on_return, "return"))
    return pairs


def _track_pairs(definition: SopDefinition, pairs: list) -> list[tuple[Step, int, str]]:
    """The arrows that do not go to the next row, shorter spans first: they take the inner
    tracks, so the tracks do not cross each other."""
    row_of = {step.no: i for i, step in enumerate(definition.steps)}
    tracked = [p for p in pairs if row_of[p[1]] != row_of[p[0].no] + 1]
    tracked.sort(key=lambda p: (abs(row_of[p[1]] - row_of[p[0].no]), row_of[p[0].no]))
    return tracked


def _place_boxes(
    definition: SopDefinition, entering: dict[int, list[int]]
) -> tuple[dict[int, Box], list[float]]:
    """Put each step in its own row, in its first actor's lane, leaving room above it for
    the arrows that enter it from the tracks."""
    lane_of = {actor.code: i for i, actor in enumerate(definition.actors)}
    boxes: dict[int, Box] = {}
    bounds = [float(MARGIN + HEADER_H)]
    for row, step in enumerate(definition.steps):
        symbol = symbol_of(definition, step)
        height = DECISION_H if symbol == "decision" else PROCESS_H
        entries = len(entering.get(step.no, ()))
        pad_top = ROW_PAD + ENTRY_SPACING * entries + (4 if entries else 0)
        lane = lane_of.get(step.actors[0], 0) if step.actors else 0
        cx = MARGIN + NO_COL_W + lane * LANE_W + LANE_W / 2 + SHAPE_OFFSET
        cy = bounds[-1] + pad_top + height / 2
        boxes[step.no] = Box(step, row, lane, cx, cy, symbol)
        bounds.append(cy + height / 2 + ROW_PAD)
    return boxes, bounds


def layout(definition: SopDefinition) -> Layout:
    """Place every step in its row and lane, and route every arrow."""
    pairs = _pairs(definition)
    track_pairs = _track_pairs(definition, pairs)
    entering: dict[int, list[int]] = {}
    for index, (_, target, _) in enumerate(track_pairs):
        entering.setdefault(target, []).append(index)
    boxes, bounds = _place_boxes(definition, entering)
    edges = {
        (source.no, target, kind): Edge(boxes[source.no], boxes[target], kind)
        for source, target, kind in pairs
    }
    for index, (source, target, kind) in enumerate(track_pairs):
        edge = edges[(source.no, target, kind)]
        edge.track = index
        edge.entry = entering[target].index(index)
        edge.entries = len(entering[target])
    return Layout(boxes, list(edges.values()), bounds, max(1, len(definition.actors)))


def edge_points(edge: Edge, lanes_right: float) -> list[Point]:
    """The corners of an arrow's orthogonal route, from its source to its target's outline."""
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

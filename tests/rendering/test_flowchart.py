"""Tests for the SOP flowchart (app/rendering/svg/flowchart.py)."""

import base64
import xml.etree.ElementTree as ET

import pytest

from app.rendering.svg.flowchart import FlowProgress, flowchart_data_uri, flowchart_svg
from app.rendering.svg.writer import data_uri
from app.services.sop_definitions import (
    Actor,
    SopDefinition,
    Standard,
    Step,
    load_definition_file,
)
from tests.rendering.svg import SVG, by_id, classes, parse, text_of, with_class

SHIPPED = load_definition_file("app/sops/pengukuran-kinerja.yaml")[0]
MIDWAY = FlowProgress(
    done_steps=frozenset(range(1, 10)),
    current_steps=frozenset({10}),
    returns_taken={10: 2},
)


def step(no: int, actors: tuple[str, ...], next_no: int | None, **changes) -> Step:
    """Build a plain task step; `changes` overrides any field."""
    fields = dict(
        no=no,
        name=f"Langkah nomor {no}",
        kind="task",
        actors=actors,
        inputs=(),
        outputs=("Disposisi",),
        required_outputs=(),
        standard=Standard(15, "minute"),
        next=next_no,
        on_return=None,
    )
    fields.update(changes)
    return Step(**fields)


def definition(steps: tuple[Step, ...], actors: tuple[Actor, ...], **changes) -> SopDefinition:
    """Build a definition from steps and actors."""
    fields = dict(
        code="uji", title="SOP Uji", organisation="", identity={}, actors=actors, steps=steps
    )
    fields.update(changes)
    return SopDefinition(**fields)


def shape_of(root: ET.Element, prefix: str, no: int) -> ET.Element:
    """Answer the rect or polygon that draws step `no`."""
    group = by_id(root, f"{prefix}-step-{no}")
    return next(el for el in group if el.tag in (f"{SVG}rect", f"{SVG}polygon"))


def on_outline(shape: ET.Element, x: float, y: float) -> bool:
    """Tell whether the point lies on the outline of a step's rect or diamond."""
    if shape.tag == f"{SVG}rect":
        left, top = float(shape.get("x")), float(shape.get("y"))
        right, bottom = left + float(shape.get("width")), top + float(shape.get("height"))
        inside = left - 0.5 <= x <= right + 0.5 and top - 0.5 <= y <= bottom + 0.5
        edge = min(abs(x - left), abs(x - right), abs(y - top), abs(y - bottom))
        return inside and edge <= 0.6
    points = [tuple(map(float, p.split(","))) for p in shape.get("points").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half_w, half_h = (max(xs) - min(xs)) / 2, (max(ys) - min(ys)) / 2
    return abs(abs(x - cx) / half_w + abs(y - cy) / half_h - 1) <= 0.02


def arrow_tip(arrow: ET.Element) -> tuple[float, float]:
    """Answer the tip of an arrow: the first point of its arrowhead polygon."""
    head = arrow.find(f"{SVG}polygon")
    return tuple(map(float, head.get("points").split()[0].split(",")))


def test_flowchart_is_a_standalone_accessible_svg():
    """Is the flowchart a well-formed SVG 1.1 image labelled by its own title and desc?"""
    root = parse(flowchart_svg(SHIPPED))
    assert root.tag == f"{SVG}svg"
    assert root.get("version") == "1.1"
    assert root.get("role") == "img"
    assert len(root.get("viewBox").split()) == 4
    title_id, desc_id = root.get("aria-labelledby").split()
    assert by_id(root, title_id).tag == f"{SVG}title"
    assert SHIPPED.title in by_id(root, title_id).text
    assert "12 langkah" in by_id(root, desc_id).text
    assert "DejaVu Sans" in root.get("font-family")


def test_flowchart_uses_no_external_resources():
    """Does the flowchart avoid links, images, scripts and external fonts?"""
    svg = flowchart_svg(SHIPPED, MIDWAY)
    for forbidden in ("href", "<image", "<script", "@import", "url("):
        assert forbidden not in svg


def test_shipped_definition_draws_every_step_with_its_symbol():
    """Does the shipped SOP give 12 shapes: 2 terminators, 2 diamonds (10, 11), 8 processes?"""
    root = parse(flowchart_svg(SHIPPED))
    steps = with_class(root, "step")
    assert len(steps) == 12
    diamonds = [g for g in steps if "step-decision" in classes(g)]
    assert [g.get("id") for g in diamonds] == [
        "flow-pengukuran-kinerja-step-10",
        "flow-pengukuran-kinerja-step-11",
    ]
    assert all(g.find(f"{SVG}polygon") is not None for g in diamonds)
    terminators = [g for g in steps if "step-terminator" in classes(g)]
    assert [g.get("id")[-2:] for g in terminators] == ["-1", "12"]
    assert len([g for g in steps if "step-process" in classes(g)]) == 8


def test_lane_headers_name_the_actors_in_order():
    """Is there one lane header per actor, named as the definition names it, in its order?"""
    root = parse(flowchart_svg(SHIPPED))
    headers = [text_of(g.find(f"{SVG}text")) for g in with_class(root, "lane-header")]
    assert headers == [actor.name for actor in SHIPPED.actors]


def test_decisions_draw_ya_and_tidak_arrows():
    """Does each decision leave by a "Ya" arrow to its next step and a "Tidak" return arrow?"""
    root = parse(flowchart_svg(SHIPPED))
    returns = with_class(root, "flow-return")
    assert [r.get("id") for r in returns] == [
        "flow-pengukuran-kinerja-return-10",
        "flow-pengukuran-kinerja-return-11",
    ]
    assert [text_of(t) for t in with_class(root, "flow-label-tidak")] == ["Tidak", "Tidak"]
    assert [text_of(t) for t in with_class(root, "flow-label-ya")] == ["Ya", "Ya"]
    assert len(with_class(root, "flow-next")) == 11


def test_every_arrow_ends_on_its_target_shape():
    """Does every next and return arrow end with its tip on the outline of the step it enters?"""
    prefix = "flow-pengukuran-kinerja"
    root = parse(flowchart_svg(SHIPPED))
    for item in SHIPPED.steps:
        targets = [("next", item.next), ("return", item.on_return)]
        for kind, target in targets:
            if target is None:
                continue
            tip = arrow_tip(by_id(root, f"{prefix}-{kind}-{item.no}"))
            assert on_outline(shape_of(root, prefix, target), *tip), (kind, item.no, tip)


def test_return_arrows_go_round_the_right_of_the_lanes():
    """Is a return arrow routed right of the last lane and back up to its target?"""
    root = parse(flowchart_svg(SHIPPED))
    lane_lines = [
        float(el.get("x1")) for el in root.iter(f"{SVG}line") if el.get("x1") == el.get("x2")
    ]
    lanes_right = max(lane_lines)
    for arrow in with_class(root, "flow-return"):
        points = [
            tuple(map(float, p.split(",")))
            for p in arrow.find(f"{SVG}polyline").get("points").split()
        ]
        assert max(x for x, _ in points) > lanes_right
        assert points[-1][1] < points[0][1]  # it goes back up
        # Orthogonal: every segment is horizontal or vertical.
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:], strict=False))


def test_steps_with_outputs_show_a_document_listing_them():
    """Does a step with outputs carry a document symbol whose title lists the outputs?"""
    root = parse(flowchart_svg(SHIPPED))
    group = by_id(root, "flow-pengukuran-kinerja-step-4")
    document = with_class(group, "document")[0]
    assert document.find(f"{SVG}title").text == (
        "Output: Notulen Rapat; Surat Perintah Penggunaan Aplikasi e-Kinerja"
    )
    assert len(with_class(root, "document")) == 12 + 1  # every step, and the legend


def test_co_actors_are_marked_in_their_lanes():
    """Does a step with several actors get a marker in each other actor's lane?"""
    root = parse(flowchart_svg(SHIPPED))
    markers = [text_of(m.find(f"{SVG}title")) for m in with_class(root, "co-actor")]
    assert markers == [
        "Langkah 5 juga dilaksanakan oleh Sekretaris Camat",
        "Langkah 6 juga dilaksanakan oleh Sekretaris Camat",
        "Langkah 9 juga dilaksanakan oleh Kepala Seksi",
    ]


def test_step_labels_are_short_and_titles_are_full():
    """Is each label at most 3 lines from the first words, with the full name in the title?"""
    root = parse(flowchart_svg(SHIPPED))
    for item in SHIPPED.steps:
        group = by_id(root, f"flow-pengukuran-kinerja-step-{item.no}")
        label = with_class(group, "step-label")[0]
        lines = [t.text for t in label.iter(f"{SVG}tspan")]
        assert 1 <= len(lines) <= 3
        words = " ".join(lines).replace("\u2026", "").split()
        assert len(words) <= 6
        assert item.name.startswith(" ".join(words).rstrip(",;:."))
        assert item.name in group.find(f"{SVG}title").text


def test_progress_marks_done_and_current_steps():
    """Are done steps, the current step and pending steps drawn distinguishably?"""
    root = parse(flowchart_svg(SHIPPED, MIDWAY))
    states = {
        int(g.get("id").rsplit("-", 1)[1]): classes(g)
        & {"step-done", "step-current", "step-pending"}
        for g in with_class(root, "step")
    }
    assert all(states[no] == {"step-done"} for no in range(1, 10))
    assert states[10] == {"step-current"}
    assert states[11] == states[12] == {"step-pending"}
    current = by_id(root, "flow-pengukuran-kinerja-step-10")
    assert text_of(with_class(current, "current-label")[0]) == "sedang berjalan"
    shape = shape_of(root, "flow-pengukuran-kinerja", 10)
    pending = shape_of(root, "flow-pengukuran-kinerja", 11)
    done = shape_of(root, "flow-pengukuran-kinerja", 9)
    # Not colour only: the running step has a much thicker outline.
    assert float(shape.get("stroke-width")) >= 2 * float(pending.get("stroke-width"))
    assert done.get("fill") != pending.get("fill")


def test_taken_return_is_drawn_with_its_count():
    """Is a return taken twice drawn thick and solid with a "×2" badge, the other grey dashed?"""
    root = parse(flowchart_svg(SHIPPED, MIDWAY))
    taken = by_id(root, "flow-pengukuran-kinerja-return-10")
    idle = by_id(root, "flow-pengukuran-kinerja-return-11")
    assert "flow-return-taken" in classes(taken)
    assert "flow-return-idle" in classes(idle)
    taken_line, idle_line = taken.find(f"{SVG}polyline"), idle.find(f"{SVG}polyline")
    assert taken_line.get("stroke-dasharray") is None
    assert idle_line.get("stroke-dasharray")
    assert float(taken_line.get("stroke-width")) > float(idle_line.get("stroke-width"))
    assert [text_of(b.find(f"{SVG}text")) for b in with_class(root, "return-count")] == ["\u00d72"]
    assert "Dikembalikan: langkah 10 \u00d72" in root.find(f"{SVG}desc").text


def test_without_progress_nothing_is_marked():
    """Without progress, are all steps pending and no return counted?"""
    root = parse(flowchart_svg(SHIPPED))
    assert all("step-pending" in classes(g) for g in with_class(root, "step"))
    assert not with_class(root, "current-label")
    assert not with_class(root, "return-count")
    assert not with_class(root, "flow-return-taken")


def test_text_is_escaped():
    """Are <, & and quotes in names escaped, so the SVG parses and shows them verbatim?"""
    nasty = "Cek <draft> & \"final\" 'ok'"
    actors = (Actor("camat", 'Camat <&> "Kepala"'),)
    steps = (
        step(1, ("camat",), 2, name=nasty, outputs=('Nota <A> & "B"',)),
        step(2, ("camat",), None),
    )
    svg = flowchart_svg(definition(steps, actors, title='SOP "<&>"'))
    root = parse(svg)
    assert '"<&>"' in root.find(f"{SVG}title").text
    header = with_class(root, "lane-header")[0]
    assert text_of(header.find(f"{SVG}text")) == 'Camat <&> "Kepala"'
    group = by_id(root, "flow-uji-step-1")
    assert nasty in group.find(f"{SVG}title").text
    assert with_class(group, "document")[0].find(f"{SVG}title").text == 'Output: Nota <A> & "B"'


def test_two_steps_one_actor_still_render():
    """Does a minimal SOP (2 steps, 1 actor) render: 2 terminators, 1 lane, 1 arrow?"""
    steps = (step(1, ("camat",), 2), step(2, ("camat",), None, outputs=()))
    svg = flowchart_svg(definition(steps, (Actor("camat", "Camat"),)))
    root = parse(svg)
    assert len(with_class(root, "step-terminator")) == 2
    assert len(with_class(root, "lane-header")) == 1
    assert len(with_class(root, "flow-next")) == 1
    assert not with_class(root, "flow-return")
    assert on_outline(shape_of(root, "flow-uji", 2), *arrow_tip(by_id(root, "flow-uji-next-1")))


def test_non_adjacent_next_is_routed_round_the_lanes():
    """Does a `next` that skips rows still end on its target, without crossing the lanes?"""
    actors = (Actor("anggota", "Anggota"), Actor("camat", "Camat"))
    steps = (
        step(1, ("anggota",), 3),
        step(2, ("camat",), None),
        step(3, ("camat", "anggota"), 2),
    )
    root = parse(flowchart_svg(definition(steps, actors)))
    for source, target in ((1, 3), (3, 2)):
        tip = arrow_tip(by_id(root, f"flow-uji-next-{source}"))
        assert on_outline(shape_of(root, "flow-uji", target), *tip)


def test_output_is_deterministic():
    """Do the same inputs always give the same SVG text?"""
    progress = FlowProgress(frozenset({1}), frozenset({2}), {10: 1, 11: 0})
    assert flowchart_svg(SHIPPED, progress) == flowchart_svg(SHIPPED, progress)


def test_width_option_and_id_prefix():
    """Does `width` replace the pixel size and `id_prefix` rename every id?"""
    root = parse(flowchart_svg(SHIPPED, width="100%", id_prefix="kiri"))
    assert root.get("width") == "100%"
    assert root.get("height") is None
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids and all(i.startswith("kiri-") for i in ids)
    assert len(ids) == len(set(ids))
    natural = parse(flowchart_svg(SHIPPED))
    assert natural.get("width") == natural.get("viewBox").split()[2]


def test_data_uri_holds_the_svg():
    """Does the data URI decode back to the flowchart SVG?"""
    uri = flowchart_data_uri(SHIPPED, MIDWAY)
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    assert base64.b64decode(uri[len(prefix) :]).decode() == flowchart_svg(SHIPPED, MIDWAY)
    assert data_uri("<svg/>") == prefix + base64.b64encode(b"<svg/>").decode()


def test_progress_is_frozen():
    """Is FlowProgress immutable, including its return counts?"""
    counts = {10: 1}
    progress = FlowProgress(frozenset(), frozenset(), counts)
    counts[10] = 5
    assert progress.returns_taken[10] == 1
    with pytest.raises(TypeError):
        progress.returns_taken[10] = 3  # type: ignore[index]

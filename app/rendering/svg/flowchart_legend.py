"""The flowchart's key: a sample of each symbol (and of each progress mark) with its name."""

from collections.abc import Callable

from app.rendering.svg import writer as w
from app.rendering.svg.flowchart_shapes import arrow, document_symbol

SAMPLE_W, SAMPLE_H = 34, 20
SIZE = 10


def _box(
    x: float,
    y: float,
    rx: float,
    fill: str = w.WHITE,
    stroke: str = w.SHAPE_STROKE,
    stroke_width: float = 1.4,
    inset: float = 0,
) -> str:
    return w.el(
        "rect",
        x=x + inset,
        y=y + inset,
        width=SAMPLE_W - 2 * inset,
        height=SAMPLE_H - 2 * inset,
        rx=rx,
        fill=fill,
        stroke=stroke,
        stroke_width=stroke_width,
    )


def _terminator(x: float, y: float) -> str:
    return _box(x, y, rx=10)


def _process(x: float, y: float) -> str:
    return _box(x, y, rx=2)


def _document(x: float, y: float) -> str:
    return document_symbol(x + 4, y, "Dokumen", False, w.WHITE)


def _decision(x: float, y: float) -> str:
    cx, cy = x + SAMPLE_W / 2, y + SAMPLE_H / 2
    corners = [(cx, y - 2), (x + SAMPLE_W, cy), (cx, y + SAMPLE_H + 2), (x, cy)]
    return w.el(
        "polygon", points=w.points(corners), fill=w.WHITE, stroke=w.SHAPE_STROKE, stroke_width=1.4
    )


def _co_actor(x: float, y: float) -> str:
    cy = y + SAMPLE_H / 2
    return w.el(
        "line",
        x1=x,
        y1=cy,
        x2=x + SAMPLE_W - 7,
        y2=cy,
        stroke=w.MUTED,
        stroke_width=1.2,
        stroke_dasharray="4 3",
    ) + w.el(
        "circle",
        cx=x + SAMPLE_W - 7,
        cy=cy,
        r=6,
        fill=w.WHITE,
        stroke=w.SHAPE_STROKE,
        stroke_width=1.4,
    )


def _done(x: float, y: float) -> str:
    return _box(x, y, rx=2, fill=w.DONE_FILL, stroke=w.DONE_STROKE, stroke_width=1.6)


def _running(x: float, y: float) -> str:
    return _box(x, y, rx=2, fill=w.CURRENT_FILL, stroke=w.CURRENT_STROKE, stroke_width=3.5, inset=1)


def _returned(x: float, y: float) -> str:
    cy = y + SAMPLE_H / 2
    return arrow([(x + SAMPLE_W, cy), (x, cy)], w.RETURN_TAKEN, 2.6)


def _idle(x: float, y: float) -> str:
    cy = y + SAMPLE_H / 2
    return arrow([(x + SAMPLE_W, cy), (x, cy)], w.RETURN_IDLE, 1.3, stroke_dasharray="5 4")


SYMBOLS: list[tuple[Callable[[float, float], str], str]] = [
    (_terminator, "Terminator (mulai/selesai)"),
    (_process, "Proses"),
    (_decision, "Keputusan (Ya / Tidak)"),
    (_document, "Dokumen (output)"),
    (_co_actor, "Pelaksana pendamping"),
]
PROGRESS_MARKS: list[tuple[Callable[[float, float], str], str]] = [
    (_done, "Selesai"),
    (_running, "Sedang berjalan"),
    (_returned, "Dikembalikan (\u00d7 jumlah)"),
    (_idle, "Jalur kembali (belum dipakai)"),
]


def legend(x0: float, y0: float, max_width: float, with_progress: bool) -> tuple[str, float]:
    """Draw the symbol key under the chart, wrapping at `max_width`; answer it and its height."""
    items = SYMBOLS + (PROGRESS_MARKS if with_progress else [])
    row_h = SAMPLE_H + 12
    parts = [w.text(x0, y0 + 10, "Keterangan simbol", 10.5, font_weight="bold")]
    x, y = x0, y0 + 18
    for draw, name in items:
        item_w = SAMPLE_W + 6 + w.text_width(name, SIZE) + 22
        if x > x0 and x + item_w > x0 + max_width:
            x, y = x0, y + row_h
        parts.append(draw(x, y))
        parts.append(w.text(x + SAMPLE_W + 6, y + SAMPLE_H / 2 + SIZE * 0.35, name, SIZE))
        x += item_w
    return w.el("g", "".join(parts), class_="legend"), y + row_h - y0

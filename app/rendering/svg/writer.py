"""The SVG writer every drawing uses: escaped elements and attributes, text set and measured
in the bundled DejaVu Sans, the accessible document around a drawing, and its `data:` URI.

The drawings avoid features that `svglib` (the SVG reader behind xhtml2pdf) ignores:
arrowheads and hatching are explicit polygons and lines rather than `<marker>` and
`<pattern>`, every `<tspan>` has an absolute position, and styling is done with
presentation attributes (an inline `<style>` would also leak into the HTML page).
"""

import base64
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from app.rendering.fonts import text_width

FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
ELLIPSIS = "\u2026"
# Colours chosen to stay apart in greyscale; every state also differs in stroke width or dash.
INK = "#1f2933"
MUTED = "#5b6675"
GRID = "#c5ccd6"
WHITE = "#ffffff"
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

__all__ = ["text_width"]  # measured in the bundled font, re-exported for the drawings


def num(value: float) -> str:
    """Write a coordinate with at most one decimal: 12, 12.5, never "-0"."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attrs(values: Mapping[str, object]) -> str:
    """Write attributes, `font_size` as `font-size` and `class_` as `class`; None is left out."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = num(value) if isinstance(value, int | float) else str(value)
        parts.append(f" {name}={quoteattr(text)}")
    return "".join(parts)


def el(tag: str, content: str | None = None, **attributes: object) -> str:
    """Write one element; `content` is markup already written (escape text with `text`)."""
    if content is None:
        return f"<{tag}{attrs(attributes)}/>"
    return f"<{tag}{attrs(attributes)}>{content}</{tag}>"


def title(text: str) -> str:
    """A `<title>`: the tooltip and accessible name of its parent."""
    return f"<title>{escape(text)}</title>"


def points(coordinates: Sequence[tuple[float, float]]) -> str:
    """Write a `points` attribute: "0,0 10,5"."""
    return " ".join(f"{num(x)},{num(y)}" for x, y in coordinates)


def text(x: float, y: float, content: str, size: float, **attributes: object) -> str:
    """A line of text at (x, y), escaped, in ink unless a `fill` is given."""
    attributes.setdefault("fill", INK)
    return el("text", escape(content), x=x, y=y, font_size=size, **attributes)


def lines(x: float, y_center: float, rows: Sequence[str], size: float, **attributes: object) -> str:
    """Centre `rows` of text on (x, y_center) as absolutely placed tspans."""
    step = size * 1.2
    first = y_center - step * (len(rows) - 1) / 2 + size * 0.35
    spans = "".join(el("tspan", escape(row), x=x, y=first + i * step) for i, row in enumerate(rows))
    attributes.setdefault("fill", INK)
    return el("text", spans, font_size=size, text_anchor="middle", **attributes)


def clip(content: str, size: float, width: float, *, bold: bool = False) -> str:
    """Shorten `content` with an ellipsis until it is no wider than `width`."""
    if text_width(content, size, bold=bold) <= width:
        return content
    while len(content) > 1 and text_width(content + ELLIPSIS, size, bold=bold) > width:
        content = content[:-1]
    return content.rstrip() + ELLIPSIS


def size_attrs(width: str | None, natural_width: float, natural_height: float) -> str:
    """The drawing's size: its natural pixels, or a relative `width` ("100%")."""
    if width is None:
        return attrs({"width": natural_width, "height": natural_height})
    # The viewBox keeps the aspect ratio, so a relative width needs no height.
    return attrs({"width": width})


def document(
    body: str,
    *,
    label: str,
    desc: str,
    width: float,
    height: float,
    id_prefix: str,
    size: str | None = None,
) -> str:
    """Wrap `body` as a standalone SVG 1.1 image labelled by its title and description
    (`id_prefix` keeps their ids unique when several drawings share one HTML page)."""
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1"{size_attrs(size, width, height)}'
        f"{attrs({'viewBox': f'0 0 {num(width)} {num(height)}'})}"
        f' role="img" aria-labelledby={quoteattr(f"{title_id} {desc_id}")}'
        f" font-family={quoteattr(FONT_FAMILY)}>"
        f"<title id={quoteattr(title_id)}>{escape(label)}</title>"
        f"<desc id={quoteattr(desc_id)}>{escape(desc)}</desc>"
        f"{body}</svg>"
    )


def data_uri(svg: str) -> str:
    """Wrap an SVG document as a base64 `data:` URI for an `<img src>`."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")

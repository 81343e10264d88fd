"""PDF documents: a template under `templates/reports/` rendered with xhtml2pdf.

DejaVu Sans is embedded from the bundled files (so Indonesian text and signs such as ≥
print the same on every server, whatever fonts it has), and the drawings' SVG `data:`
images are drawn through svglib as vectors in that same font.
"""

import io
from functools import cache

from flask import render_template
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from app.rendering.fonts import FONT_DIR, FONT_FAMILY, FONT_FILES, REPORTLAB_NAMES


class RenderError(RuntimeError):
    """xhtml2pdf could not render a template: a bug in the template, not in the request."""


@cache
def register_drawing_fonts() -> None:
    """Let svglib draw the drawings' "DejaVu Sans" with the bundled files, not the system's."""
    from svglib.fonts import register_font

    for style, path in FONT_FILES.items():
        register_font(
            FONT_FAMILY,
            str(path),
            weight=style,
            rlgFontName=REPORTLAB_NAMES[style],
        )


def _policy() -> ResourceAccessPolicy:
    # The templates are ours, but they carry text the office typed (indicator names): read
    # nothing but the bundled fonts and the document's own data: URIs, fetch nothing.
    return ResourceAccessPolicy.server(FONT_DIR, allow_remote=False)


def render_pdf(template: str, **context) -> bytes:
    """Render `templates/reports/<template>` to PDF bytes (the formats are Jinja filters)."""
    register_drawing_fonts()
    html = render_template(
        f"reports/{template}",
        fonts={style: path.as_posix() for style, path in FONT_FILES.items()},
        **context,
    )
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=_policy())
    if result.err:
        raise RenderError(f"xhtml2pdf could not render {template} ({result.err} errors)")
    return out.getvalue()

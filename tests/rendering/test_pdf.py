"""Tests for PDF rendering (app/rendering/pdf.py)."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from app.rendering import pdf
from app.rendering.fonts import FONT_DIR


def test_drawings_use_the_bundled_font():
    """Does svglib draw "DejaVu Sans" (regular and bold) with the bundled files?"""
    from svglib.fonts import find_font

    pdf.register_drawing_fonts()
    assert find_font("DejaVu Sans") == ("SakipDejaVuSans", True)
    assert find_font("DejaVu Sans", "bold") == ("SakipDejaVuSans-Bold", True)


def test_a_template_xhtml2pdf_cannot_render_raises_naming_it(monkeypatch):
    """Is a rendering that xhtml2pdf reports as failed a RenderError naming the template,
    rather than a broken PDF?"""
    monkeypatch.setattr(pdf, "render_template", lambda name, **context: "<p>x</p>")
    monkeypatch.setattr(pdf.pisa, "CreatePDF", lambda *args, **kwargs: SimpleNamespace(err=2))
    with pytest.raises(pdf.RenderError, match="recap.html"):
        pdf.render_pdf("recap.html")


def test_the_policy_reads_only_the_bundled_fonts():
    """Does the resource policy fetch nothing remote and read nothing outside the fonts?"""
    policy = pdf._policy()
    assert policy.allow_remote is False
    assert policy.allow_local_outside_base is False
    assert Path(policy.base_dir).resolve() == FONT_DIR.resolve()

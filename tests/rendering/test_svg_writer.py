"""Tests for the SVG writer (app/rendering/svg/writer.py) and its font metrics."""

import base64
import xml.etree.ElementTree as ET

import pytest

from app.rendering import fonts
from app.rendering.svg import writer as w


def test_elements_escape_their_text_and_attributes():
    """Do text and attribute values with <, & and quotes come out as well-formed XML?"""
    markup = w.el("g", w.text(1, 2, '<b> & "c"', 10), class_='a"<b>', data_x=None)
    root = ET.fromstring(markup)
    assert root.get("class") == 'a"<b>'
    assert "data-x" not in root.attrib
    assert root[0].text == '<b> & "c"'
    assert root[0].get("font-size") == "10"


def test_numbers_are_written_short():
    """Are coordinates written with at most one decimal and never as -0?"""
    assert [w.num(v) for v in (12.0, 12.54, -0.01, 0)] == ["12", "12.5", "0", "0"]


def test_text_is_measured_with_the_bundled_fonts_metrics():
    """Do widths come from DejaVu Sans itself: wider in bold, proportional to size, and
    measured for letters beyond ASCII too?"""
    regular = w.text_width("Camat", 10)
    assert regular == pytest.approx(2 * w.text_width("Camat", 5))
    assert w.text_width("Camat", 10, bold=True) > regular
    assert w.text_width("iiii", 10) < w.text_width("MMMM", 10)
    # "≥" is one glyph, about as wide as "=" in DejaVu Sans, not a guessed wide default.
    assert w.text_width("≥", 10) == pytest.approx(w.text_width("=", 10))
    assert fonts.FONT_FILES["normal"].is_file() and fonts.FONT_FILES["bold"].is_file()


def test_clip_shortens_with_an_ellipsis():
    """Is a label too wide cut with an ellipsis to fit, and a short one left alone?"""
    assert w.clip("Camat", 10, 100) == "Camat"
    clipped = w.clip("Sekretaris Camat Purbalingga", 10, 60)
    assert clipped.endswith(w.ELLIPSIS)
    assert w.text_width(clipped, 10) <= 60


def test_a_document_is_labelled_and_sized():
    """Is a document an SVG 1.1 image labelled by its title and description, sized in pixels
    unless a relative width is given?"""
    root = ET.fromstring(w.document("", label="T", desc="D", width=10, height=5, id_prefix="x"))
    assert root.get("version") == "1.1" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "x-title x-desc"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("10", "5", "0 0 10 5")
    relative = ET.fromstring(
        w.document("", label="T", desc="D", width=10, height=5, id_prefix="x", size="100%")
    )
    assert relative.get("width") == "100%" and relative.get("height") is None


def test_data_uri_holds_the_svg():
    """Does the data URI decode back to the SVG text?"""
    uri = w.data_uri("<svg/>")
    assert base64.b64decode(uri.split(",", 1)[1]) == b"<svg/>"

"""Tests for the QR code drawing (app/rendering/svg/qr.py)."""

import base64
import xml.etree.ElementTree as ET

import segno

from app.rendering.svg.qr import qr_data_uri, qr_svg

LINK = f"http://127.0.0.1:5000/verify/{'a' * 64}"


def test_a_qr_code_is_an_svg_of_the_links_symbol():
    """The QR data URI is an SVG as wide as the link's QR symbol, quiet zone included."""
    uri = qr_data_uri(LINK)
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "<path" in svg
    width, _ = segno.make(LINK, error="m", micro=False).symbol_size(scale=4, border=2)
    assert f'width="{width}"' in svg


def test_the_dark_modules_are_one_path_of_runs():
    """Is every dark module drawn once, as unit-high runs of one path on a white square?"""
    root = ET.fromstring(qr_svg(LINK, border=0))
    rows = list(segno.make(LINK, error="m", micro=False).matrix_iter(scale=1, border=0))
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    assert path.count("v1") == sum(
        1 for row in rows for i, dark in enumerate(row) if dark and (i == 0 or not row[i - 1])
    )
    assert root.get("viewBox") == f"0 0 {len(rows)} {len(rows)}"

"""A QR code as SVG: the verification link printed on a signed report."""

import segno

from app.rendering.svg import writer as w

# Modules of light margin around the code; the stamp's padding adds to it.
BORDER = 2


def qr_svg(text: str, border: int = BORDER) -> str:
    """Draw `text` as a QR code: one filled path of the dark modules' runs, one unit a module,
    so no renderer leaves seams between rows (stroked rows, segno's own SVG, may show them)."""
    rows = list(segno.make(text, error="m", micro=False).matrix_iter(scale=1, border=border))
    size = len(rows)
    runs = []
    for y, row in enumerate(rows):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h{start - x}z")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1"'
        f"{w.attrs({'width': size * 4, 'height': size * 4, 'viewBox': f'0 0 {size} {size}'})}>"
        f"{w.el('rect', width=size, height=size, fill='#fff')}"
        f"{w.el('path', fill='#000', d=''.join(runs))}</svg>"
    )


def qr_data_uri(text: str) -> str:
    """Draw `text` as a QR code, as an SVG `data:` URI (drawn as vectors in the PDF)."""
    return w.data_uri(qr_svg(text))

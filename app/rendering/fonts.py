"""The bundled DejaVu Sans: the one font the PDFs embed and the drawings are measured with."""

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "reports" / "fonts"
FONT_FAMILY = "DejaVu Sans"
FONT_FILES = {"normal": FONT_DIR / "DejaVuSans.ttf", "bold": FONT_DIR / "DejaVuSans-Bold.ttf"}
# The names reportlab knows them by (svglib maps "DejaVu Sans" onto these, see `pdf`).
REPORTLAB_NAMES = {"normal": "SakipDejaVuSans", "bold": "SakipDejaVuSans-Bold"}


@cache
def register_fonts() -> None:
    """Load the bundled TTFs into reportlab, once per process."""
    for style, path in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(REPORTLAB_NAMES[style], str(path)))


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Measure `text` set in DejaVu Sans at `size`, from the font's own advance widths."""
    register_fonts()
    return pdfmetrics.stringWidth(text, REPORTLAB_NAMES["bold" if bold else "normal"], size)

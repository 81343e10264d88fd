"""Fitting a label into a shape: whole words on as few lines as fit, cut with an ellipsis."""

from collections.abc import Iterable, Mapping, Sequence

from app.rendering.svg.writer import ELLIPSIS, text_width


def _fill_lines(
    words: Sequence[str], widths: Sequence[float], size: float, bold: bool = False
) -> list[str] | None:
    """Fill `words` greedily into lines of `widths`; None when they do not all fit."""
    lines: list[str] = []
    i = 0
    for width in widths:
        if i == len(words):
            break
        line = words[i]
        if text_width(line, size, bold=bold) > width:
            return None
        i += 1
        while i < len(words) and text_width(f"{line} {words[i]}", size, bold=bold) <= width:
            line = f"{line} {words[i]}"
            i += 1
        lines.append(line)
    return lines if i == len(words) else None


def _with_ellipsis(words: Sequence[str]) -> list[str]:
    return [*words[:-1], words[-1].rstrip(",;:.") + ELLIPSIS]


def fit_label(
    text: str,
    line_widths: Mapping[int, Sequence[float]],
    size: float,
    max_words: int,
    *,
    bold: bool = False,
) -> list[str]:
    """Fit the first `max_words` of `text` into the fewest lines (`line_widths` gives, for
    each line count, the width of each line); cut with an ellipsis."""
    words = text.split() or [""]
    shown = words[:max_words]
    cut = len(shown) < len(words)
    while shown:
        candidate = _with_ellipsis(shown) if cut else list(shown)
        for count in sorted(line_widths):
            lines = _fill_lines(candidate, line_widths[count], size, bold)
            if lines is not None:
                return lines
        shown, cut = shown[:-1], True
    # One word wider than the shape: clip its letters.
    word, width = words[0], line_widths[max(line_widths)][0]
    while len(word) > 1 and text_width(word + ELLIPSIS, size, bold=bold) > width:
        word = word[:-1]
    return [word + ELLIPSIS]


def ranges(numbers: Iterable[int]) -> str:
    """Write 1, 2, 3, 5 as "1–3, 5"."""
    ordered = sorted(set(numbers))
    parts: list[str] = []
    start = prev = None
    for number in [*ordered, None]:
        if start is not None and (number is None or number != prev + 1):
            parts.append(str(start) if start == prev else f"{start}\u2013{prev}")
            start = None
        if number is not None and start is None:
            start = number
        prev = number
    return ", ".join(parts)

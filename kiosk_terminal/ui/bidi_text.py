"""Arabic for a renderer that knows neither shaping nor right-to-left (Kivy's).

Wrap the *logical* text first (measuring each candidate line in its shaped form), then shape
and reorder each line on its own: reordering a whole paragraph and letting the renderer wrap
it would put the lines in reverse order.
"""

from __future__ import annotations

from collections.abc import Callable

from bidi.algorithm import get_display

from kiosk_terminal.lean import without

with without("fontTools.ttLib"):  # only for fonts' own ligature tables, which we do not read
    import arabic_reshaper

Measure = Callable[[str], float]

_reshaper = arabic_reshaper.ArabicReshaper(
    configuration={"delete_harakat": False, "support_ligatures": True}
)


def has_rtl(text: str) -> bool:
    return any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc" for ch in text)


def visual_line(line: str, rtl: bool) -> str:
    """One line in display order with joined letter forms."""
    if not has_rtl(line):
        return line
    return str(get_display(_reshaper.reshape(line), base_dir="R" if rtl else "L"))


def wrap(text: str, width: float, measure: Measure, rtl: bool) -> list[str]:
    """Greedy word wrap of each paragraph; a word wider than the line stays whole."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if current and measure(visual_line(candidate, rtl)) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def layout(text: str, width: float | None, measure: Measure, rtl: bool) -> str:
    """The text as the renderer must draw it: wrapped, shaped, reordered line by line."""
    logical = text.split("\n") if width is None or width <= 0 else wrap(text, width, measure, rtl)
    return "\n".join(visual_line(line, rtl) for line in logical)

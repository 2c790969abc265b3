"""The kiosk's font files, found without importing Kivy (tests and tools read them too).

DejaVu Sans has Arabic, Latin and the Tifinagh letters IRCAM's Neo-Tifinagh uses
(U+2D30–U+2D65 and the labialisation mark U+2D6F): one font for every language, since Kivy
has no font fallback and labels mix scripts (a request code in a Tamazight sentence).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

SYSTEM_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")  # Debian fonts-dejavu-core


def _kivy_font() -> Path:
    spec = importlib.util.find_spec("kivy")
    origin = Path(spec.origin) if spec is not None and spec.origin else Path(".")
    return origin.parent / "data" / "fonts" / "DejaVuSans.ttf"


def font_files() -> tuple[Path, Path]:
    """(regular, bold): Debian's DejaVu Sans, else the copy Kivy bundles (regular only)."""
    regular = SYSTEM_DEJAVU / "DejaVuSans.ttf"
    bold = SYSTEM_DEJAVU / "DejaVuSans-Bold.ttf"
    if not regular.is_file():
        regular = _kivy_font()
    return regular, bold if bold.is_file() else regular

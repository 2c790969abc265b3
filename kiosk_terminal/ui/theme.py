"""Colours, text sizes and the font: normal, large-text and high-contrast variants.

One font with Arabic, Latin and Tifinagh glyphs (DejaVu Sans, see ``fonts.py``) for every
label, since Kivy has no font fallback and a label often mixes scripts (a request code inside
an Arabic sentence).
"""

from __future__ import annotations

from dataclasses import dataclass

from kivy.core.text import LabelBase

from kiosk_terminal.ui.fonts import font_files

FONT_NAME = "KioskFont"
#: The smallest touch target, in pixels: the accessibility guidance's 48 px, with margin.
MIN_TOUCH_PX = 64

RGBA = tuple[float, float, float, float]


@dataclass(frozen=True)
class Palette:
    background: RGBA
    text: RGBA
    primary: RGBA
    on_primary: RGBA
    secondary: RGBA
    on_secondary: RGBA
    header: RGBA
    on_header: RGBA
    field: RGBA
    field_active: RGBA
    danger: RGBA
    notice: RGBA


NORMAL = Palette(
    background=(0.97, 0.96, 0.93, 1),
    text=(0.10, 0.12, 0.14, 1),
    primary=(0.03, 0.40, 0.32, 1),  # the commune's green
    on_primary=(1, 1, 1, 1),
    secondary=(0.86, 0.84, 0.78, 1),
    on_secondary=(0.10, 0.12, 0.14, 1),
    header=(0.55, 0.09, 0.11, 1),  # Moroccan red
    on_header=(1, 1, 1, 1),
    field=(1, 1, 1, 1),
    field_active=(1.0, 0.97, 0.80, 1),
    danger=(0.70, 0.10, 0.10, 1),
    notice=(0.55, 0.35, 0.0, 1),
)

HIGH_CONTRAST = Palette(
    background=(0, 0, 0, 1),
    text=(1, 1, 1, 1),
    primary=(1, 0.86, 0, 1),
    on_primary=(0, 0, 0, 1),
    secondary=(0.2, 0.2, 0.2, 1),
    on_secondary=(1, 1, 1, 1),
    header=(0, 0, 0, 1),
    on_header=(1, 1, 0.2, 1),
    field=(0.12, 0.12, 0.12, 1),
    field_active=(0.25, 0.25, 0.05, 1),
    danger=(1, 0.45, 0.45, 1),
    notice=(0.4, 1, 1, 1),
)


@dataclass(frozen=True)
class Sizes:
    body: int
    title: int
    button: int
    small: int
    code: int
    button_height: int
    key_height: int


NORMAL_SIZES = Sizes(body=24, title=36, button=26, small=19, code=44, button_height=84,
                     key_height=MIN_TOUCH_PX)  # fmt: skip
LARGE_SIZES = Sizes(body=32, title=46, button=34, small=26, code=56, button_height=104,
                    key_height=76)  # fmt: skip


def register_font() -> None:
    regular, bold = font_files()
    LabelBase.register(FONT_NAME, str(regular), fn_bold=str(bold))


@dataclass(frozen=True)
class Theme:
    palette: Palette
    sizes: Sizes

    @classmethod
    def choose(cls, large_text: bool, high_contrast: bool) -> Theme:
        return cls(
            HIGH_CONTRAST if high_contrast else NORMAL, LARGE_SIZES if large_text else NORMAL_SIZES
        )

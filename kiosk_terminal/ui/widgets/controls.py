"""Buttons and text fields sized for fingers, drawn in the current theme."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior

from kiosk_terminal.ui.bidi_text import has_rtl
from kiosk_terminal.ui.widgets.rtl_label import RtlLabel


class KioskButton(ButtonBehavior, RtlLabel):  # type: ignore[misc]
    """A big button whose label may be Arabic; ``name`` identifies it for tests and logs."""

    bg_color = ColorProperty((0, 0, 0, 1))
    selected = BooleanProperty(False)
    name = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("align", "center")
        super().__init__(**kwargs)


class KioskField(ButtonBehavior, RtlLabel):  # type: ignore[misc]
    """Shows what was typed on the on-screen keyboard; a tap makes it the active field."""

    value = StringProperty("")
    caption = StringProperty("")
    separator = StringProperty(": ")
    active = BooleanProperty(False)
    field_color = ColorProperty((1, 1, 1, 1))
    active_color = ColorProperty((1, 1, 0.8, 1))
    name = StringProperty("")
    max_length = 40

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fbind("value", self._show)
        self.fbind("caption", self._show)
        self.fbind("active", self._show)
        self._show()

    def _show(self, *_args: Any) -> None:
        caret = "|" if self.active else ""
        if caret and self.value and not has_rtl(self.value[-1]):
            # A left-to-right mark keeps the caret after Latin or digits in an Arabic line.
            caret += "\u200e"
        shown = self.value + caret if self.value else caret
        # One line in the page's direction; the bidi rules keep a Latin value readable.
        self.source_text = f"{self.caption}{self.separator}{shown}" if self.caption else shown

    def type(self, text: str) -> None:
        if len(self.value) < self.max_length:
            self.value += text

    def backspace(self) -> None:
        self.value = self.value[:-1]

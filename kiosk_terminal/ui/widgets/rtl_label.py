"""A label that writes Arabic joined and right-to-left, with lines in the right order."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.properties import BooleanProperty, OptionProperty, StringProperty
from kivy.uix.label import Label

from kiosk_terminal.ui.bidi_text import layout


class RtlLabel(Label):  # type: ignore[misc]
    """Set ``source_text`` (logical order) and ``rtl``; ``text`` is computed from them.

    ``align`` is relative to the reading direction: "start" is right in Arabic. With
    ``auto_height`` the label grows to its text (for lists in a scroll view).
    """

    source_text = StringProperty("")
    rtl = BooleanProperty(False)
    align = OptionProperty("start", options=["start", "center", "end"])
    auto_height = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        self._relayout_trigger = Clock.create_trigger(self._relayout, -1)
        super().__init__(**kwargs)
        self.valign = "middle"
        for prop in (
            "source_text",
            "rtl",
            "align",
            "width",
            "height",
            "font_size",
            "font_name",
            "bold",
        ):
            self.fbind(prop, self._relayout_trigger)
        self.fbind("texture_size", self._fit_height)
        self._relayout()

    def _relayout(self, *_args: Any) -> None:
        core = CoreLabel(font_name=self.font_name, font_size=self.font_size, bold=self.bold)

        def measure(text: str) -> float:
            return float(core.get_extents(text)[0])

        inner = max(1.0, self.width - 2 * float(self.padding[0]))
        self.text = layout(self.source_text, inner, measure, self.rtl)
        if self.align == "center":
            self.halign = "center"
        elif (self.align == "start") != self.rtl:
            self.halign = "left"
        else:
            self.halign = "right"
        self.text_size = (self.width, None if self.auto_height else self.height)

    def _fit_height(self, *_args: Any) -> None:
        if self.auto_height:
            self.height = self.texture_size[1] + 2 * float(self.padding[1])

"""The on-screen keyboard: Arabic, French (AZERTY) and digits.

Kivy's TextInput cannot type Arabic correctly, and a kiosk has no physical keyboard, so the
kiosk types into its own :class:`KioskField` widgets through this keyboard.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk_terminal.ui.bidi_text import visual_line
from kiosk_terminal.ui.widgets.controls import KioskButton

LAYOUTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "ar": (
        ("ض", "ص", "ث", "ق", "ف", "غ", "ع", "ه", "خ", "ح", "ج", "د"),
        ("ش", "س", "ي", "ب", "ل", "ا", "ت", "ن", "م", "ك", "ط"),
        ("ئ", "ء", "ؤ", "ر", "ى", "ة", "و", "ز", "ظ", "ذ", "أ", "إ", "آ"),
    ),
    "latin": (
        ("A", "Z", "E", "R", "T", "Y", "U", "I", "O", "P"),
        ("Q", "S", "D", "F", "G", "H", "J", "K", "L", "M"),
        ("W", "X", "C", "V", "B", "N", "É", "È", "Ç", "-", "'"),
    ),
    "digits": (("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "/"),),
}
SWITCH_LABELS = {"ar": "أ ب ت", "latin": "ABC", "digits": "123"}


class OnScreenKeyboard(BoxLayout):  # type: ignore[misc]
    """Calls ``on_text(str)``, ``on_backspace()``; ``layouts`` says which may be switched to."""

    def __init__(
        self,
        on_text: Callable[[str], None],
        on_backspace: Callable[[], None],
        layouts: tuple[str, ...],
        style: Callable[[KioskButton, str], None],
        key_height: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(orientation="vertical", spacing=6, size_hint_y=None, **kwargs)
        self._on_text = on_text
        self._on_backspace = on_backspace
        self._layouts = layouts
        self._style = style
        self._key_height = key_height
        self.current = layouts[0]
        self._build()

    def _key(self, label: str, action: Callable[[], None], kind: str, name: str) -> KioskButton:
        button = KioskButton(source_text=label, name=name)
        self._style(button, kind)
        button.bind(on_release=lambda *_: action())
        return button

    def _build(self) -> None:
        self.clear_widgets()
        rows = LAYOUTS[self.current]
        for row in rows:
            line = BoxLayout(spacing=6, size_hint_y=None, height=self._key_height)
            for char in row:
                label = visual_line(char, rtl=False)
                line.add_widget(
                    self._key(label, partial(self._on_text, char), "key", f"key:{char}")
                )
            self.add_widget(line)
        bottom = BoxLayout(spacing=6, size_hint_y=None, height=self._key_height)
        for other in self._layouts:
            if other != self.current:
                bottom.add_widget(
                    self._key(
                        visual_line(SWITCH_LABELS[other], rtl=True),
                        partial(self.switch, other),
                        "secondary",
                        f"layout:{other}",
                    )
                )
        space = self._key("␣", lambda: self._on_text(" "), "key", "key:space")
        space.size_hint_x = 3
        bottom.add_widget(space)
        bottom.add_widget(self._key("⌫", self._on_backspace, "secondary", "key:backspace"))
        self.add_widget(bottom)
        self.height = (len(rows) + 1) * (self._key_height + 6)

    def switch(self, layout: str) -> None:
        self.current = layout
        self._build()

"""A synthetic finger for the headless screen tour: taps dispatched through Kivy's own input
path (Kivy's test helper of the same kind imports pytest, absent on a terminal)."""

from __future__ import annotations

from typing import Any

from kivy.base import EventLoop
from kivy.input.motionevent import MotionEvent


class SyntheticTouch(MotionEvent):  # type: ignore[misc]  # Kivy ships no type hints
    """A touch at window pixel (x, y); ``tap()`` presses and releases it."""

    _serial = 0

    def __init__(self, x: float, y: float) -> None:
        window = EventLoop.window
        SyntheticTouch._serial += 1
        # MotionEvent positions are normalised to 0..1 of the window.
        position = {"x": x / max(1.0, window.width - 1.0), "y": y / max(1.0, window.height - 1.0)}
        super().__init__("sijill-tour", SyntheticTouch._serial, position, is_touch=True,
                         type_id="touch")  # fmt: skip

    def depack(self, args: dict[str, Any]) -> None:
        self.sx = args["x"]
        self.sy = args["y"]
        self.profile = ["pos"]
        super().depack(args)

    def tap(self) -> None:
        EventLoop._dispatch_input("begin", self)
        EventLoop._dispatch_input("end", self)

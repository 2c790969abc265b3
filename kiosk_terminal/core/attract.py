"""The attract loop: what the idle kiosk shows, slide after slide, until someone touches it.

Only the order, the content and the timing live here; the screen draws the current slide and
its clock calls :meth:`AttractLoop.advance`. Each slide says one thing the kiosk does, in
every offered language at once (nobody has chosen a language yet), Arabic first.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk_terminal.core.model import Lang


def t(message: str) -> str:
    """Marks a screen text for the catalogues (``python -m kiosk_terminal.i18n.catalog``)."""
    return message


@dataclass(frozen=True, slots=True)
class Slide:
    key: str  # stable name (screenshots, tests)
    symbol: str  # drawn large above the text; a glyph the kiosk font has
    message: str  # English message id, translated on screen into each offered language
    notice: str | None = None  # the message of the day, shown as written (not translated)


#: What the kiosk offers, in the order the loop shows it.
SLIDES: tuple[Slide, ...] = (
    Slide("request", "✎", t("Request a birth extract or a full copy here")),
    Slide("collect", "▣", t("Made a request on the portal? Scan its QR code to collect it")),
    Slide("status", "◷", t("Check where your request is with its code")),
    Slide("guide", "☰", t("Learn the procedures: what to bring, fees and delays")),
)
#: The hint under every slide.
TOUCH_TO_START = t("Touch the screen to start")


@dataclass(frozen=True, slots=True)
class AttractTiming:
    slide_s: float = 6.0  # long enough to read three short lines
    fade_s: float = 0.4  # the gentle transition: fade out, change, fade in


class AttractLoop:
    """Cycles through :data:`SLIDES`, with the message of the day after the first one."""

    def __init__(self, timing: AttractTiming | None = None) -> None:
        self.timing = timing or AttractTiming()
        self.index = 0
        self.notice: str | None = None

    @property
    def slides(self) -> tuple[Slide, ...]:
        if not self.notice:
            return SLIDES
        # Notices are urgent (a closed counter, new hours): second, not last.
        message = Slide("message", "ℹ", "", notice=self.notice)
        return (SLIDES[0], message, *SLIDES[1:])

    @property
    def current(self) -> Slide:
        slides = self.slides
        return slides[self.index % len(slides)]

    @property
    def position(self) -> tuple[int, int]:
        """(current, count): for the dots under the slide."""
        slides = self.slides
        return self.index % len(slides), len(slides)

    def advance(self) -> Slide:
        self.index = (self.index + 1) % len(self.slides)
        return self.current

    def restart(self) -> None:
        self.index = 0

    def set_notice(self, notice: str | None) -> None:
        """A new message of the day: the loop goes on from the slide it was showing."""
        key = self.current.key
        self.notice = notice or None
        keys = [slide.key for slide in self.slides]
        self.index = keys.index(key) if key in keys else 0


def languages_shown(offered: tuple[Lang, ...]) -> tuple[Lang, ...]:
    """The languages each slide is written in: the offered ones, Arabic first."""
    ordered = sorted(offered, key=lambda lang: (lang is not Lang.AR, offered.index(lang)))
    return tuple(ordered)

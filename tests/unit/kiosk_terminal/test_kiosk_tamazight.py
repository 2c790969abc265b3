"""Tamazight (zgh) in Tifinagh: its catalogue covers the required screens, the kiosk offers
it, and the kiosk's font draws every letter it uses (real glyphs, not the missing-glyph box)."""

from __future__ import annotations

import unicodedata

from PIL import Image, ImageDraw, ImageFont

from kiosk_terminal.core.attract import SLIDES, TOUCH_TO_START
from kiosk_terminal.core.model import Lang
from kiosk_terminal.i18n import REQUIRED_FILE, Translator, catalogue_ready, required, untranslated
from kiosk_terminal.i18n.catalog import extract, required_messages
from kiosk_terminal.runtime import offered_languages
from kiosk_terminal.ui.fonts import font_files

TIFINAGH = range(0x2D30, 0x2D80)
ARABIC = range(0x0600, 0x0700)


def test_required_list_is_current_and_holds_the_listed_screens() -> None:
    assert required() == required_messages(), f"stale {REQUIRED_FILE.name}: run the catalogue"
    must = {
        "Choose your language",  # language choice
        "What would you like to do?", "Request a document", "Collect a request",  # home
        TOUCH_TO_START, *(slide.message for slide in SLIDES),  # attract loop
        "How shall we find the act?", "Parents' names", "Check and confirm",  # request
        "Take your receipt. Keep it to collect your document.",
        "No act was found with these details. Check them or try another way.",  # errors
        "The card did not accept these details. Check them and try again.",
        "The registry cannot be reached right now, so we cannot search by name or card. "
        "With the act's reference, your request can still be taken.",
        "Are you still there?", "Please wait", "Back", "Home",
    }  # fmt: skip
    assert must <= set(required())
    # The guide's own headings may fall back without hiding the language.
    assert "What to bring" in extract()
    assert "What to bring" not in required()


def test_tamazight_translates_every_required_text_in_tifinagh() -> None:
    assert untranslated("zgh") == []
    assert catalogue_ready("zgh")
    t = Translator("zgh")
    for message in required():
        text = t(message)
        letters = [c for c in text if unicodedata.category(c).startswith("L")]
        tifinagh = [c for c in letters if ord(c) in TIFINAGH]
        # Tifinagh throughout; Latin only for "QR" and the date pattern's digits.
        assert len(tifinagh) >= len(letters) - 2, (message, text)
        assert not any(ord(c) in ARABIC for c in text), message


def test_the_kiosk_offers_tamazight_once_translated_and_never_an_untranslated_language() -> None:
    assert offered_languages(("ar", "fr", "en", "zgh")) == (Lang.AR, Lang.FR, Lang.EN, Lang.ZGH)
    assert untranslated("ar") == []  # a base language is complete anyway
    assert not catalogue_ready("xx")  # no catalogue: not offered


def _mask(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    image = Image.new("L", (96, 96), 0)
    ImageDraw.Draw(image).text((16, 8), char, font=font, fill=255)
    return image.tobytes()


def test_the_kiosk_font_draws_every_tifinagh_letter_used() -> None:
    regular, bold = font_files()
    used = {c for message in required() for c in Translator("zgh")(message) if ord(c) in TIFINAGH}
    assert len(used) > 25
    for path in {regular, bold}:
        font = ImageFont.truetype(str(path), 48)
        missing = _mask(font, "\u2d66")  # unassigned in the block: the font's missing box
        for char in sorted(used):
            drawn = _mask(font, char)
            ink = sum(1 for value in drawn if value > 128)
            assert ink > 20, f"{path.name}: {char!r} draws nothing"
            assert drawn != missing, f"{path.name}: {char!r} has no glyph"

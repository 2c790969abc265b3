"""gettext catalogues of the kiosk: ``<lang>/LC_MESSAGES/kiosk.po`` compiled to ``kiosk.mo``.

Message ids are the English texts. A language without a translation for a message shows
the English text rather than nothing. Tamazight (``zgh``, Tifinagh) shows a message it has not
translated yet in French, like the procedures guide; it is offered only while its catalogue
translates every required message (``required.json``, written by ``catalog.py``).
"""

from __future__ import annotations

import gettext
import json
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent
DOMAIN = "kiosk"


#: Where a language's untranslated messages come from (else the English message id).
FALLBACK = {"zgh": "fr"}
#: The languages the kiosk was written in: always offered.
BASE_LANGUAGES = frozenset({"ar", "fr", "en"})
#: The messages a further language must translate to be offered (a JSON list).
REQUIRED_FILE = LOCALE_DIR / "required.json"


def required() -> list[str]:
    messages = json.loads(REQUIRED_FILE.read_text(encoding="utf-8"))
    return [str(message) for message in messages]


def untranslated(lang: str) -> list[str]:
    """Required messages that ``lang``'s own catalogue (no fallback) leaves untranslated."""
    own = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    return [message for message in required() if own.gettext(message) == message]


def catalogue_ready(lang: str) -> bool:
    """Whether the kiosk may offer ``lang`` on its language choice."""
    return lang in BASE_LANGUAGES or not untranslated(lang)


@lru_cache(maxsize=8)
def translations(lang: str) -> gettext.NullTranslations:
    found = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    if lang in FALLBACK:
        found.add_fallback(translations(FALLBACK[lang]))
    return found


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._t = translations(lang)

    def __call__(self, message: str) -> str:
        return self._t.gettext(message)

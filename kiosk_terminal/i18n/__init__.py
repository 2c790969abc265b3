"""gettext catalogues of the kiosk: ``<lang>/LC_MESSAGES/kiosk.po`` compiled to ``kiosk.mo``.

Message ids are the English texts. A language without a translation for a message shows
the English text rather than nothing. Tamazight (``zgh``, Tifinagh) has its catalogue in place
for the commune's translators; until a message is translated it shows in French, like the
procedures guide.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent
DOMAIN = "kiosk"


#: Where a language's untranslated messages come from (else the English message id).
FALLBACK = {"zgh": "fr"}


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

"""Name normalization for search, duplicate detection and keying comparison.

Three different operations:
- ``normalize_arabic``: folds the spelling variants of one Arabic name (hamza forms,
  alef maqsura / ya, ta marbuta / ha, tatweel, diacritics) to one form.
- ``latin_key``: reduces a Latin transliteration to a consonant skeleton so that the usual
  spellings of one name (Mohamed / Mohammed / Muhammad, Bouchra / Bushra, El Alami / Alami)
  meet. It is deliberately coarse: it finds candidates; ranking and people decide.
- ``normalize_tifinagh``: folds a Tifinagh name (labialization mark, joiner, doubled
  letters, spacing) to one key, as coarse as the Latin one.

Both are cached: a registry holds a few thousand distinct names, repeated a million times.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_ARABIC_FOLD = str.maketrans(
    {
        "\u0623": "\u0627",  # أ → ا
        "\u0625": "\u0627",  # إ → ا
        "\u0622": "\u0627",  # آ → ا
        "\u0671": "\u0627",  # ٱ → ا
        "\u0649": "\u064a",  # ى → ي
        "\u0629": "\u0647",  # ة → ه
        "\u0624": "\u0648",  # ؤ → و
        "\u0626": "\u064a",  # ئ → ي
        "\u06cc": "\u064a",  # Persian ya → ي
        "\u06a9": "\u0643",  # keheh → ك
        "\u0640": None,  # tatweel
        "\u0621": None,  # lone hamza
    }
)
_SPACES = re.compile(r"[\s\-_'’.]+")


@lru_cache(maxsize=1 << 16)
def normalize_arabic(text: str) -> str:
    """Fold an Arabic name to its search form (also strips the article ال of each word)."""
    text = unicodedata.normalize("NFKC", text)
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_FOLD)
    words = [w for w in _SPACES.split(text) if w]
    return " ".join(_strip_arabic_article(w) for w in words)


def _strip_arabic_article(word: str) -> str:
    if word.startswith("\u0627\u0644") and len(word) > 3:
        return word[2:]
    return word


_LATIN_ARTICLES = ("el", "al", "ul", "il")
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("kh", "K"),
    ("gh", "G"),
    ("ch", "S"),
    ("sh", "S"),
    ("dj", "j"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("ck", "k"),
    ("q", "k"),
    ("ce", "se"),
    ("ci", "si"),
    ("cy", "sy"),
    ("c", "k"),
    ("x", "ks"),
)
_VOWELISH = set("aeiouyw")


def _fold_latin(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def latin_word_key(word: str) -> str:
    """Consonant skeleton of one Latin word (``mohammed`` → ``mhmd``)."""
    w = word
    for src, dst in _DIGRAPHS:
        w = w.replace(src, dst)
    # A final h after a vowel is silent in French transliteration (Fatimah / Fatima).
    if len(w) > 2 and w.endswith("h") and w[-2] in _VOWELISH:
        w = w[:-1]
    out: list[str] = []
    for i, ch in enumerate(w):
        if not ch.isalpha():
            continue
        # y at the start of a word is a consonant (Youssef); elsewhere it is a vowel.
        if ch in _VOWELISH and not (ch == "y" and i == 0):
            continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out)


_ABD = re.compile(r"\babd\s*(?:el|al|ul|oul|ou|e|a)?\s+|\babd(?:el|al|ul|oul)")


@lru_cache(maxsize=1 << 16)
def latin_key(text: str) -> str:
    """Skeleton of a whole Latin name, spaces and articles ignored (``Abd el Kader``,
    ``Abdelkader`` and ``Abdulqadir`` meet)."""
    folded = _ABD.sub("abd", _fold_latin(text))
    words = [w for w in _SPACES.split(folded) if w]
    if len(words) > 1:
        words = [w for w in words if w not in _LATIN_ARTICLES] or words
    keys: list[str] = []
    for w in words:
        # A glued French article (Elalami, Elhachimi) is dropped when a real name follows.
        if w.startswith("el") and len(w) >= 6:
            w = w[2:]
        keys.append(latin_word_key(w))
    return "".join(keys)


#: Signs that some writers put and others leave out: the labialization mark (ⴳⵯ) and the
#: consonant joiner.
_TIFINAGH_OPTIONAL = str.maketrans({"\u2d6f": None, "\u2d7f": None})


@lru_cache(maxsize=1 << 16)
def normalize_tifinagh(text: str) -> str:
    """Search key of a Tifinagh name: optional signs dropped, doubled (geminate) letters
    written once, spaces and hyphens ignored (``ⵎⵓⵃⵎⵎⴷ`` and ``ⵎⵓⵃⵎⴷ`` meet)."""
    # Before NFKC, which would turn the labialization mark into the letter ⵡ.
    text = unicodedata.normalize("NFKC", text.translate(_TIFINAGH_OPTIONAL))
    out: list[str] = []
    for ch in "".join(w for w in _SPACES.split(text) if w):
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out)


def is_arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in text)


def is_tifinagh(text: str) -> bool:
    return any("\u2d30" <= c <= "\u2d7f" for c in text)


def name_key(text: str) -> str:
    """The search key of a name in whichever script it is written."""
    if is_arabic(text):
        return normalize_arabic(text)
    if is_tifinagh(text):
        return normalize_tifinagh(text)
    return latin_key(text)


def normalize_free_text(text: str) -> str:
    """Comparison form of any keyed text: case, spacing, Arabic variants and accents folded."""
    text = unicodedata.normalize("NFKC", text).strip()
    if is_arabic(text):
        text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_FOLD)
    text = _fold_latin(text)
    return " ".join(_SPACES.split(text)).strip()

"""Numbers, dates and hours written in words, in Arabic and French, as acts require."""

from __future__ import annotations

import re
from datetime import date, time
from functools import lru_cache

from babel.dates import get_month_names
from num2words import num2words

from records_backend.documents.model import HijriDate

HIJRI_MONTHS_AR = (
    "محرم",
    "صفر",
    "ربيع الأول",
    "ربيع الثاني",
    "جمادى الأولى",
    "جمادى الآخرة",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو القعدة",
    "ذو الحجة",
)
#: The transliterations used in Moroccan French administrative texts.
HIJRI_MONTHS_FR = (
    "Moharram",
    "Safar",
    "Rabii I",
    "Rabii II",
    "Joumada I",
    "Joumada II",
    "Rajab",
    "Chaabane",
    "Ramadan",
    "Chaoual",
    "Dou al-qiida",
    "Dou al-hijja",
)

# num2words writes the bare dual in its construct form ("ألفا", "مئتا"); standing alone,
# as in a year, Arabic needs the full form.
_AR_FIXES = {"ألفا": "ألفان", "مئتا": "مئتان"}
_AR_TOKEN = re.compile(r"\S+")


def number_ar(n: int) -> str:
    """A cardinal in Arabic words, joined as written: "خمسة وعشرون"."""
    text = str(num2words(n, lang="ar"))
    text = _AR_TOKEN.sub(lambda m: _AR_FIXES.get(m.group(0), m.group(0)), text)
    return text.replace(" و ", " و")


def number_fr(n: int) -> str:
    return str(num2words(n, lang="fr"))


@lru_cache(maxsize=4)
def _months(locale: str) -> tuple[str, ...]:
    names = get_month_names("wide", context="format", locale=locale)
    return tuple(str(names[i]) for i in range(1, 13))


def month_ar(month: int) -> str:
    """Moroccan month names (يناير … دجنبر), not the Levantine ones."""
    return _months("ar_MA")[month - 1]


def month_fr(month: int) -> str:
    return _months("fr_MA")[month - 1]


def date_figures(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def hijri_figures(h: HijriDate) -> str:
    return f"{h.day:02d}/{h.month:02d}/{h.year:04d}"


def date_words_ar(d: date) -> str:
    return f"{number_ar(d.day)} {month_ar(d.month)} {number_ar(d.year)}"


def date_words_fr(d: date) -> str:
    day = "premier" if d.day == 1 else number_fr(d.day)
    return f"{day} {month_fr(d.month)} {number_fr(d.year)}"


def hijri_words_ar(h: HijriDate) -> str:
    return f"{number_ar(h.day)} {HIJRI_MONTHS_AR[h.month - 1]} {number_ar(h.year)}"


def hijri_words_fr(h: HijriDate) -> str:
    day = "premier" if h.day == 1 else number_fr(h.day)
    return f"{day} {HIJRI_MONTHS_FR[h.month - 1]} {number_fr(h.year)}"


# The hour as an Arabic feminine ordinal ("الساعة العاشرة"), on a twelve-hour dial with the
# part of the day, which is how declarations are worded.
_HOURS_AR = (
    "الثانية عشرة",
    "الواحدة",
    "الثانية",
    "الثالثة",
    "الرابعة",
    "الخامسة",
    "السادسة",
    "السابعة",
    "الثامنة",
    "التاسعة",
    "العاشرة",
    "الحادية عشرة",
)


def _part_of_day_ar(hour: int) -> str:
    if hour < 5:
        return "ليلا"
    if hour < 12:
        return "صباحا"
    if hour < 18:
        return "بعد الزوال"
    return "مساء"


# A feminine counted noun ("دقيقة") takes the number's opposite-gender forms.
_FEM_UNITS = {3: "ثلاث", 4: "أربع", 5: "خمس", 6: "ست", 7: "سبع", 8: "ثماني", 9: "تسع"}
_TENS = {2: "عشرون", 3: "ثلاثون", 4: "أربعون", 5: "خمسون"}


def _feminine_count_ar(n: int) -> str:
    """1–59 in the form that counts a feminine noun ("خمس عشرة دقيقة")."""
    tens, unit = divmod(n, 10)
    if n == 10:
        return "عشر"
    if tens == 0:
        return {1: "واحدة", 2: "اثنتان"}.get(unit) or _FEM_UNITS[unit]
    if tens == 1:
        return f"{ {1: 'إحدى', 2: 'اثنتا'}.get(unit) or _FEM_UNITS[unit] } عشرة"
    if unit == 0:
        return _TENS[tens]
    first = {1: "إحدى", 2: "اثنتان"}.get(unit) or _FEM_UNITS[unit]
    return f"{first} و{_TENS[tens]}"


def _minutes_ar(m: int) -> str:
    # 1 and 2 use the noun itself, 3–10 the plural, 11 and more the singular.
    if m == 1:
        return "دقيقة واحدة"
    if m == 2:
        return "دقيقتان"
    if m <= 10:
        return f"{_feminine_count_ar(m)} دقائق"
    return f"{_feminine_count_ar(m)} دقيقة"


def time_figures(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def time_words_ar(t: time) -> str:
    text = f"الساعة {_HOURS_AR[t.hour % 12]}"
    if t.minute:
        text += f" و{_minutes_ar(t.minute)}"
    return f"{text} {_part_of_day_ar(t.hour)}"


def _feminine_fr(n: int) -> str:
    # "heure" and "minute" are feminine: "vingt et une heures".
    text = number_fr(n)
    return text[:-2] + "une" if text.endswith("un") else text


def time_words_fr(t: time) -> str:
    if t.hour == 0:
        hours = "zéro heure"
    else:
        hours = f"{_feminine_fr(t.hour)} heure{'s' if t.hour > 1 else ''}"
    if not t.minute:
        return hours
    return f"{hours} {_feminine_fr(t.minute)} minute{'s' if t.minute > 1 else ''}"

"""Numbers, dates and hours in words, Arabic and French."""

from __future__ import annotations

from datetime import date, time

import pytest

from records_backend.documents import words
from records_backend.documents.model import HijriDate


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (25, "خمسة وعشرون"),
        (1990, "ألف وتسعمائة وتسعون"),
        (2000, "ألفان"),
        (200, "مئتان"),
        (2026, "ألفان وستة وعشرون"),
    ],
)
def test_arabic_numbers_join_the_conjunction(n: int, text: str) -> None:
    assert words.number_ar(n) == text
    assert " و " not in words.number_ar(n)


def test_moroccan_month_names() -> None:
    months = [words.month_ar(m) for m in range(1, 13)]
    assert months == [
        "يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو",
        "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر",
    ]  # fmt: skip
    assert words.month_fr(8) == "août"


def test_gregorian_dates_in_words() -> None:
    d = date(1990, 3, 25)
    assert words.date_figures(d) == "25/03/1990"
    assert words.date_words_ar(d) == "خمسة وعشرون مارس ألف وتسعمائة وتسعون"
    assert words.date_words_fr(d) == "vingt-cinq mars mille neuf cent quatre-vingt-dix"
    assert words.date_words_fr(date(2001, 1, 1)) == "premier janvier deux mille un"


def test_hijri_dates_in_words() -> None:
    h = HijriDate(day=28, month=8, year=1410)
    assert words.hijri_figures(h) == "28/08/1410"
    assert words.hijri_words_ar(h) == "ثمانية وعشرون شعبان ألف وأربعمائة وعشرة"
    assert words.hijri_words_fr(h) == "vingt-huit Chaabane mille quatre cent dix"
    assert words.hijri_words_ar(HijriDate(day=1, month=9, year=1445)).split()[1] == "رمضان"


@pytest.mark.parametrize(
    ("t", "ar", "fr"),
    [
        (time(10, 15), "الساعة العاشرة وخمس عشرة دقيقة صباحا", "dix heures quinze minutes"),
        (time(21, 1), "الساعة التاسعة ودقيقة واحدة مساء", "vingt et une heures une minute"),
        (time(0, 0), "الساعة الثانية عشرة ليلا", "zéro heure"),
        (time(13, 5), "الساعة الواحدة وخمس دقائق بعد الزوال", "treize heures cinq minutes"),
        (
            time(8, 21),
            "الساعة الثامنة وإحدى وعشرون دقيقة صباحا",
            "huit heures vingt et une minutes",
        ),
    ],
)
def test_hours_in_words(t: time, ar: str, fr: str) -> None:
    assert words.time_words_ar(t) == ar
    assert words.time_words_fr(t) == fr

"""When a requested document can be collected, and how dates read in each language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk_terminal.core.model import DocumentKind, Lang


def _office_zone() -> tzinfo:
    try:
        return ZoneInfo("Africa/Casablanca")
    except ZoneInfoNotFoundError:  # no tz database: dates near midnight may be a day off
        return UTC


#: Offices work on Moroccan civil time (which moves around Ramadan): receipts show it.
OFFICE_TZ = _office_zone()


def local(moment: datetime) -> datetime:
    return moment.astimezone(OFFICE_TZ)


#: Working days until pickup: a full copy waits for the officer's approval.
_DELAY_DAYS = {
    DocumentKind.EXTRACT: 1,
    DocumentKind.INDIVIDUAL_SHEET: 1,
    DocumentKind.FULL_COPY: 2,
}

# Moroccan month names (they differ from the Levantine ones).
_MONTHS = {
    Lang.AR: (
        "يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو",
        "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر",
    ),
    Lang.FR: (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
    Lang.EN: (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    Lang.ZGH: (
        "ⵉⵏⵏⴰⵢⵔ", "ⴱⵕⴰⵢⵕ", "ⵎⴰⵕⵚ", "ⵉⴱⵔⵉⵔ", "ⵎⴰⵢⵢⵓ", "ⵢⵓⵏⵢⵓ",
        "ⵢⵓⵍⵢⵓⵣ", "ⵖⵓⵛⵜ", "ⵛⵓⵜⴰⵏⴱⵉⵔ", "ⴽⵜⵓⴱⵔ", "ⵏⵓⵡⴰⵏⴱⵉⵔ", "ⴷⵓⵊⴰⵏⴱⵉⵔ",
    ),
}  # fmt: skip
_DAYS = {
    Lang.AR: ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
    Lang.FR: ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    Lang.EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    # Tamazight (IRCAM): aynas, asinas, akras, akwas, asimwas, asidyas, asamas.
    Lang.ZGH: ("ⴰⵢⵏⴰⵙ", "ⴰⵙⵉⵏⴰⵙ", "ⴰⴽⵕⴰⵙ", "ⴰⴽⵡⴰⵙ", "ⴰⵙⵉⵎⵡⴰⵙ", "ⴰⵙⵉⴹⵢⴰⵙ", "ⴰⵙⴰⵎⴰⵙ"),
}


def add_working_days(start: date, days: int) -> date:
    """Offices work Monday to Friday."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def pickup_date(submitted: date, document: DocumentKind) -> date:
    return add_working_days(submitted, _DELAY_DAYS[document])


def format_date(value: date, lang: Lang) -> str:
    """``الخميس 26 نونبر 2026`` / ``jeudi 26 novembre 2026``; digits stay Western Arabic."""
    table = lang if lang in _MONTHS else Lang.FR
    day = _DAYS[table][value.weekday()]
    month = _MONTHS[table][value.month - 1]
    return f"{day} {value.day} {month} {value.year}"

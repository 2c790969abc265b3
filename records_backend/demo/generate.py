"""Random but coherent acts and marginal notes (seeded, so a demo is reproducible)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from records_backend.demo import names
from records_backend.domain.hijri import propose_hijri
from records_backend.domain.offices import MEKNES_OFFICES

LOCAL_OFFICES = tuple(o.code for o in MEKNES_OFFICES if not o.central)


@dataclass
class DemoAct:
    office: str
    kind: str
    fields: dict[str, Any]
    notes: list[dict[str, Any]] = field(default_factory=list)


def _pick(rng: random.Random, entry: tuple[str, ...]) -> tuple[str, str]:
    return entry[0], rng.choice(entry[1:])


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 1)))


class Generator:
    """Acts numbered per office, year and register, as a real register would be."""

    def __init__(self, seed: int = 2026, until: date = date(2026, 6, 30)) -> None:
        self.rng = random.Random(seed)  # noqa: S311  (synthetic data, seeded on purpose)
        self.until = until
        self._numbers: dict[tuple[str, int, str], int] = {}

    def _next_number(self, office: str, year: int, kind: str) -> int:
        key = (office, year, kind)
        self._numbers[key] = self._numbers.get(key, 0) + 1
        return self._numbers[key]

    def acts(self, count: int) -> Iterator[DemoAct]:
        for _ in range(count):
            yield self.one()

    def one(self) -> DemoAct:
        rng = self.rng
        kind = "death" if rng.random() < 0.12 else "birth"
        office = rng.choice(LOCAL_OFFICES)
        sex = rng.choice("MF")
        given_ar, given_lat = _pick(rng, rng.choice(names.MALE if sex == "M" else names.FEMALE))
        fam = rng.choice(names.FAMILY)
        family_ar, family_lat = _pick(rng, fam)
        if kind == "birth":
            event = _day(rng, date(1950, 1, 1), self.until - timedelta(days=40))
        else:
            event = _day(rng, date(1985, 1, 1), self.until - timedelta(days=40))
        drawn = event + timedelta(days=rng.randint(1, 29))
        if rng.random() < 0.03 and kind == "birth":
            drawn = event + timedelta(days=rng.randint(400, 8000))  # late, by judgment
        drawn = min(drawn, self.until)
        father_given = _pick(rng, rng.choice(names.MALE))
        mother_given = _pick(rng, rng.choice(names.FEMALE))
        mother_family = _pick(rng, rng.choice(names.FAMILY))
        born_before = event if kind == "birth" else event - timedelta(days=365 * 40)
        father_birth = born_before - timedelta(days=rng.randint(20 * 365, 45 * 365))
        mother_birth = born_before - timedelta(days=rng.randint(18 * 365, 40 * 365))
        f: dict[str, Any] = {
            "number": self._next_number(office, drawn.year, kind),
            "given_name_ar": given_ar,
            "family_name_ar": family_ar,
            "given_name_lat": given_lat,
            "family_name_lat": family_lat,
            "sex": sex,
            "event_date": event,
            "event_date_hijri": propose_hijri(event),
            "event_time": time(rng.randrange(24), rng.randrange(0, 60, 5))
            if rng.random() < 0.8
            else None,
            "event_place": rng.choice(names.PLACES),
            "father_name_ar": f"{father_given[0]} {family_ar}",
            "father_name_lat": f"{father_given[1]} {family_lat}",
            "father_birth_date": father_birth,
            "father_birth_place": rng.choice(names.PLACES),
            "father_occupation": rng.choice(names.OCCUPATIONS),
            "father_address": f"{rng.choice(names.DISTRICTS)}, Meknès",
            "mother_name_ar": f"{mother_given[0]} {mother_family[0]}",
            "mother_name_lat": f"{mother_given[1]} {mother_family[1]}",
            "mother_birth_date": mother_birth,
            "mother_birth_place": rng.choice(names.PLACES),
            "mother_occupation": rng.choice(names.OCCUPATIONS),
            "mother_address": f"{rng.choice(names.DISTRICTS)}, Meknès",
            "nationality": "marocaine",
            "declarant_name": f"{father_given[0]} {family_ar}",
            "declarant_relation": "الأب" if kind == "birth" else "الابن",
            "judgment_court": None,
            "judgment_number": None,
            "judgment_date": None,
            "officer_name": rng.choice(names.OFFICERS),
            "drawn_up_date": drawn,
            "drawn_up_date_hijri": propose_hijri(drawn),
            "birth_act_reference": None,
            "source_page": rng.randint(1, 400),
            "given_name_tfng": None,
            "family_name_tfng": None,
        }
        # Places are drawn as (Arabic, French) pairs, in the order the random draws always had.
        for name in ("event_place", "father_birth_place", "mother_birth_place"):
            f[name], f[f"{name}_lat"] = f[name]
        if (drawn - event).days > 60:
            f["judgment_court"] = "المحكمة الابتدائية بمكناس"
            f["judgment_number"] = f"{rng.randint(1, 3000)}/{drawn.year}"
            f["judgment_date"] = drawn - timedelta(days=rng.randint(5, 60))
        act = DemoAct(office, kind, f)
        if kind == "birth":
            act.notes = self._notes(event, family_lat, fam)
        return act

    def _notes(self, born: date, family_lat: str, fam: tuple[str, ...]) -> list[dict[str, Any]]:
        rng = self.rng
        notes: list[dict[str, Any]] = []
        adult = born + timedelta(days=365 * 20)
        if adult < self.until and rng.random() < 0.4:
            married = _day(rng, adult, min(adult + timedelta(days=365 * 15), self.until))
            notes.append(
                {
                    "kind": "marriage",
                    "note_date": married,
                    "authority_kind": "adoul_act",
                    "authority_name": "قسم التوثيق بالمحكمة الابتدائية بمكناس",
                    "authority_reference": f"{rng.randint(1, 900)}/{married.year}",
                    "text_ar": f"تزوج(ت) بتاريخ {married.isoformat()}",
                    "text_fr": f"Marié(e) le {married.isoformat()}",
                    "changes": {},
                }
            )
            if rng.random() < 0.15:
                div = _day(rng, married, min(married + timedelta(days=365 * 10), self.until))
                notes.append(
                    {
                        "kind": "divorce",
                        "note_date": div,
                        "authority_kind": "court",
                        "authority_name": "قسم قضاء الأسرة بمكناس",
                        "authority_reference": f"{rng.randint(1, 900)}/{div.year}",
                        "text_ar": f"طلاق بتاريخ {div.isoformat()}",
                        "text_fr": f"Divorce le {div.isoformat()}",
                        "changes": {},
                    }
                )
        other = [s for s in fam[1:] if s != family_lat]
        if other and rng.random() < 0.02:
            fixed = _day(rng, born + timedelta(days=30), self.until)
            notes.append(
                {
                    "kind": "latin_spelling",
                    "note_date": fixed,
                    "authority_kind": "interior_minister",
                    "authority_name": "Ministère de l'Intérieur",
                    "authority_reference": f"AUT-{fixed.year}-{rng.randint(1, 9999):04d}",
                    "text_ar": "تصحيح كتابة الاسم العائلي بالحروف اللاتينية",
                    "text_fr": "Rectification de l'orthographe latine du nom",
                    "changes": {"family_name_lat": other[0]},
                }
            )
        return notes
